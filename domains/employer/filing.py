"""Employer filing (单位基本信息备案, EMP-2): the first filing and every later change go to the 送审机构 for review."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from litestar.datastructures import MultiDict

from domains.employer import rules
from domains.employer.forms import FILING_FIELDS
from domains.employer.matters import EMPLOYER_FILING, EMPLOYER_FILING_KIND, filing_payload
from domains.employer.rules import FILED_KEYS
from domains.employer.tables import Employer, EmployerFiling
from portal.auth.principal import Principal
from portal.core import dictionary
from portal.db import write_transaction
from portal.forms import Field, Form
from portal.refusal import Refused
from portal.workflow import engine as workflow
from portal.workflow.materials import reuse_materials
from portal.workflow.tables import Matter, MatterEvent


def filing_fields() -> list[Field]:
    return FILING_FIELDS


def legal_rep_kept(data: Any, principal: Principal | None, record: dict[str, Any] | None) -> tuple[Any, list]:
    """An agent's form does not show the 法定代表人 as an input (issue 14 §19): the record's value stands in for a
    field not sent, and a check refuses a different one, beside the field, with the form's other problems."""
    if principal is None or principal.acting_role != "agent" or not record:
        return data, []
    if "legal_rep" not in data:
        if hasattr(data, "multi_items"):
            data = MultiDict([*data.multi_items(), ("legal_rep", record["legal_rep"])])
        else:
            data = {**data, "legal_rep": record["legal_rep"]}
    return data, [lambda cleaned: rules.legal_rep_change_refusal("agent", record, cleaned)]


def filing_form(data: Any, principal: Principal | None = None, record: dict[str, Any] | None = None) -> Form:
    data, checks = legal_rep_kept(data, principal, record)
    return Form(filing_fields(), data, checks=checks)


def now() -> datetime:
    return datetime.now(UTC)


async def is_filing_approved(employer_id: int | None) -> bool:
    """LC-1: no contract page opens before the first filing is approved."""
    if employer_id is None:
        return False
    row = await Employer.select(Employer.filing_approved).where(Employer.id == employer_id).first()
    return bool(row and row["filing_approved"])


async def latest_filing(employer_id: int) -> dict[str, Any] | None:
    """The newest filing with its matter (state, version, number, times) and the last review opinion."""
    row = await EmployerFiling.select().where(EmployerFiling.employer == employer_id).order_by(
        EmployerFiling.id, ascending=False
    ).first()
    if row is None:
        return None
    row["payload"] = filing_payload(row)
    matter = await Matter.select().where(Matter.id == row["matter_id"]).first() if row["matter_id"] else None
    row["matter"] = matter
    row["state_label"] = EMPLOYER_FILING.state_label(matter["state"]) if matter else ""
    row["editable"] = bool(matter) and EMPLOYER_FILING.state(matter["state"]).editable
    last_review = None
    if matter:
        last_review = await MatterEvent.select(MatterEvent.opinion, MatterEvent.at).where(
            (MatterEvent.matter == matter["id"]) & (MatterEvent.action.is_in(["approve", "reject"]))
        ).order_by(MatterEvent.id, ascending=False).first()
    row["last_review"] = last_review
    return row


async def current_values(employer_id: int) -> dict[str, str]:
    """What the form starts with: an unfinished filing's payload, else the employer record."""
    filing = await latest_filing(employer_id)
    if filing and filing["editable"]:
        return {k: str(v) for k, v in filing["payload"].items() if k in FILED_KEYS}
    row = await Employer.select().where(Employer.id == employer_id).first()
    return {k: str(row[k] or "") for k in FILED_KEYS} if row else {}


async def save(principal: Principal, cleaned: dict[str, Any], *, ip: str = "") -> dict[str, Any]:
    """保存: a new draft filing (with its 办件), or the open draft / rejected filing updated in place."""
    employer_id = principal.employer_id
    payload = {k: cleaned[k] for k in FILED_KEYS}
    payload["review_agency_label"] = await dictionary.label("review_agency", cleaned["review_agency"])
    async with write_transaction():
        filing = await latest_filing(employer_id)
        # The 法定代表人 an agent must leave as it is: the open filing's (the legal representative's own change,
        # not yet reviewed), else the record's.
        basis = filing["payload"] if filing and filing["editable"] else await Employer.select().where(
            Employer.id == employer_id).first()
        for key, message in rules.legal_rep_change_refusal(principal.acting_role, basis or {}, payload).items():
            raise Refused(message, key)
        if filing and filing["matter"] and filing["matter"]["state"] == "submitted":
            raise Refused("单位基本信息已提交审核，请等待审核结果后再修改")
        at = now()
        if filing and filing["editable"]:
            matter = filing["matter"]
            if matter["agency_code"] == cleaned["review_agency"]:
                await workflow.update_payload(principal, matter["id"], expected_version=matter["version"],
                                              payload=payload)
                await EmployerFiling.update(
                    {EmployerFiling.payload: json.dumps(payload, ensure_ascii=False), EmployerFiling.updated_at: at}
                ).where(EmployerFiling.id == filing["id"])
                return await latest_filing(employer_id)
            if matter["state"] != "draft":
                # The agency that rejected the filing reviews its correction; a rejected matter cannot move.
                raise Refused("审核不通过的备案须由原送审机构重新审核，修改后请保持送审机构不变")
            # A draft routed to another agency is withdrawn and filed afresh with the new routing.
            await workflow.fire(principal, matter["id"], "withdraw", expected_version=matter["version"], ip=ip)
        approved = await is_filing_approved(employer_id)
        matter = await workflow.create_matter(
            principal, EMPLOYER_FILING_KIND, payload=payload,
            title="单位基本信息变更备案" if approved else "单位基本信息初次备案",
            agency_code=cleaned["review_agency"], ip=ip,
        )
        await EmployerFiling.insert(
            EmployerFiling(
                employer=employer_id, is_first=not approved, payload=json.dumps(payload, ensure_ascii=False),
                review_agency=cleaned["review_agency"], review_state="draft", matter_id=matter["id"],
                created_at=at, updated_at=at,
            )
        )
    return await latest_filing(employer_id)


async def submit(principal: Principal, *, ip: str = "") -> dict[str, Any]:
    """提交审核: the workflow refuses while a required material is missing."""
    async with write_transaction():
        filing = await latest_filing(principal.employer_id)
        if not filing or not filing["editable"]:
            raise Refused("请先填写并保存单位基本信息")
        matter = filing["matter"]
        name = "submit" if matter["state"] == "draft" else "resubmit"
        await workflow.fire(principal, matter["id"], name, expected_version=matter["version"], ip=ip)
        await EmployerFiling.update({EmployerFiling.review_state: "pending", EmployerFiling.updated_at: now()}).where(
            EmployerFiling.id == filing["id"]
        )
    return await latest_filing(principal.employer_id)



async def last_approved_matter(employer_id: int) -> int | None:
    """The 办件 of the employer's last approved filing (its materials may be reused by a later change)."""
    row = await EmployerFiling.select(EmployerFiling.matter_id).where(
        (EmployerFiling.employer == employer_id) & (EmployerFiling.review_state == "approved")
        & EmployerFiling.matter_id.is_not_null()
    ).order_by(EmployerFiling.id, ascending=False).first()
    return row["matter_id"] if row else None


async def reuse_approved_materials(principal: Principal, *, ip: str = "") -> list[str]:
    """材料复用 (issue 14 §20): the open change filing takes the last approved filing's materials for every
    material it has not got; each can still be replaced by a new upload."""
    latest = await latest_filing(principal.employer_id)
    if not latest or not latest["editable"]:
        raise Refused("请先填写并保存单位基本信息")
    approved = await last_approved_matter(principal.employer_id)
    if approved is None or approved == latest["matter_id"]:
        raise Refused("没有审核通过的备案材料可以沿用，请上传材料")
    return await reuse_materials(principal, approved, latest["matter_id"], ip=ip)
