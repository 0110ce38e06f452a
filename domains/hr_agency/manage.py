"""机构管理 (HRA-8): staff add, edit, delete (with a reason), link to their account (关联单位账号) and unlink (解除关联)
agencies of their division, e.g. ones that never applied online; every edit keeps its history (AgencyChange) and is
audited."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar.exceptions import NotFoundException

from domains.employer import service as employers
from domains.hr_agency import certificates, forms, register, rules
from domains.hr_agency.service import (
    Refused,
    agency_of,
    live_agency_exists,
    lock_identifiers,
    open_applications,
)
from domains.hr_agency.tables import Agency, AgencyChange
from portal import audit
from portal.auth.principal import Principal, division_clause
from portal.db import write_transaction
from portal.forms import Form, TextField, UsccField


def agency_form(data: Any) -> Form:
    return Form([*forms.application_fields()[:1], UsccField("uscc", "统一社会信用代码"),
                 *forms.application_fields()[1:]], data)


def unlink_form(data: Any) -> Form:
    return Form([TextField("reason", "解除关联的原因", max_len=500)], data)


async def scoped_agency(principal: Principal, agency_id: int, *, deleted: bool = False) -> dict:
    """The record in the staff member's divisions (404 otherwise); a deleted one only with `deleted`."""
    clause = division_clause(principal, Agency.division_code)
    if clause is not None and not deleted:
        clause &= Agency.status != "deleted"
    row = await Agency.select().where((Agency.id == agency_id) & clause).first() if clause is not None else None
    if row is None:
        raise NotFoundException()
    return row


def _covers(principal: Principal, division_code: str) -> bool:
    return principal.covers_division(division_code)


async def add(principal: Principal, cleaned: dict[str, Any], *, ip: str = "") -> int:
    if not _covers(principal, cleaned["division_code"]):
        raise Refused("只能录入本辖区的机构", "division_code")
    async with write_transaction():
        await lock_identifiers([cleaned["uscc"]])
        if await live_agency_exists(cleaned["uscc"]):
            raise Refused("该统一社会信用代码的机构已存在", "uscc")
        at = datetime.now(UTC)
        row = Agency(source="staff", status="active", created_at=at, updated_at=at, uscc=cleaned["uscc"],
                     **{k: cleaned[k] for k in rules.RECORD_KEYS})
        await row.save()
        await register.refresh([row.id])  # listed once it holds a licence or filing; nothing before
    await audit.record(category="hr_agency", action="agency.add", actor=principal, ip=ip, object_type="agency",
                       object_id=row.id)
    return row.id


async def edit(principal: Principal, agency_id: int, cleaned: dict[str, Any], *,
               ip: str = "") -> tuple[dict[str, list[str]], list[str]]:
    """The changed fields ({field: [before, after]}) and the certificates withdrawn because they print one of them
    (the agency's next download issues the new one, as after a 事项变更)."""
    current = await scoped_agency(principal, agency_id)
    if not _covers(principal, cleaned["division_code"]):
        raise Refused("只能将机构调整到本辖区内的地区", "division_code")
    changes = rules.record_changes(current, cleaned)
    if not changes:
        return {}, []
    at = datetime.now(UTC)
    async with write_transaction():
        for key, (before, after) in changes.items():
            await AgencyChange(agency=agency_id, field=key, before=before, after=after, actor=principal.audit_name,
                               at=at).save()
        await Agency.update({**{k: a for k, (_, a) in changes.items()}, Agency.updated_at: at}).where(
            Agency.id == agency_id)
        await register.refresh([agency_id])
        withdrawn = await certificates.withdraw_outdated(agency_id, changes, "机构管理修改机构信息，已换发新证",
                                                         actor=principal, ip=ip)
    await audit.record(category="hr_agency", action="agency.edit", actor=principal, ip=ip, object_type="agency",
                       object_id=agency_id, detail={"fields": sorted(changes), "certificates_withdrawn": withdrawn})
    return changes, withdrawn


async def delete(principal: Principal, agency_id: int, reason: str, *, ip: str = "") -> None:
    """删除 with a reason: the row stays (history, licences) but leaves every list and the 名录; its electronic
    certificates are revoked (/verify says 已注销)."""
    await scoped_agency(principal, agency_id)
    reason = reason.strip()
    if not reason or len(reason) > 500:
        raise Refused("请填写删除原因（不超过500字）", "reason")
    async with write_transaction():
        deleted = await Agency.update({Agency.status: "deleted", Agency.delete_reason: reason,
                                       Agency.updated_at: datetime.now(UTC)}).where(
            (Agency.id == agency_id) & (Agency.status != "deleted")).returning(Agency.id)
        if not deleted:
            raise Refused("该机构已被删除", "reason")
        await certificates.revoke_all(agency_id, f"机构已删除：{reason}", actor=principal, ip=ip)
        await register.refresh([agency_id])  # leaves the 名录 with its branches
    await audit.record(category="hr_agency", action="agency.delete", actor=principal, ip=ip, object_type="agency",
                       object_id=agency_id, detail={"reason": reason})


def _named(account: dict | None) -> dict | None:
    """Only the account's name and code leave here: staff see nothing else of another employer."""
    return {"id": account["id"], "name": account["name"], "uscc": account["uscc"]} if account else None


async def link_target(agency: dict) -> tuple[dict | None, str | None]:
    """关联单位账号: the registered account whose USCC the record holds, and why they may not be linked (None: they
    may)."""
    account = await employers.get_by_uscc(agency["uscc"]) if agency["uscc"] else None
    refusal = rules.link_refusal(
        deleted=agency["status"] == "deleted", linked=agency["employer"] is not None, account_found=account is not None,
        account_has_agency=account is not None and await agency_of(account["id"]) is not None)
    return _named(account), refusal


async def unlink_target(agency: dict) -> tuple[dict | None, str | None]:
    """解除关联: the account the record is linked to, and why it may not be unlinked (None: it may)."""
    account = await employers.get_employer(agency["employer"]) if agency["employer"] is not None else None
    refusal = rules.unlink_refusal(
        deleted=agency["status"] == "deleted", linked=account is not None,
        in_progress=len(await open_applications(account["id"])) if account else 0)
    return _named(account), refusal


async def link(principal: Principal, agency_id: int, *, ip: str = "") -> dict:
    """Link a staff-added or imported record to the account of its USCC, after which the legal person sees it as its
    own (service.agency_of) and applies for 事项变更 etc. The account found is the server's: nothing posted names it.
    Under the USCC's lock, which the account's own first application also takes (its USCC is the record's), so that
    cannot create a second agency for the account meanwhile. Returns the account linked."""
    return await _set_account(principal, agency_id, linking=True, ip=ip)


async def unlink(principal: Principal, agency_id: int, reason: str, *, ip: str = "") -> dict:
    """解除关联: the record loses its account (the legal person no longer sees it; its first application is then
    refused, the record holding its USCC), with a reason. Refused while the account has an application under way.
    Under the USCC's lock, which the account's applications take too (service.locked_agency_of), so none is created
    between the check and the write. Returns the account unlinked."""
    await scoped_agency(principal, agency_id, deleted=True)  # 404 before anything is said
    reason = reason.strip()
    if not reason or len(reason) > 500:
        raise Refused("请填写解除关联的原因（不超过500字）", "reason")
    return await _set_account(principal, agency_id, linking=False, reason=reason, ip=ip)


async def _set_account(principal: Principal, agency_id: int, *, linking: bool, reason: str = "", ip: str) -> dict:
    """One write_transaction under the USCC's lock: the check on the record as it stands once the lock is held, the
    conditional UPDATE, the 变更记录 row and the audit row of a link or an unlink."""
    uscc = (await scoped_agency(principal, agency_id, deleted=True))["uscc"]  # fixed: no edit changes it
    at = datetime.now(UTC)
    async with write_transaction():
        await lock_identifiers([uscc])
        agency = await Agency.select().where(Agency.id == agency_id).first()
        account, refusal = await (link_target if linking else unlink_target)(agency)
        if refusal:
            raise Refused(refusal)
        # the conditions again in the UPDATE: a delete (not under this lock) cannot slip in between
        held = Agency.employer.is_null() if linking else Agency.employer == account["id"]
        done = await Agency.update({Agency.employer: account["id"] if linking else None, Agency.updated_at: at}).where(
            (Agency.id == agency_id) & held & (Agency.status != "deleted")).returning(Agency.id)
        if not done:
            raise Refused(f"该机构已被删除或已{'关联单位账号' if linking else '解除关联'}，请刷新后查看")
        named = f"{account['name']}（{account['uscc']}）"
        await AgencyChange(agency=agency_id, field=rules.LINK_FIELD, before="" if linking else named,
                           after=named if linking else f"已解除关联（原因：{reason}）", actor=principal.audit_name,
                           at=at).save()
        await audit.record(category="hr_agency", action="agency.link" if linking else "agency.unlink",
                           actor=principal, ip=ip, object_type="agency", object_id=agency_id,
                           detail={"employer_id": account["id"], **({"reason": reason} if reason else {})})
    return account


async def history(agency_id: int) -> list[dict]:
    return await AgencyChange.select().where(AgencyChange.agency == agency_id).order_by(AgencyChange.id,
                                                                                       ascending=False)
