"""The 网上书审 办件 kind: the review shape routed to the chosen 监察中队; 审核不通过 is 责令整改 (a return listing
every problem at once — see service.return_effect — after which the employer corrects and resubmits). The 信用等级
kind: the appeal shape (评定 with reasons → 接受 or 申诉 within 15 working days → 维持 / 变更 by another person)."""

from __future__ import annotations

from dataclasses import replace

from domains.labor_inspection import grade_rules, grades, rules, service
from portal.forms import ChoiceField
from portal.workflow.kinds import MaterialSpec, MatterKind, appeal_flow, register_kind, review_flow

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


# ---- 信用等级 (INS-3, INS-4): the platform's appeal shape -----------------------------------------------------------

_GRADE_GUIDE = ("用人单位按《企业劳动保障守法诚信等级评价办法》（人社部规〔2016〕1号）逐项填写评价内容和申报意见，向实际经营地"
                "所在街道（乡镇）劳动保障监察中队申报年度信用等级；每个单位每年度申报一次。监察中队评定A级（守法诚信）、"
                "B级（基本守法诚信）或C级（不守法诚信）并说明理由，结果发送到消息中心。单位对评定等级有异议的，可在评定后"
                f"{grades.APPEAL_DAYS}个工作日内提出申诉（说明理由，可附证明材料），由未参与评定的工作人员作出维持或变更的决定。")


def _grade_kind() -> MatterKind:
    choices = grade_rules.GRADES
    return appeal_flow(
        service.GRADE_KIND, "信用等级申报", decide_permission=service.GRADE_PERMISSION,
        appeal_permission=service.GRADE_PERMISSION, decide_label="评定等级", decide_opinion_label="评定理由",
        decide_fields=(ChoiceField("grade", "评定等级", choices=choices),), decide_effect=grades.decide_effect,
        change_fields=(ChoiceField("new_grade", "变更后的等级", choices=choices, help="选择“变更评定”时必选；“维持原评定”不需选择"),),
        change_effect=grades.change_effect, appeal_days=grades.APPEAL_DAYS, jurisdiction="squad",
        number_code="INSG", legal_days=20, promised_days=15, guide_text=_GRADE_GUIDE,
        materials=(MaterialSpec(grades.APPEAL_MATERIAL, "申诉证明材料", required=False, transition="appeal",
                                hint="申诉时可附，PDF、JPG或PNG"),),
        detail_template="labor_inspection/_grade_detail.html", detail_context=grades.detail_context,
    )


GRADE = register_kind(_grade_kind())
# ---- 劳动用工合规证明 (INS-5) ------------------------------------------------------------------------------------

_COMPLIANCE_GUIDE = ("用人单位因上市、招投标、融资等需要，通过“合规证明登记”申请劳动用工合规证明：填写用途、证明期间（按月，"
                     "最长3年，不晚于本月）和联系人，提交后由本单位的劳动保障监察中队核查劳动保障监察记录，出具"
                     "《劳动用工合规证明》（带验证码和二维码的电子证明），或说明不予出具的理由。办理进度和证明下载见"
                     "“合规证明办事进度查询”。")


def _compliance_kind() -> MatterKind:
    """The review shape with a final refusal: 不予出具 ends the application (apply again for another period)."""
    from domains.labor_inspection import compliance

    kind = review_flow(
        compliance.KIND, "劳动用工合规证明", permission=service.REVIEW_PERMISSION,
        approve_effect=compliance.issue_effect, reject_effect=compliance.refuse_effect,
        approve_label="出具证明", reject_label="不予出具", jurisdiction="squad", number_code="INSC",
        legal_days=20, promised_days=10, guide_text=_COMPLIANCE_GUIDE,
        detail_template="labor_inspection/_compliance_detail.html",
        extra={"review_notices": compliance.review_notices},
    )
    states = tuple(replace(s, editable=False, terminal=True) if s.code == "rejected" else s for s in kind.states)
    transitions = []
    for t in kind.transitions:
        if t.name == "resubmit":
            continue
        if t.name == "reject":  # one opinion box: the refusal's reason, or the 核实意见 when there are notices
            t = replace(t, opinion_label="审核意见")
        transitions.append(t)
    return replace(kind, states=states, transitions=tuple(transitions))


COMPLIANCE = register_kind(_compliance_kind())
