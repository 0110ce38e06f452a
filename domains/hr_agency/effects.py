"""What an approval writes, inside the transition's transaction: numbers, the licence / filing row, the agency
record. The certificate PDF is rendered later, on first download (never while the write lock is held)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from domains.hr_agency import register, rules
from domains.hr_agency.numbers import issue_number
from domains.hr_agency.tables import Agency, AgencyChange, Branch, Licence, ServiceFiling
from portal.core import dictionary
from portal.filters import SHANGHAI
from portal.workflow.kinds import EffectContext


def today() -> date:
    return datetime.now(SHANGHAI).date()


async def _agency_from(ctx: EffectContext) -> dict:
    """The agency of the application; its record takes the approved values."""
    payload = ctx.matter["payload"]
    agency = await Agency.select().where(
        (Agency.id == payload["agency_id"]) & (Agency.employer == ctx.matter["employer"])
    ).first()
    if agency is None:
        raise LookupError("hr_agency: application without its agency")
    record = {k: payload[k] for k in rules.RECORD_KEYS if k in payload}
    await Agency.update({**record, Agency.updated_at: datetime.now(UTC)}).where(Agency.id == agency["id"])
    return agency


async def refresh_services(agency_id: int) -> None:
    """The agency's services for the 名录: those of its valid licence and filings, in dictionary order; then its
    名录 rows (and its branches'), since every caller has just changed a licence or filing."""
    codes: set[str] = set()
    for table in (Licence, ServiceFiling):
        for r in await table.select(table.services).where((table.agency == agency_id) & (table.status == "valid")):
            codes.update(json.loads(r["services"] or "[]"))
    entries = [e for e in await dictionary.entries("hra_service", include_disabled=True) if e.code in codes]
    await Agency.update({
        Agency.services: json.dumps([e.code for e in entries]), Agency.services_label: "、".join(e.label for e in entries),
    }).where(Agency.id == agency_id)
    await register.refresh([agency_id])


async def licence_approved(ctx: EffectContext) -> dict:
    """准予许可: 许可证编号 and 文号 from their sequences (issuing division = the matter's county)."""
    agency = await _agency_from(ctx)
    day = today()
    division = rules.issuing_division(ctx.matter["division_code"])
    licence_no = await issue_number("licence", division, day.year)
    doc_no = await issue_number("licence_doc", division, day.year)
    await Licence(
        agency=agency["id"], matter_id=ctx.matter["id"], licence_no=licence_no, doc_no=doc_no,
        division_code=ctx.matter["division_code"], services=json.dumps(ctx.matter["payload"].get("services", [])),
        issued_on=day, valid_until=rules.licence_valid_until(day), created_at=datetime.now(UTC),
    ).save()
    await refresh_services(agency["id"])
    return {"licence_no": licence_no, "doc_no": doc_no}


async def filing_approved(ctx: EffectContext) -> dict:
    """核查通过: the 备案编号."""
    agency = await _agency_from(ctx)
    day = today()
    filing_no = await issue_number("filing", rules.issuing_division(ctx.matter["division_code"]), day.year)
    await ServiceFiling(
        agency=agency["id"], matter_id=ctx.matter["id"], filing_no=filing_no, division_code=ctx.matter["division_code"],
        services=json.dumps(ctx.matter["payload"].get("services", [])), filed_on=day, created_at=datetime.now(UTC),
    ).save()
    await refresh_services(agency["id"])
    return {"filing_no": filing_no}


async def change_approved(ctx: EffectContext) -> dict:
    """准予变更: the agency record and the services of its licence / filings take the new values; each changed field
    is kept in its history. A certificate whose printed facts changed is withdrawn (/verify: 已注销) and the next
    download issues the new one."""
    from domains.hr_agency import certificates

    payload = ctx.matter["payload"]
    agency = await Agency.select().where(
        (Agency.id == payload["agency_id"]) & (Agency.employer == ctx.matter["employer"])).first()
    if agency is None:
        raise LookupError("hr_agency: change without its agency")
    at = datetime.now(UTC)

    async def history(field: str, before: str, after: str) -> None:
        await AgencyChange(agency=agency["id"], field=field, before=before, after=after, matter_id=ctx.matter["id"],
                           actor=ctx.principal.audit_name, at=at).save()

    changed = {}
    for key, (_, after) in payload.get("changes", {}).items():
        if key in rules.RECORD_KEYS and str(agency[key] or "") != after:
            changed[key] = after
            await history(key, str(agency[key] or ""), after)
    if changed:
        await Agency.update({**changed, Agency.updated_at: at}).where(Agency.id == agency["id"])
    labels = await dictionary.labels("hra_service")

    def names(codes: list[str]) -> str:
        return "、".join(labels.get(c, c) for c in codes)

    services_changed = []
    for target, (_, after) in payload.get("service_changes", {}).items():
        kind, _, raw_id = target.partition(":")
        table, number = (Licence, "licence_no") if kind == "licence" else (ServiceFiling, "filing_no")
        row = await table.select().where((table.id == int(raw_id)) & (table.agency == agency["id"])
                                         & (table.status == "valid")).first()
        if row is None or set(json.loads(row["services"] or "[]")) == set(after):
            continue  # ended (注销) or already so since the application
        await table.update({table.services: json.dumps(after)}).where(table.id == row["id"])
        await history(rules.SERVICE_FIELDS[kind][0], f"{row[number]}：{names(json.loads(row['services'] or '[]'))}",
                      f"{row[number]}：{names(after)}")
        services_changed.append(target)
    if services_changed:
        await refresh_services(agency["id"])
    elif changed:
        await register.refresh([agency["id"]])  # the 名录 shows the name, address and region
    reissued = await certificates.withdraw_outdated(agency["id"], changed, "事项变更，已换发新证", actor=ctx.principal,
                                                    services_changed=services_changed)
    return {"changed": sorted(changed), "services_changed": services_changed, "reissued": reissued}


async def _own_agency(ctx: EffectContext) -> dict:
    agency = await Agency.select().where(
        (Agency.id == ctx.matter["payload"]["agency_id"]) & (Agency.employer == ctx.matter["employer"])).first()
    if agency is None:
        raise LookupError("hr_agency: application without its agency")
    return agency


async def branch_approved(ctx: EffectContext) -> dict:
    """审核通过: the branch is registered under its parent (whose licence and filings it carries)."""
    agency = await _own_agency(ctx)
    p = ctx.matter["payload"]
    branch = Branch(agency=agency["id"], matter_id=ctx.matter["id"], name=p["name"], address=p["address"],
                    division_code=p["division_code"], leader=p["leader"], created_at=datetime.now(UTC))
    await branch.save()
    await register.refresh([agency["id"]])
    # What the branch carries from today (it follows the parent's registrations from now on: branches.py).
    carried = [r["licence_no"] for r in await Licence.select(Licence.licence_no).where(
        (Licence.agency == agency["id"]) & (Licence.status == "valid"))]
    carried += [r["filing_no"] for r in await ServiceFiling.select(ServiceFiling.filing_no).where(
        (ServiceFiling.agency == agency["id"]) & (ServiceFiling.status == "valid"))]
    return {"branch_id": branch.id, "carried": carried}


async def cancel_approved(ctx: EffectContext) -> dict:
    """已通过: the licence or filing the application names is 已注销 (and its electronic certificate revoked)."""
    from portal.dataservices.certificates import revoke_certificate

    agency = await _own_agency(ctx)
    kind, _, raw_id = ctx.matter["payload"]["target"].partition(":")
    table = Licence if kind == "licence" else ServiceFiling
    rows = await table.update({table.status: "revoked", table.revoked_on: today(),
                               table.revoke_reason: f"机构申请注销：{ctx.matter['payload'].get('reason', '')}"}).where(
        (table.id == int(raw_id)) & (table.agency == agency["id"]) & (table.status == "valid")
    ).returning(table.id, table.certificate_code)
    await refresh_services(agency["id"])
    if rows and rows[0]["certificate_code"]:
        what = "行政许可" if table is Licence else "业务备案"
        await revoke_certificate(rows[0]["certificate_code"], f"{what}已注销（机构申请注销）", actor=ctx.principal)
    return {"revoked": ctx.matter["payload"]["target"] if rows else ""}
