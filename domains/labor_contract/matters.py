"""The 办件 kind of labour-contract filing: one 办件 per contract filing (新订, 续订, 解除(终止))."""

from __future__ import annotations

from datetime import UTC, datetime

from domains.labor_contract import rules, service
from domains.labor_contract.tables import Contract
from portal.workflow.kinds import (
    EffectContext,
    MatterKind,
    State,
    Transition,
)

REVIEW_PERMISSION = "lc.review"
CONTRACT_KIND = rules.CONTRACT_KIND

# Declared to the platform by the Area (domains/labor_contract/area.py).
PERMISSIONS = {REVIEW_PERMISSION: "劳动合同备案审核"}

PAYLOAD_LABELS = (
    ("filing_kind_label", "备案类型"),
    ("worker_name", "姓名"),
    ("id_number_masked", "身份证号"),
    ("employment_form_label", "用工形式"),
    ("contract_type_label", "合同类别"),
    ("contract_number", "劳动合同编号"),
    ("start_date", "合同起始日期"),
    ("end_date", "合同结束日期"),
    ("probation_months", "试用期（月）"),
    ("post", "工作岗位"),
    ("workplace", "工作地点"),
    ("monthly_wage_yuan", "月工资（元）"),
    ("pay_day", "发工资日期"),
    ("work_hours_system_label", "工时制度"),
    ("termination_date", "解除(终止)时间"),
    ("termination_reason_label", "解除(终止)原因"),
    ("compensation_yuan", "经济补偿金（元）"),
)


def _now() -> datetime:
    return datetime.now(UTC)


async def _contract_of(matter_id: int) -> dict | None:
    return await Contract.select().where(Contract.matter_id == matter_id).first()


async def _resubmit_guard(matter: dict, principal) -> str | None:
    contract = await _contract_of(matter["id"])
    if contract is None:
        return "备案记录不存在"
    pending = await service.pending_filings(contract["id_number"], exclude_id=contract["id"],
                                            employer_id=matter["employer"])
    return rules.unreviewed_refusal(rules.blocking_pending(pending, contract["filing_kind"], contract["employer"]))


async def _confirmation_notices(principal, matter: dict) -> list[str]:
    """The 提交成功 page repeats the warning of a 新订 for someone employed elsewhere (issue 14 §15)."""
    contract = await _contract_of(matter["id"])
    warning = await service.new_filing_warning(principal, contract) if contract else None
    return [warning] if warning else []


async def _void_guard(matter: dict, principal) -> str | None:
    contract = await _contract_of(matter["id"])
    if contract is None:  # a 草稿 has no filing row yet (X-1a): deleting it is always allowed
        return None if matter["state"] == "draft" else "备案记录不存在"
    return rules.may_void(contract)


async def _on_approve(ctx: EffectContext) -> dict:
    contract = await _contract_of(ctx.matter["id"])
    if contract is None:  # a matter without its filing row (never created by this domain): nothing to update
        return {}
    own, previous = rules.approval_updates(contract)
    at = _now()
    await Contract.update({**own, "review_opinion": ctx.opinion, "reviewed_at": at, "updated_at": at}).where(
        Contract.id == contract["id"]
    )
    if contract["previous"] is not None:
        await Contract.update({**previous, "updated_at": at}).where(Contract.id == contract["previous"])
    await service.tell_worker(contract)
    return {"review_state": "approved"}


async def _on_reject(ctx: EffectContext) -> dict:
    at = _now()
    await Contract.update(
        {"review_state": "rejected", "review_opinion": ctx.opinion, "reviewed_at": at, "updated_at": at}
    ).where(Contract.matter_id == ctx.matter["id"])
    return {"review_state": "rejected"}


async def _on_return(ctx: EffectContext) -> dict:
    """退回补正 (X-1b): the reviewer lists every problem; the employer corrects and resubmits (the clock restarts)."""
    at = _now()
    await Contract.update(
        {"review_state": "returned", "review_opinion": ctx.opinion, "reviewed_at": at, "updated_at": at}
    ).where(Contract.matter_id == ctx.matter["id"])
    return {"review_state": "returned"}


async def _on_resubmit(ctx: EffectContext) -> None:
    await Contract.update({"review_state": "pending", "review_opinion": "", "updated_at": _now()}).where(
        Contract.matter_id == ctx.matter["id"]
    )


async def _on_void(ctx: EffectContext) -> None:
    await Contract.update({"state": "void", "updated_at": _now()}).where(Contract.matter_id == ctx.matter["id"])


CONTRACT_FILING = MatterKind(
    code=CONTRACT_KIND,
    name="劳动合同备案",
    number_code="LC",
    states=(
        State("draft", "草稿", editable=True, tone="neutral"),
        State("submitted", "未审核", tone="info", clock_running=True),
        State("rejected", "审核不通过", editable=True, tone="danger"),
        State("returned", "退回补正", editable=True, tone="warning"),
        State("approved", "审核通过", terminal=True, tone="success"),
        State("voided", "已作废", terminal=True, tone="neutral"),
    ),
    transitions=(
        Transition("submit", "提交", ("draft",), "submitted", "applicant", starts_clock=True),
        Transition("resubmit", "修改后重新提交", ("rejected", "returned"), "submitted", "applicant",
                   guard=_resubmit_guard, effect=_on_resubmit, starts_clock=True),
        Transition("void", "申报作废", ("draft", "submitted", "rejected", "returned"), "voided", "applicant",
                   guard=_void_guard, effect=_on_void, batch=True, tone="danger"),
        Transition("approve", "审核通过", ("submitted",), "approved", "staff", permission=REVIEW_PERMISSION,
                   effect=_on_approve, stage="review", batch=True, opinion_label="审核意见"),
        Transition("reject", "审核不通过", ("submitted",), "rejected", "staff", permission=REVIEW_PERMISSION,
                   requires_opinion=True, opinion_label="审核意见", effect=_on_reject, stage="review",
                   tone="danger"),
        Transition("return", "退回补正", ("submitted",), "returned", "staff", permission=REVIEW_PERMISSION,
                   requires_opinion=True, opinion_label="补正内容（逐条列明）", effect=_on_return, stage="review",
                   tone="secondary"),
    ),
    jurisdiction="agency",
    batch_approve=True,
    legal_days=15,
    promised_days=5,
    guide_text=(
        "用人单位与劳动者订立、续订、解除或终止劳动合同后，在网上办事大厅办理劳动用工备案。"
        "劳动者第一次进入劳动用工备案系统必须以新订的形式进入；续订须以新订审核通过并生成过新签备案名册的合同为前提；"
        "解除(终止)须以完成新订或续订流程的合同为前提。审核由单位选择的送审机构办理。"
    ),
    payload_labels=PAYLOAD_LABELS,
    detail_template="labor_contract/_matter_detail.html",
    extra={"confirmation_notices": _confirmation_notices},
)

