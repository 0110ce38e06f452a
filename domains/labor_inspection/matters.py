"""The 网上书审 办件 kind: the review shape routed to the chosen 监察中队; 审核不通过 is 责令整改 (a return listing
every problem at once — see service.return_effect — after which the employer corrects and resubmits)."""

from __future__ import annotations

from dataclasses import replace

from domains.labor_inspection import rules, service
from portal.workflow.kinds import MatterKind, register_kind, review_flow

PERMISSIONS = service.PERMISSIONS

_GUIDE = ("用人单位每年度通过“网上书审申报”向实际经营地所在街道（乡镇）劳动保障监察中队报送书面材料：① 用工情况自查；"
          "② 下载劳动用工信息模板批量填写后导入平台（导入成功为完成）；③ 按单位实际经营地选择监察中队；④ 完成申报。"
          "监察中队审查后审核通过，或责令整改（列明全部问题），单位整改后修改并重新申报。每个单位每年度申报一次。")


def _kind() -> MatterKind:
    kind = review_flow(
        service.REVIEW_KIND, "网上书审申报", permission=service.REVIEW_PERMISSION, reject_effect=service.return_effect,
        approve_label="审查通过", reject_label="责令整改", jurisdiction="squad", number_code="INSR",
        legal_days=20, promised_days=15, guide_text=_GUIDE,
        detail_template="labor_inspection/_review_detail.html",
    )
    return replace(kind, transitions=tuple(
        replace(t, opinion_label="整改要求（系统发现的问题会一并列出）") if t.name == "reject" else t
        for t in kind.transitions))


REVIEW = register_kind(_kind())
QUESTION_LABELS = rules.QUESTION_LABELS
