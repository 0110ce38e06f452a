"""The two 办件 kinds of 人员增减员: the platform's confirm shape (saved 未确认, confirmed many at once, 撤回 until
reviewed), relabelled with the issue's state names; approval writes the 参保登记 records in the transition's
transaction."""

from __future__ import annotations

from dataclasses import replace

from domains.personnel_change import service
from portal.workflow.kinds import MaterialSpec, MatterKind, confirm_flow, register_kind

PERMISSIONS = {service.REVIEW_PERMISSION: "人员增减员审核（本辖区单位的增员、减员申报）"}

_STATES = {"draft": "未确认", "submitted": "已确认（待审核）"}
_TRANSITIONS = {"confirm": "确认通过", "resubmit": "修改后重新确认"}

_GUIDE = ("单位为职工办理{what}：逐人申报（或批量报盘）后在“{list}”中勾选确认通过，提交本单位所属辖区社保经办机构审核；"
          "审核通过后参保登记即时变更，次月起月度核定按新的参保状态计算。经办机构审核前，已确认的申报可以撤回，回到未确认后修改、"
          "删除或重新确认。审核不通过的申报查看审核明细后修改并重新确认。"
          "{counter}承诺时限5个工作日。")

# What an approved change still needs at the counter (shown on its 详细 page, from the 办事指南).
_ENROL_COUNTER = "无需到窗口办理；调入人员的原参保关系在审核通过时自动终止。"
_WITHDRAW_COUNTER = "暂停、终止参保无需到窗口办理；在职转退休的人员，审核通过后须持退休审批表和身份证到参保地社保经办窗口办理养老待遇核定。"

LABELS = (("name", "姓名"), ("id_number", "身份证号", "id_number"), ("kinds_label", "异动类型"),
          ("insurances_label", "险种"), ("period", "结算期"))


def _batch_forms(name: str) -> dict:
    """确认通过 and 审核通过 of many at once are set-based (portal.workflow.batch)."""
    if name == "confirm":
        return {"guard_many": service.confirm_guard_many}
    if name == "approve":
        return {"effect_many": service.approve_many}
    return {}


def _kind(code: str, name: str, *, number_code: str, guide: str, counter: str) -> MatterKind:
    kind = confirm_flow(code, name, permission=service.REVIEW_PERMISSION, approve_effect=service.approve_effect,
                        extra={"counter": counter},
                        confirm_guard=service.confirm_guard, withdraw=True, batch_approve=True, number_code=number_code,
                        legal_days=10, promised_days=5, guide_text=guide,
                        detail_template="personnel_change/_matter_detail.html", payload_labels=LABELS,
                        materials=(MaterialSpec("proof", "相关证明材料（如劳动合同、退休审批表）", required=False),))
    return replace(
        kind,
        states=tuple(replace(s, label=_STATES.get(s.code, s.label)) for s in kind.states),
        transitions=tuple(
            replace(t, label=_TRANSITIONS.get(t.name, t.label), **_batch_forms(t.name),
                    effect=service.void_effect if t.name == "void" else t.effect)
            for t in kind.transitions),
    )


ENROL = register_kind(_kind(
    service.ENROL_KIND, "人员增员申报", number_code="PCE",
    guide=_GUIDE.format(what="增员（新参保、续保、调入）", list="增员确认", counter=_ENROL_COUNTER),
    counter=_ENROL_COUNTER,
))

WITHDRAW = register_kind(_kind(
    service.WITHDRAW_KIND, "人员减员申报", number_code="PCW",
    guide=_GUIDE.format(what="减员（暂停参保、终止参保、在职转退休）", list="减员确认", counter=_WITHDRAW_COUNTER),
    counter=_WITHDRAW_COUNTER,
))
