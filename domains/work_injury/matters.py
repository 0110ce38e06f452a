"""The 办件 kind of 工伤快报 (WI-2): the platform's confirm shape with the manual's state names.

未确认 (editable, 修改/删除) → 确认提交 (many at once) → 已提交（待审核） → 审核通过, or 退回 with an opinion; a
returned report is editable again and confirmed again. Until the reviewer decides, the employer may 撤回 an 已提交
report back to 未确认 (the platform's withdraw step of the confirm shape). Routed by the employer's division to staff holding
`wi.review` there."""

from __future__ import annotations

from dataclasses import replace

from domains.work_injury import flags
from portal.workflow.kinds import EffectContext, MatterKind, confirm_flow, register_kind

REVIEW = "wi.review"
QUERY = "wi.query"
PERMISSIONS = {REVIEW: "工伤快报审核", QUERY: "工伤保险单位证明（辖区内查询与打印）"}


async def _keep_opinion(ctx: EffectContext) -> None:
    from domains.work_injury.tables import WiAccident

    await WiAccident.update({WiAccident.review_opinion: ctx.opinion[:2000]}).where(
        WiAccident.matter_id == ctx.matter["id"])


_STATES = {"draft": "未确认", "submitted": "已提交（待审核）", "rejected": "退回", "approved": "审核通过"}


def _quick_report() -> MatterKind:
    kind = confirm_flow(
        "wi_quick_report", "工伤快报", permission=REVIEW, approve_effect=_keep_opinion, reject_effect=_keep_opinion,
        withdraw=True,  # 撤回: 已提交 back to 未确认 until the reviewer accepts or returns it
        number_code="WIQ", legal_days=5, promised_days=3, edit_route="wi_edit",
        detail_template="work_injury/_matter_detail.html", queue_flags=flags.queue_flags,
        extra={"review_notices": flags.review_notices},
        guide_text=("职工发生事故伤害后，用人单位通过“工伤快报”上报事故和工伤人员，确认提交后由所在地社会保险行政部门工伤"
                    "科室审核。依据《工伤保险条例》第十七条，用人单位应自事故伤害发生之日起30日内提出工伤认定申请；"
                    "工伤快报不代替工伤认定申请。"),
        payload_labels=(("occurred", "事故发生时间"), ("place", "事故发生地点"), ("persons", "工伤人员")),
    )
    transitions = []
    for t in kind.transitions:
        if t.name == "resubmit":
            continue  # a returned report is confirmed like a new one, many at once
        if t.name == "confirm":
            t = replace(t, from_states=("draft", "rejected"))
        if t.name == "reject":
            t = replace(t, label="退回", opinion_label="退回意见")
        if t.name == "approve":
            t = replace(t, opinion_label="审核意见")
        transitions.append(t)
    return replace(kind, transitions=tuple(transitions),
                   states=tuple(replace(s, label=_STATES.get(s.code, s.label)) for s in kind.states))


QUICK_REPORT = register_kind(_quick_report())
KINDS = [QUICK_REPORT]
