"""Use-cases of the agency side, each in one write_transaction, scoped by the signed-in legal person
(principal.employer_id); other domains may call the functions below, nothing else of this package."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from domains.employer import service as employers
from domains.hr_agency import rules
from domains.hr_agency.matters import BRANCH, CANCEL, CHANGE, FILING, KIND_CODES, LICENCE
from domains.hr_agency.tables import Agency, Licence, ServiceFiling
from portal.auth.principal import Principal
from portal.core import dictionary
from portal.db import lock_values, write_transaction
from portal.refusal import Refused
from portal.workflow import engine as workflow
from portal.workflow.kinds import get_kind
from portal.workflow.tables import Matter


def _now() -> datetime:
    return datetime.now(UTC)


async def agency_of(employer_id: int | None) -> dict[str, Any] | None:
    if employer_id is None:
        return None
    return await Agency.select().where((Agency.employer == employer_id) & (Agency.status != "deleted")).first()


async def locked_agency_of(employer_id: int | None) -> dict[str, Any] | None:
    """agency_of() inside a write_transaction, read again once its USCC's lock is held: 机构管理's 解除关联 takes that
    lock too, so an application cannot be created for the record between its check for matters under way and its
    write (the application then finds no record)."""
    agency = await agency_of(employer_id)
    if agency is None or not agency["uscc"]:
        return agency
    await lock_identifiers([agency["uscc"]])
    return await agency_of(employer_id)


async def lock_identifiers(values: list[str]) -> None:
    """Inside a write_transaction, before checking that these USCCs / 许可证编号 / 备案编号 are free (an online first
    application, 机构管理 add, 历史数据采集 ③). One USCC is one live agency but not one row (deleted rows keep theirs),
    so no UNIQUE index can say it; 256 shared slots keep a 10,000-row history import within PostgreSQL's lock table."""
    await lock_values(values, namespace="hra_agency", slots=256)


async def live_agency_exists(uscc: str) -> bool:
    """Whether an agency record that is not deleted holds this USCC (call under lock_identifiers)."""
    return await Agency.exists().where((Agency.uscc == uscc) & (Agency.status != "deleted"))


async def service_options() -> tuple[list[tuple[str, str]], set[str]]:
    """(code, label) of every service, and the codes that need a licence (职业中介活动)."""
    entries = await dictionary.entries("hra_service")
    licensed = {e.code for e in entries if json.loads(e.extra or "{}").get("licensed")}
    return [(e.code, e.label) for e in entries], licensed


async def check_services(kind: str, services: list[str]) -> str | None:
    options, licensed = await service_options()
    return rules.services_refusal(kind, services, licensed, {c for c, _ in options})


async def account_uscc(employer_id: int | None) -> str:
    """The signed-in legal person's 统一社会信用代码: an agency's USCC always comes from its account."""
    employer = await employers.get_employer(employer_id) if employer_id is not None else None
    return employer["uscc"] if employer else ""


async def _payload(principal: Principal, cleaned: dict[str, Any], services: list[str], agency_id: int) -> dict:
    labels = dict((await service_options())[0])
    return {
        **{k: cleaned[k] for k in rules.RECORD_KEYS}, "uscc": await account_uscc(principal.employer_id),
        "agency_id": agency_id, "services": services,
        "services_label": "、".join(labels.get(s, s) for s in services),
        "division_label": await dictionary.label("division", cleaned["division_code"]),
        "agency_type_label": await dictionary.label("hra_agency_type", cleaned["agency_type"]),
    }


async def open_applications(employer_id: int) -> list[dict[str, Any]]:
    """The account's agency applications still under way (a draft, or not yet decided: the kind's state is not
    terminal), newest first: id, number, kind."""
    rows = await Matter.select(Matter.id, Matter.number, Matter.kind, Matter.state).where(
        (Matter.employer == employer_id) & Matter.kind.is_in(list(KIND_CODES))
    ).order_by(Matter.id, ascending=False)
    return [r for r in rows if not get_kind(r["kind"]).state(r["state"]).terminal]


async def open_kinds(agency_id: int, employer_id: int) -> list[str]:
    """Kinds with an application still under way (not ended) for this agency."""
    return [r["kind"] for r in await open_applications(employer_id)]


async def valid_licence(agency_id: int) -> dict[str, Any] | None:
    """The agency's licence in force: status valid (注销 and 注销单位行政许可 revoke it; none lapses by date here)."""
    return await Licence.select().where((Licence.agency == agency_id) & (Licence.status == "valid")).order_by(
        Licence.id, ascending=False).first()


async def has_valid_licence(agency_id: int) -> bool:
    return await valid_licence(agency_id) is not None


async def licence_standing(employer_id: int, agency: dict[str, Any] | None) -> dict[str, Any]:
    """What 机构概况 shows instead of 申请行政许可 when apply() would refuse one: the valid licence, or the licence
    application under way (the same two checks as apply(), so the page never offers what the server refuses)."""
    licence = await valid_licence(agency["id"]) if agency else None
    pending = next((m for m in await open_applications(employer_id) if m["kind"] == LICENCE.code), None)
    if pending:
        pending["state_label"] = LICENCE.state_label(pending["state"])
    return {"licence": licence, "pending": pending}


async def apply(principal: Principal, kind: str, cleaned: dict[str, Any], services: list[str], *,
                ip: str = "") -> dict[str, Any]:
    """申请行政许可 / 业务备案: the agency record (created on the first application) and a draft 办件; the
    materials are uploaded and the application submitted on the matter's page."""
    refusal = await check_services(kind, services)
    if refusal:
        raise Refused(refusal, "services")
    async with write_transaction():
        agency = await locked_agency_of(principal.employer_id)
        if agency is None:
            at, uscc = _now(), await account_uscc(principal.employer_id)
            # the lock 机构管理 add and 历史数据采集 ③ take: neither can enter this USCC between the check and the insert
            await lock_identifiers([uscc])
            if uscc and await live_agency_exists(uscc):
                raise Refused(rules.RECORD_EXISTS, "uscc")
            row = Agency(employer=principal.employer_id, uscc=uscc, source="online", status="active",
                         created_at=at, updated_at=at, **{k: cleaned[k] for k in rules.RECORD_KEYS})
            await row.save()
            agency = {"id": row.id}
        refusal = rules.open_application_refusal(await open_kinds(agency["id"], principal.employer_id), kind)
        if refusal is None and kind == "hra_licence":
            refusal = rules.licence_refusal(await has_valid_licence(agency["id"]))
        if refusal:
            raise Refused(refusal)
        payload = await _payload(principal, cleaned, services, agency["id"])
        return await workflow.create_matter(
            principal, kind, payload=payload, title=f"{get_kind(kind).name}：{cleaned['name']}",
            division_code=cleaned["division_code"], ip=ip,
        )


async def edit(principal: Principal, matter_id: int, cleaned: dict[str, Any], services: list[str], *,
               expected_version: int) -> dict[str, Any]:
    """修改: a draft or a returned (退回) application; the engine refuses any other state and other tenants."""
    matter = await workflow.get_matter_for(principal, matter_id)
    if matter["kind"] not in (LICENCE.code, FILING.code):
        raise workflow.WorkflowError("该办件不是行政许可或业务备案申请")
    refusal = await check_services(matter["kind"], services)
    if refusal:
        raise Refused(refusal, "services")
    payload = await _payload(principal, cleaned, services, matter["payload"]["agency_id"])
    return await workflow.update_payload(principal, matter_id, expected_version=expected_version, payload=payload,
                                         title=f"{get_kind(matter['kind']).name}：{cleaned['name']}")


async def licences_of(employer_id: int) -> list[dict[str, Any]]:
    agency = await agency_of(employer_id)
    if agency is None:
        return []
    return await Licence.select().where(Licence.agency == agency["id"]).order_by(Licence.id, ascending=False)


async def filings_of(employer_id: int) -> list[dict[str, Any]]:
    agency = await agency_of(employer_id)
    if agency is None:
        return []
    return await ServiceFiling.select().where(ServiceFiling.agency == agency["id"]).order_by(
        ServiceFiling.id, ascending=False)


async def applications_of(employer_id: int) -> list[dict[str, Any]]:
    rows = await Matter.select(Matter.id, Matter.number, Matter.kind, Matter.state, Matter.title, Matter.created_at,
                               Matter.result).where(
        (Matter.employer == employer_id) & Matter.kind.is_in(list(KIND_CODES))
    ).order_by(Matter.id, ascending=False)
    for r in rows:
        kind = get_kind(r["kind"])
        r["kind_name"], r["state_label"] = kind.name, kind.state_label(r["state"])
    return rows


async def held_registrations(agency_id: int) -> dict[str, dict[str, Any]]:
    """The agency's valid licence and filings by target ("licence:ID" / "filing:ID"): kind, number, services."""
    out: dict[str, dict[str, Any]] = {}
    for kind, table, number in (("licence", Licence, Licence.licence_no), ("filing", ServiceFiling,
                                                                          ServiceFiling.filing_no)):
        for r in await table.select(table.id, number, table.services).where(
                (table.agency == agency_id) & (table.status == "valid")).order_by(table.id):
            out[f"{kind}:{r['id']}"] = {"kind": kind, "no": r[number._meta.name],
                                        "services": json.loads(r["services"] or "[]")}
    return out


async def _change_payload(agency: dict[str, Any], cleaned: dict[str, Any],
                          services: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """The record's changed fields and, for 其他, the changed services of each valid licence or filing (each list
    checked as its application would be)."""
    changes = rules.record_changes(agency, cleaned)
    held = await held_registrations(agency["id"])
    service_changes = rules.service_changes({t: r["services"] for t, r in held.items()}, services or {})
    for target, (_, after) in service_changes.items():
        kind = held[target]["kind"]
        refusal = await check_services(f"hra_{kind}", after)
        if refusal:
            raise Refused(f"{rules.SERVICE_FIELDS[kind][1]}（{held[target]['no']}）：{refusal}")
    if not changes and not service_changes:
        raise Refused("没有修改任何事项，无需申请变更")
    labels = {"division_code": await dictionary.labels("division"),
              "agency_type": await dictionary.labels("hra_agency_type")}
    label = "；".join(filter(None, [
        rules.changes_label(changes, labels),
        rules.services_change_label(service_changes, {t: r["no"] for t, r in held.items()},
                                    await dictionary.labels("hra_service"))]))
    # Every key is always written: a corrected application replaces (update_payload merges) the earlier one.
    return {"agency_id": agency["id"], "agency_name": agency["name"], "changes": changes,
            "service_changes": service_changes, "changes_label": label, "reason": cleaned["reason"]}


async def apply_change(principal: Principal, cleaned: dict[str, Any], services: dict[str, list[str]] | None = None,
                       *, ip: str = "") -> dict[str, Any]:
    """事项变更: only an agency holding a valid licence or filing; one change under way at a time."""
    async with write_transaction():
        agency = await locked_agency_of(principal.employer_id)
        if agency is None or not await _holds_registration(agency["id"]):
            raise Refused("本机构尚无有效的行政许可或业务备案，无需办理事项变更")
        refusal = rules.open_application_refusal(await open_kinds(agency["id"], principal.employer_id), CHANGE.code)
        if refusal:
            raise Refused(refusal)
        payload = await _change_payload(agency, cleaned, services)
        return await workflow.create_matter(principal, CHANGE, payload=payload,
                                            title=f"{CHANGE.name}：{agency['name']}",
                                            division_code=agency["division_code"], ip=ip)


async def edit_change(principal: Principal, matter_id: int, cleaned: dict[str, Any],
                      services: dict[str, list[str]] | None = None, *, expected_version: int) -> dict[str, Any]:
    _, agency = await _own_application(principal, matter_id, CHANGE.code)
    payload = await _change_payload(agency, cleaned, services)
    return await workflow.update_payload(principal, matter_id, expected_version=expected_version, payload=payload)


async def _branch_payload(agency: dict[str, Any], cleaned: dict[str, Any]) -> dict[str, Any]:
    return {"agency_id": agency["id"], "agency_name": agency["name"], **cleaned,
            "division_label": await dictionary.label("division", cleaned["division_code"])}


async def report_branch(principal: Principal, cleaned: dict[str, Any], *, ip: str = "") -> dict[str, Any]:
    """设立分支机构报告: the parent must hold a valid licence or filing (the branch carries them)."""
    async with write_transaction():
        agency = await locked_agency_of(principal.employer_id)
        if agency is None or not await _holds_registration(agency["id"]):
            raise Refused("本机构尚无有效的行政许可或业务备案，不能报告设立分支机构")
        return await workflow.create_matter(principal, BRANCH, payload=await _branch_payload(agency, cleaned),
                                            title=f"{BRANCH.name}：{cleaned['name']}",
                                            division_code=agency["division_code"], ip=ip)


async def _own_application(principal: Principal, matter_id: int, kind: str) -> tuple[dict, dict]:
    """The matter (of this kind) and the agency it was filed for; the engine answers 404 for another tenant's."""
    matter = await workflow.get_matter_for(principal, matter_id)
    agency = await agency_of(principal.employer_id)
    if matter["kind"] != kind or agency is None or agency["id"] != matter["payload"].get("agency_id"):
        raise workflow.WorkflowError("该办件不是本机构的此类申请")
    return matter, agency


async def edit_branch(principal: Principal, matter_id: int, cleaned: dict[str, Any], *,
                      expected_version: int) -> dict[str, Any]:
    """修改 a draft or returned (退回) 设立分支机构报告; a 不通过 one is closed (the engine refuses it)."""
    _, agency = await _own_application(principal, matter_id, BRANCH.code)
    return await workflow.update_payload(principal, matter_id, expected_version=expected_version,
                                         payload=await _branch_payload(agency, cleaned),
                                         title=f"{BRANCH.name}：{cleaned['name']}")


async def _holds_registration(agency_id: int) -> bool:
    return await has_valid_licence(agency_id) or await ServiceFiling.exists().where(
        (ServiceFiling.agency == agency_id) & (ServiceFiling.status == "valid"))


async def registrations(employer_id: int) -> list[tuple[str, str]]:
    """(target, label) of the agency's valid licence and filings: what a 注销 application may name."""
    out = [(f"licence:{r['id']}", f"行政许可 {r['licence_no']}") for r in await licences_of(employer_id)
           if r["status"] == "valid"]
    out += [(f"filing:{r['id']}", f"业务备案 {r['filing_no']}") for r in await filings_of(employer_id)
            if r["status"] == "valid"]
    return out


async def _cancel_payload(principal: Principal, agency: dict[str, Any], target: str, reason: str) -> dict:
    options = dict(await registrations(principal.employer_id))
    if target not in options:
        raise Refused("请从列表中选择要注销的行政许可或业务备案", "target")
    reason = reason.strip()
    if not reason or len(reason) > 500:
        raise Refused("请填写注销原因（不超过500字）", "reason")
    return {"agency_id": agency["id"], "agency_name": agency["name"], "target": target,
            "target_label": options[target], "reason": reason}


async def apply_cancel(principal: Principal, target: str, reason: str, *, ip: str = "") -> dict[str, Any]:
    """注销申请: names one valid licence or filing of this agency; one 注销 under way at a time."""
    async with write_transaction():
        agency = await locked_agency_of(principal.employer_id)
        if agency is None:
            raise Refused("请从列表中选择要注销的行政许可或业务备案", "target")
        payload = await _cancel_payload(principal, agency, target, reason)
        refusal = rules.open_application_refusal(await open_kinds(agency["id"], principal.employer_id), CANCEL.code)
        if refusal:
            raise Refused(refusal)
        return await workflow.create_matter(principal, CANCEL, payload=payload,
                                            title=f"{CANCEL.name}：{payload['target_label']}",
                                            division_code=agency["division_code"], ip=ip)


async def edit_cancel(principal: Principal, matter_id: int, target: str, reason: str, *,
                      expected_version: int) -> dict[str, Any]:
    """修改 a draft or returned (退回) 注销申请: it may name another of the agency's valid registrations."""
    _, agency = await _own_application(principal, matter_id, CANCEL.code)
    payload = await _cancel_payload(principal, agency, target, reason)
    return await workflow.update_payload(principal, matter_id, expected_version=expected_version, payload=payload,
                                         title=f"{CANCEL.name}：{payload['target_label']}")
