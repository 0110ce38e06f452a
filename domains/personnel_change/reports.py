"""人员增员/减员异动申报表 (PC-7): pick a 结算期, 生成报表 (saved and numbered, as the LC rosters), print or
download the PDF — issued once as a platform certificate (verification code, QR, /verify), then re-served unchanged."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from litestar.exceptions import NotFoundException

from domains.employer import service as employer_service
from domains.personnel_change import rules
from domains.personnel_change.tables import PcReport
from portal import audit
from portal.auth.principal import Principal
from portal.core import dictionary
from portal.dataservices.certificates import Fact, issue_certificate, load_document, revoke_certificate
from portal.dataservices.tables import Certificate, StoredDocument
from portal.db import fetch, write_transaction
from portal.refusal import Refused
from portal.values import yuan
from portal.workflow.deadlines import local_date
from portal.workflow.numbers import next_sequence

TITLES = {"enrol": "人员增员异动申报表", "withdraw": "人员减员异动申报表"}
CERTIFICATE_KINDS = {f"pc_{d}_report": t for d, t in TITLES.items()}
MAX_ROWS = 5000
COLUMNS = {
    "enrol": (("name", "姓名"), ("id_number", "身份证号"), ("kind", "异动类型"), ("insurance", "险种"),
              ("identity", "参保身份"), ("base", "缴费基数（元）"), ("period", "开始结算期"), ("state", "审核状态")),
    "withdraw": (("name", "姓名"), ("id_number", "身份证号"), ("kind", "异动类型"), ("insurance", "险种"),
                 ("reason", "减员原因"), ("period", "减员结算期"), ("state", "审核状态")),
}
# Confirmed changes only: 已确认（待审核） and 审核通过 (a 未确认 one is not yet declared). A saved report reads each
# row's state now: one taken back (撤回) or rejected since says so.
STATES = {"submitted": "待审核", "approved": "审核通过", "draft": "已撤回", "rejected": "审核不通过", "voided": "已删除"}


async def _rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in await fetch(sql, *args)]


async def candidates(principal: Principal, direction: str, period: int) -> list[dict[str, Any]]:
    """The employer's confirmed changes of the direction and 结算期, ordered by person and insurance."""
    return await _rows(
        "SELECT c.*, m.state FROM pc_change c JOIN matter m ON m.id = c.matter_id WHERE c.employer = {}"
        " AND c.direction = {} AND c.period = {} AND m.state IN ('submitted', 'approved')"
        f" ORDER BY c.name, c.id_number, c.id LIMIT {MAX_ROWS + 1}", principal.employer_id, direction, period)


async def save(principal: Principal, direction: str, period: int) -> dict[str, Any]:
    """生成报表: a number and the rows it lists, in one transaction; refused when nothing is confirmed."""
    if direction not in TITLES:
        raise Refused("请选择报表类型", "direction")
    async with write_transaction():
        rows = await candidates(principal, direction, period)
        if not rows:
            raise Refused(f"{rules.period_text(period)} 没有已确认的{'增员' if direction == 'enrol' else '减员'}申报", "period")
        if len(rows) > MAX_ROWS:
            raise Refused(f"一张申报表最多{MAX_ROWS}条，请联系经办机构", "period")
        today = local_date(datetime.now(UTC))
        code = "E" if direction == "enrol" else "W"
        sequence = await next_sequence(f"pc-report-{principal.employer_id}-{today:%Y%m%d}")
        number = f"PC{code}{today:%Y%m%d}{principal.employer_id:06d}{sequence:03d}"
        report = PcReport(employer=principal.employer_id, direction=direction, number=number, period=period,
                          change_ids=json.dumps([r["id"] for r in rows]), row_count=len(rows),
                          created_at=datetime.now(UTC), created_by=principal.audit_name[:100])
        await report.save()
    return await get_report(principal, report.id)


async def get_report(principal: Principal, report_id: int) -> dict[str, Any]:
    """A saved report of the signed-in employer with its rows (labels, 元); another employer's id answers 404."""
    if not principal.is_employer:
        raise NotFoundException("申报表不存在")
    report = await PcReport.select().where((PcReport.id == report_id) & (PcReport.employer == principal.employer_id)).first()
    if report is None:
        raise NotFoundException("申报表不存在")
    ids = json.loads(report["change_ids"] or "[]")
    found: dict[int, dict] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        for row in await _rows(
                "SELECT c.*, m.state FROM pc_change c JOIN matter m ON m.id = c.matter_id WHERE c.employer = {}"
                f" AND c.id IN ({', '.join('{}' for _ in chunk)})", principal.employer_id, *chunk):
            found[row["id"]] = row
    report["items"] = await display_rows([found[i] for i in ids if i in found])
    report["title"] = TITLES[report["direction"]]
    report["columns"] = COLUMNS[report["direction"]]
    report["totals"] = totals(report["items"])
    return report


async def display_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    identities = await dictionary.labels("insured_identity")
    reasons = await dictionary.labels("pc_withdraw_reason")
    return [{**r, "kind": rules.KIND_LABELS.get(r["kind"], r["kind"]), "insurance": rules.insurance_label(r["insurance"]),
             "identity": identities.get(r["identity"], r["identity"]), "base": yuan(r["base"]),
             "reason": reasons.get(r["reason"], r["reason"]), "period": rules.period_text(r["period"]),
             "state": STATES.get(r["state"], r["state"])} for r in rows]


def totals(items: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """合计: persons, then rows per kind and per insurance."""
    persons = len({i["id_number"] for i in items})
    lines = [("人数", str(persons)), ("险种人次", str(len(items)))]
    lines += [(k, str(n)) for k, n in Counter(i["kind"] for i in items).items()]
    lines += [(k, str(n)) for k, n in Counter(i["insurance"] for i in items).items()]
    return lines


async def list_reports(principal: Principal) -> list[dict[str, Any]]:
    rows = await PcReport.select(PcReport.id, PcReport.number, PcReport.direction, PcReport.period, PcReport.row_count,
                                 PcReport.created_at, PcReport.document_token).where(
        PcReport.employer == principal.employer_id).order_by(PcReport.id, ascending=False).limit(200)
    for r in rows:
        r["title"] = TITLES[r["direction"]]
        r["period_text"] = rules.period_text(r["period"])
    return rows


def _document(report: dict[str, Any], employer: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    meta = (("用人单位", employer["name"]), ("统一社会信用代码", employer["uscc"]), ("结算期", rules.period_text(report["period"])),
            ("申报表编号", report["number"]), ("生成日期", f"{local_date(report['created_at']):%Y-%m-%d}"))
    return "personnel_change/documents/report.html", {"columns": report["columns"], "rows": report["items"],
                                                       "meta": meta, "totals": report["totals"]}


async def pdf(principal: Principal, report_id: int, *, ip: str = "", base_url: str = "") -> tuple[bytes, str]:
    """The report's PDF, issued once as a certificate (first print), then the same bytes; every print audited."""
    report = await get_report(principal, report_id)
    name = f"{report['title']}-{report['number']}"
    await audit.record(category="data", action="pc.report_print", actor=principal, ip=ip, object_type="pc_report",
                       object_id=report_id, detail={"number": report["number"], "rows": report["row_count"]})
    scope = StoredDocument.owner_employer_id == principal.employer_id
    if report["document_token"]:
        _, data = await load_document(report["document_token"], scope)
        return data, name
    employer = await employer_service.get_employer(principal.employer_id)
    template, context = _document(report, employer)
    certificate = await issue_certificate(
        kind=f"pc_{report['direction']}_report", title=name, base_url=base_url, owner_employer_id=employer["id"],
        division_code=employer["division_code"], template=template, context=context,
        facts=[Fact("用人单位", employer["name"]), Fact("统一社会信用代码", employer["uscc"], "uscc"),
               Fact("申报表编号", report["number"]), Fact("结算期", rules.period_text(report["period"])),
               Fact("条数", str(report["row_count"]))])
    async with write_transaction():
        won = await PcReport.update({PcReport.document_token: certificate["document_token"]}).where(
            (PcReport.id == report_id) & (PcReport.document_token == "")).returning(PcReport.id)
    if not won:
        # printed at the same moment elsewhere: theirs stands; ours never circulated
        await revoke_certificate(certificate["code"], "同一申报表重复生成，以先生成的为准")
        current = await PcReport.select(PcReport.document_token).where(PcReport.id == report_id).first()
        _, data = await load_document(current["document_token"], scope)
        return data, name
    _, data = await load_document(certificate["document_token"], scope)
    return data, name


async def verification_code(report: dict[str, Any]) -> str:
    if not report.get("document_token"):
        return ""
    row = await Certificate.select(Certificate.code).where(Certificate.document_token == report["document_token"]).first()
    return row["code"] if row else ""
