"""Batch templates of the guide (1.7 新订/续订, 1.8 解除/终止): column specs, per-row rules and the writers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from domains.labor_contract import rules, service
from portal.auth.principal import Principal
from portal.dataservices.imports import Chunked, Importer, ImportSteps, WholeFile
from portal.dataservices.spreadsheets import RowResult, SheetColumn, SheetSpec
from portal.dataservices.staging import Batch

KIND_LABELS = {"新订": "new", "续订": "renew"}

NEW_RENEW = SheetSpec(
    name="lc_new_renew",
    title="合同新订(续订)备案批量模板",
    columns=(
        SheetColumn("filing_kind", "备案类型", "choice", choices=tuple(KIND_LABELS), width=10,
                    help="新订：劳动者第一次在本单位备案；续订：已审核通过并生成过新签备案名册的合同到期续签",
                    example="新订"),
        SheetColumn("worker_name", "姓名", max_len=20, width=12, example="马五"),
        SheetColumn("id_number", "证件号码", "id_number", width=22, help="18位居民身份证号码，请设为文本格式",
                    example="630101199501010072"),
        SheetColumn("employment_form", "用工形式", "choice", category="employment_form", width=14),
        SheetColumn("contract_type", "合同类别", "choice", category="contract_type", width=20),
        SheetColumn("contract_template", "使用合同模板", "choice", choices=tuple(rules.TEMPLATE_LABELS.values()),
                    width=26, help="使用劳动合同范本（备案试运行文本）的，必须填写劳动合同编号"),
        SheetColumn("contract_number", "劳动合同编号", required=False, max_len=60, width=18),
        SheetColumn("start_date", "合同起始日期", "date", width=14, example="2020-03-06"),
        SheetColumn("end_date", "合同结束日期", "date", required=False, width=14,
                    help="固定期限合同必填；无固定期限合同不填"),
        SheetColumn("probation_months", "试用期（月）", "int", required=False, width=10, help="不超过6个月；没有试用期不填"),
        SheetColumn("post", "工作岗位", max_len=60, width=14),
        SheetColumn("workplace", "工作地点", max_len=200, width=20),
        SheetColumn("monthly_wage", "月工资（元）", "money", width=12),
        SheetColumn("pay_day", "发工资日期", "int", width=10, help="填写每月的几号，例如每月4号填写4"),
        SheetColumn("work_hours_system", "工时制度", "choice", category="work_hours_system", width=18),
    ),
    instructions=(
        "劳动者信息第一次进入劳动用工备案系统，一定要以新订的形式进入，否则无法录入。",
        "新签、续签最好分两个模板分别上传。",
        "续订只能针对新订或续订审核通过并且已生成过名册的合同。",
        "同一人存在未审核的备案信息时（包括在其他单位），本行不能上传，请等待审核后再上传。",
        "带红色表头的列为必填项；日期格式为yyyy-mm-dd；身份证号请设置为文本格式。",
    ),
    unique=(("id_number",),),
)

TERMINATE = SheetSpec(
    name="lc_terminate",
    title="合同解除(终止)备案批量模板",
    columns=(
        SheetColumn("worker_name", "姓名", help="10个汉字以内", width=14, example="马五"),
        SheetColumn("id_number", "身份证号码", "id_number", help="18位准确的身份证号码", width=22,
                    example="630101199501010072"),
        SheetColumn("termination_date", "终止或解除时间", "date", help="格式：yyyy-mm-dd", width=16, example="2019-07-01"),
        SheetColumn("termination_reason", "终止或解除原因", "choice", category="termination_reason", help="选择",
                    width=30, example="职工个人原因"),
    ),
    instructions=(
        "姓名：10个汉字以内；身份证号码：18位准确的身份证号码；终止或解除时间：格式yyyy-mm-dd；终止或解除原因：从下拉列表选择。",
        "失败原因：不需填写，由系统在失败数据中给出。",
        "只有完成过新订或续订流程（审核通过并已生成名册）的合同才能解除(终止)。",
    ),
    unique=(("id_number",),),
)


def _contract_values(data: dict[str, Any]) -> dict[str, Any]:
    template = {v: k for k, v in rules.TEMPLATE_LABELS.items()}.get(data.get("contract_template") or "", "own")
    return {**data, "contract_template": template, "probation_months": data.get("probation_months") or 0}


def new_renew_reasons(data: dict[str, Any], pending: Sequence[rules.PendingFiling],
                      current: dict[str, Any] | None, employer_id: int | None = None) -> list[str]:
    """The domain's rules for one 新订/续订 row (after the generic type checks passed), given the person's
    unreviewed filings anywhere and their current contract with this employer (`employer_id`)."""
    data = _contract_values(data)
    kind = KIND_LABELS[data["filing_kind"]]
    reasons = list(rules.contract_field_errors(data).values())
    if reason := rules.unreviewed_refusal(rules.blocking_pending(pending, kind, employer_id)):
        return [reason, *reasons]
    if kind == "new":
        if reason := rules.new_filing_refusal(current is not None):
            reasons.append(reason)
    elif reason := rules.first_filing_refusal(kind, current is not None):
        reasons.append(reason)
    elif reason := rules.may_renew(current):
        reasons.append(reason)
    else:
        if current["worker_name"] != data["worker_name"]:
            reasons.append("姓名与本单位备案信息不一致")
        if reason := rules.renewal_start_error(current["start_date"], current["end_date"], data.get("start_date")):
            reasons.append(reason)
    return reasons


def _whole_file(principal: Principal, reasons: Callable[..., list[str]]) -> WholeFile:
    """Whole-file check for start_import: two queries per 500 rows (pending filings, current contracts), then
    `reasons(data, pending, current, employer_id)` per row. The current contract stays on the row
    (`data["_current"]`) for the writer, which so needs no second lookup."""

    async def check(rows: list[RowResult]) -> None:
        ids = [row.data["id_number"] for row in rows]
        pending = await service.pending_filings_many(ids, employer_id=principal.employer_id)
        current = await service.current_contracts(principal.employer_id, ids)
        await _add_renewed_starts(current)
        for i, row in enumerate(rows):
            if i % 500 == 499:
                await asyncio.sleep(0)  # other requests run between chunks of a 50,000-row file
            number = row.data["id_number"]
            row.data["_current"] = current.get(number)
            row.reasons.extend(reasons(row.data, pending.get(number, []), current.get(number), principal.employer_id))

    return WholeFile(check)


async def _add_renewed_starts(current: dict[str, dict[str, Any]]) -> None:
    """`renewed_start` on each current renewal: the start of the contract it renews (termination dates, §14);
    one query for the whole file."""
    wanted = {c["previous"] for c in current.values() if c.get("previous")}
    starts = await service.start_dates(wanted) if wanted else {}
    for c in current.values():
        c["renewed_start"] = starts.get(c.get("previous"))


def new_renew_check(principal: Principal) -> WholeFile:
    reasons = _whole_file(principal, new_renew_reasons).check

    async def check(rows: list[RowResult]) -> None:
        await reasons(rows)
        # A 新订 for someone still employed elsewhere is accepted with the single form's warning (劳动合同法 91).
        new = [row for row in rows if row.ok and KIND_LABELS[row.data["filing_kind"]] == "new"]
        elsewhere = await service.employers_with_current_contract_many(
            [row.data["id_number"] for row in new], principal.employer_id) if new else {}
        for row in new:
            if warning := rules.current_elsewhere_warning(elsewhere.get(row.data["id_number"], [])):
                row.warnings.append(warning)

    return WholeFile(check)


CHANGED = "本行对应的合同在上传期间已发生变化，请核对后重新上传"


def _stage(principal: Principal, reasons: Callable[..., list[str]]):
    """The chunk step of both writers, inside the chunk's short transaction: the persons locked (PostgreSQL;
    SQLite's writer is held), the chunk's rows checked again against what is committed now — a filing made for
    one of them since the whole-file check, or another import's hidden chunk, refuses the row — then the rest
    written hidden. A 续订/解除 whose current contract is no longer the one planned is refused too."""
    check = _whole_file(principal, reasons).check

    async def stage(batch: Batch, rows: list[RowResult], plan: service.FilingPlan) -> None:
        planned = [(row.data.get("_current") or {}).get("id") for row in rows]
        await service.lock_persons([row.data["id_number"] for row in rows])
        await check(rows)
        for row, previous in zip(rows, planned, strict=True):
            if row.ok and (row.data.get("_current") or {}).get("id") != previous:
                row.reasons.append(CHANGED)
        keep = [i for i, row in enumerate(rows) if row.ok]
        await service.write_filings(plan.subset(keep), batch)

    return stage


def new_renew_writer(principal: Principal, ip: str = "") -> Chunked:
    """All valid rows or none, in hidden chunks published together: each becomes a filing with its 办件 (built
    before the chunk's transaction, inserted in it); a 续订 renews the contract the check found."""

    async def prepare(rows: list[RowResult]) -> service.FilingPlan:
        filings = []
        for row in rows:
            data, kind = _contract_values(row.data), KIND_LABELS[row.data["filing_kind"]]
            if kind == "renew":
                data["previous"] = row.data["_current"]["id"]
            filings.append((data, kind))
        return await service.plan_filings(principal, filings, ip=ip)

    return Chunked(prepare, _stage(principal, new_renew_reasons))


def terminate_reasons(data: dict[str, Any], pending: Sequence[rules.PendingFiling],
                      current: dict[str, Any] | None, today: date, employer_id: int | None = None) -> list[str]:
    """The domain's rules for one 解除/终止 row, given the same lookups as new_renew_reasons."""
    reasons = [r for r in [rules.worker_name_error(data["worker_name"])] if r]
    if reason := rules.unreviewed_refusal(rules.blocking_pending(pending, "terminate", employer_id)):
        return [reason, *reasons]
    if reason := rules.first_filing_refusal("terminate", current is not None):
        return [*reasons, reason]
    if reason := rules.may_terminate(current):
        reasons.append(reason)
    if current["worker_name"] != data["worker_name"]:
        reasons.append("姓名与本单位备案信息不一致")
    earliest = rules.termination_earliest(current["start_date"], current.get("renewed_start"), today)
    if reason := rules.termination_date_refusal(earliest, data["termination_date"], today):
        reasons.append(reason)
    return reasons


def _terminate_reasons_on(today: date) -> Callable[..., list[str]]:
    return lambda data, pending, current, employer_id: terminate_reasons(data, pending, current, today, employer_id)


def terminate_check(principal: Principal, today: date) -> WholeFile:
    return _whole_file(principal, _terminate_reasons_on(today))


def terminate_writer(principal: Principal, ip: str = "", today: date | None = None) -> Chunked:
    """Each valid row ends the contract the check found (`data["_current"]`)."""
    today = today or service.today_local()

    async def prepare(rows: list[RowResult]) -> service.FilingPlan:
        return await service.plan_filings(principal, [
            (service.termination_values(row.data["_current"], {**row.data, "compensation": None}), "terminate")
            for row in rows
        ], ip=ip)

    return Chunked(prepare, _stage(principal, _terminate_reasons_on(today)))


# The batch imports (LC-6, LC-7) as jobs: a worker rebuilds the writer and checks for the uploading employer.
NEW_RENEW_IMPORT = Importer("lc_new_renew", NEW_RENEW, lambda principal, ip: ImportSteps(
    new_renew_writer(principal, ip), row_check=new_renew_check(principal)))


def _terminate_steps(principal: Principal, ip: str) -> ImportSteps:
    today = service.today_local()  # one day for the whole-file check and each chunk's second check
    return ImportSteps(terminate_writer(principal, ip, today), row_check=terminate_check(principal, today))


TERMINATE_IMPORT = Importer("lc_terminate", TERMINATE, _terminate_steps)
