"""Use-cases of contract filing: load scoped, check the rules, write the filing and its 办件 in one transaction."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from litestar.exceptions import NotFoundException

from domains.employer import service as employer_service
from domains.labor_contract import forms, rosters, rules
from domains.labor_contract.tables import Contract, RosterItem
from domains.person import service as person_service
from portal import audit
from portal.auth.principal import Principal
from portal.core import dictionary
from portal.dataservices.staging import Batch
from portal.db import bulk_insert, lock_values, reserve_ids, write_transaction
from portal.forms import Field, Form
from portal.refusal import Refused
from portal.validators import mask_id_number, normalise
from portal.values import yuan
from portal.workflow import engine as workflow
from portal.workflow.creation import MatterPlan, plan_matters, write_matters
from portal.workflow.engine import WorkflowError
from portal.workflow.feedback import tell_person
from portal.workflow.tables import Matter

# ID numbers per `IN (…)` of the batch lookups: SQLite allows 999 parameters a statement on older builds.
LOOKUP_CHUNK = 500


def now() -> datetime:
    return datetime.now(UTC)


async def tell_worker(contract: dict[str, Any]) -> None:
    """The worker hears in the message centre that an employer's filing for them (新订, 续订, 解除) is on record.
    Called by the filing's approval (its own event, inside that transaction); a worker without an account in the
    hall has no message centre, so nothing is sent."""
    person = await person_service.get_by_id_number(contract["id_number"])
    if person is None:
        return
    employer = await employer_service.get_employer(contract["employer"])
    title, text = rules.worker_notice(contract, employer["name"] if employer else "用人单位")
    await tell_person(person["id"], title, text)


async def _lock_person(id_number: str) -> None:
    """Serialise filings of one person (the one-unreviewed-filing rule spans employers).

    SQLite's BEGIN IMMEDIATE already serialises writers; PostgreSQL needs an advisory lock.
    """
    await lock_persons([id_number])


async def lock_persons(id_numbers: Iterable[str]) -> None:
    """_lock_person for a chunk of a batch (portal.db.lock_values: ascending keys, so two batches and single
    filings wait for each other and never deadlock)."""
    await lock_values(id_numbers)


def _pending(row: dict[str, Any], forms: dict[str, str], employer_id: int | None) -> rules.PendingFiling:
    return rules.PendingFiling(row["employer.name"], forms.get(row["employment_form"], row["employment_form"]),
                               row["state"], employer_id=row["employer"],
                               own=employer_id is not None and row["employer"] == employer_id)


async def pending_filings(
    id_number: str, exclude_id: int | None = None, *, employer_id: int | None = None
) -> list[rules.PendingFiling]:
    """Unreviewed (未审核) filings of a person at any employer; `own` marks those of `employer_id`."""
    query = Contract.select(
        Contract.id, Contract.employer, Contract.employer.name, Contract.employment_form, Contract.state
    ).where((Contract.id_number == id_number) & (Contract.review_state == "pending") & (Contract.state != "void"))
    if exclude_id is not None:
        query = query.where(Contract.id != exclude_id)
    forms = await dictionary.labels("employment_form")
    return [_pending(r, forms, employer_id) for r in await query]


async def pending_filings_many(
    id_numbers: Iterable[str], *, employer_id: int | None = None
) -> dict[str, list[rules.PendingFiling]]:
    """pending_filings for many people at once (batch uploads): id number → unreviewed filings, oldest first;
    one query per LOOKUP_CHUNK numbers instead of one per row."""
    wanted = sorted(set(id_numbers))
    forms = await dictionary.labels("employment_form")
    out: dict[str, list[rules.PendingFiling]] = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        rows = await Contract.select(
            Contract.id_number, Contract.employer, Contract.employer.name, Contract.employment_form, Contract.state
        ).where(
            Contract.id_number.is_in(wanted[start:start + LOOKUP_CHUNK]) & (Contract.review_state == "pending")
            & (Contract.state != "void")
        ).order_by(Contract.id)
        for r in rows:
            out.setdefault(r["id_number"], []).append(_pending(r, forms, employer_id))
    return out


async def current_contracts(employer_id: int, id_numbers: Iterable[str]) -> dict[str, dict[str, Any]]:
    """current_contract for many workers at once: id number → the newest 在职 contract with this employer."""
    wanted = sorted(set(id_numbers))
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        rows = await Contract.select().where(
            (Contract.employer == employer_id) & Contract.id_number.is_in(wanted[start:start + LOOKUP_CHUNK])
            & (Contract.employed.eq(True))
        ).order_by(Contract.id)
        out.update({r["id_number"]: r for r in rows})  # ascending ids: the newest one wins
    return out


async def start_dates(contract_ids: Iterable[int]) -> dict[int, date]:
    """Contract id → start date, for the renewed contracts of a batch (one query per LOOKUP_CHUNK ids)."""
    wanted = sorted(set(contract_ids))
    out: dict[int, date] = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        rows = await Contract.select(Contract.id, Contract.start_date).where(
            Contract.id.is_in(wanted[start:start + LOOKUP_CHUNK]))
        out.update({r["id"]: r["start_date"] for r in rows})
    return out


async def current_contract(employer_id: int, id_number: str) -> dict[str, Any] | None:
    """The worker's current (在职) approved contract with this employer, if any."""
    return await Contract.select().where(
        (Contract.employer == employer_id) & (Contract.id_number == id_number) & (Contract.employed.eq(True))
    ).order_by(Contract.id, ascending=False).first()


async def get_contract(principal: Principal, contract_id: int) -> dict[str, Any]:
    """One filing of the logged-in employer; another employer's id answers 404 (the query is scoped)."""
    if not principal.is_employer or principal.employer_id is None:
        raise NotFoundException("备案记录不存在")
    row = await Contract.select().where(
        (Contract.id == contract_id) & (Contract.employer == principal.employer_id)
    ).first()
    if row is None:
        raise NotFoundException("备案记录不存在")
    return row


async def record_full_id_view(principal: Principal, contract: dict[str, Any], *, ip: str = "") -> None:
    """A page that shows the whole 身份证号 (the edit form of a rejected 新订 filing) is audited (SECURITY 12)."""
    await audit.record(category="data", action="lc.full_id_view", actor=principal, ip=ip, object_type="contract",
                       object_id=contract["id"], detail={"id_number": mask_id_number(contract["id_number"])})


async def payload_labels() -> dict[str, dict[str, str]]:
    """The dictionaries display_payload resolves; a batch loads them once for all its rows."""
    return {c: await dictionary.labels(c) for c in ("employment_form", "contract_type", "work_hours_system",
                                                    "termination_reason")}


async def display_payload(
    values: dict[str, Any], filing_kind: str, labels: dict[str, dict[str, str]] | None = None
) -> dict[str, Any]:
    """The matter payload: what the reviewer sees, with dictionary labels resolved and the ID masked."""
    labels = labels or await payload_labels()
    forms, types = labels["employment_form"], labels["contract_type"]
    hours, reasons = labels["work_hours_system"], labels["termination_reason"]
    out = {
        "filing_kind": filing_kind,
        "filing_kind_label": rules.STATE_LABELS[filing_kind],
        "worker_name": values.get("worker_name", ""),
        "id_number_masked": mask_id_number(values.get("id_number", "")),
        "employment_form_label": forms.get(values.get("employment_form") or "", ""),
        "contract_type_label": types.get(values.get("contract_type") or "", ""),
        "contract_number": values.get("contract_number") or "",
        "start_date": str(values.get("start_date") or ""),
        "end_date": str(values.get("end_date") or ""),
        "probation_months": values.get("probation_months") or 0,
        "post": values.get("post", ""),
        "workplace": values.get("workplace", ""),
        "monthly_wage_yuan": yuan(values.get("monthly_wage")),
        "pay_day": values.get("pay_day") or "",
        "work_hours_system_label": hours.get(values.get("work_hours_system") or "", ""),
    }
    if filing_kind == "terminate":
        out.update(
            termination_date=str(values.get("termination_date") or ""),
            termination_reason_label=reasons.get(values.get("termination_reason") or "", ""),
            compensation_yuan=yuan(values.get("compensation")),
        )
    return out


_CONTRACT_KEYS = (
    "employment_form", "contract_type", "contract_template", "contract_number", "start_date", "end_date",
    "probation_months", "post", "workplace", "monthly_wage", "pay_day", "work_hours_system",
)


def _contract_values(cleaned: dict[str, Any]) -> dict[str, Any]:
    out = {k: cleaned.get(k) for k in _CONTRACT_KEYS}
    out["contract_number"] = out["contract_number"] or ""
    out["probation_months"] = out["probation_months"] or 0
    return out


async def person_refusal(employer_id: int, id_number: str, filing_kind: str, exclude_id: int | None = None) -> str | None:
    """The person rules of a filing (one unreviewed filing; 新订 first; not 新订 twice here): the reason or None.
    Read-only, so a form can report it together with its field errors (X-11); saving checks again under the lock."""
    pending = rules.blocking_pending(
        await pending_filings(id_number, exclude_id=exclude_id, employer_id=employer_id), filing_kind, employer_id)
    if reason := rules.unreviewed_refusal(pending):
        return reason
    current = await current_contract(employer_id, id_number)
    if filing_kind == "new":
        return rules.new_filing_refusal(current is not None)
    return rules.first_filing_refusal(filing_kind, current is not None)


async def _check_person(employer_id: int, id_number: str, filing_kind: str, exclude_id: int | None = None,
                        form_token: str | None = None) -> None:
    await _lock_person(id_number)
    # after the lock: a double click's second request sees the first one's token, not its filing
    await workflow.ensure_unused_token(form_token)
    if reason := await person_refusal(employer_id, id_number, filing_kind, exclude_id):
        raise Refused(reason, "id_number")


async def employers_with_current_contract(id_number: str, except_employer: int | None) -> list[str]:
    """Other employers where the person's contract is still current (在职): a 新订 here is warned, not refused."""
    rows = await Contract.select(Contract.employer.name).where(
        (Contract.id_number == id_number) & (Contract.employed.eq(True)) & (Contract.employer != except_employer)
    )
    return sorted({r["employer.name"] for r in rows})


async def employers_with_current_contract_many(id_numbers: Iterable[str], except_employer: int | None
                                               ) -> dict[str, list[str]]:
    """employers_with_current_contract for a batch upload: id number → the other employers' names, one query per
    LOOKUP_CHUNK numbers."""
    wanted = sorted(set(id_numbers))
    out: dict[str, set[str]] = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        rows = await Contract.select(Contract.id_number, Contract.employer.name).where(
            Contract.id_number.is_in(wanted[start:start + LOOKUP_CHUNK]) & Contract.employed.eq(True)
            & (Contract.employer != except_employer))
        for r in rows:
            out.setdefault(r["id_number"], set()).add(r["employer.name"])
    return {k: sorted(v) for k, v in out.items()}


async def new_filing_warning(principal: Principal, contract: dict[str, Any]) -> str | None:
    """The warning a pending 新订 carries while the person's contract elsewhere is still current (issue 14 §15)."""
    if contract["filing_kind"] != "new" or contract["review_state"] != "pending" or contract["state"] == "void":
        return None
    return rules.current_elsewhere_warning(
        await employers_with_current_contract(contract["id_number"], principal.employer_id)
    )


async def previous_dates(previous_id: int | None) -> tuple[Any, Any]:
    if previous_id is None:
        return None, None
    row = await Contract.select(Contract.start_date, Contract.end_date).where(Contract.id == previous_id).first()
    return (row["start_date"], row["end_date"]) if row else (None, None)


async def renewal_start_error(previous_id: int | None, start: date | None) -> str | None:
    """rules.renewal_start_error against the renewed contract (by id)."""
    previous_start, previous_end = await previous_dates(previous_id)
    if previous_start is None and previous_end is None:
        return None
    return rules.renewal_start_error(previous_start, previous_end, start)


async def termination_earliest(contract: dict[str, Any], today: date) -> date | None:
    """The earliest 解除(终止)时间 of this contract (a renewal not yet started: the renewed contract's start)."""
    previous_start = None
    if contract.get("start_date") is not None and contract["start_date"] > today:
        previous_start, _ = await previous_dates(contract.get("previous"))
    return rules.termination_earliest(contract.get("start_date"), previous_start, today)


async def _employer(employer_id: int) -> dict[str, Any]:
    row = await employer_service.get_employer(employer_id)
    if row is None:
        raise NotFoundException("单位不存在")
    return row


async def insert_filing(
    principal: Principal, values: dict[str, Any], filing_kind: str, *, ip: str = "", form_token: str | None = None,
    import_token: str = "", draft: dict[str, Any] | None = None, extra_payload: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Insert the filing and open its 办件 (submitted at once: a saved filing is 未审核). Caller holds the transaction.
    `extra_payload` joins the 办件's payload (一件事一次办 puts its bundle there, shown on the matter's page)."""
    employer = await _employer(principal.employer_id)
    at = now()
    id_number = values["id_number"]
    gender, birth = rules.derive_from_id(id_number)
    row = Contract(
        employer=principal.employer_id, worker_name=values["worker_name"], id_number=id_number, gender=gender,
        birth_date=birth, filing_kind=filing_kind, state=filing_kind, review_state="pending",
        previous=values.get("previous"), termination_date=values.get("termination_date"),
        termination_reason=values.get("termination_reason") or "", compensation=values.get("compensation"),
        import_token=import_token, created_at=at, updated_at=at,
        **{k: values.get(k) for k in _CONTRACT_KEYS if k in values},
    )
    if row.contract_number is None:
        row.contract_number = ""
    await row.save()
    payload = {**await display_payload(values, filing_kind), "contract_id": row.id, **(extra_payload or {})}
    title = f"{rules.STATE_LABELS[filing_kind]}备案：{values['worker_name']}"
    if draft is not None:  # the draft's 办件 becomes the filing's: filled in, then submitted
        matter = await workflow.update_payload(principal, draft["id"], expected_version=draft["version"],
                                               payload={**payload, "draft": None}, title=title)
        # the submission consumes the form token, as create_matter does: a double click acts once
        matter = await workflow.fire(principal, draft["id"], "submit", expected_version=matter["version"],
                                     form_token=form_token, ip=ip)
    else:
        matter = await workflow.create_matter(
            principal, rules.CONTRACT_KIND, payload=payload, title=title,
            agency_code=employer["review_agency"], submit=True, form_token=form_token, ip=ip,
        )
    await Contract.update({Contract.matter_id: matter["id"]}).where(Contract.id == row.id)
    return {**row.to_dict(), "matter_id": matter["id"], "matter_number": matter["number"]}


async def insert_filings(
    principal: Principal, filings: list[tuple[dict[str, Any], str]], *, ip: str = "", import_token: str = ""
) -> list[dict[str, Any]]:
    """Batch form of insert_filing: (values, filing kind) pairs → bulk INSERTs and one bulk matter creation.

    Rules are the caller's (the sheet's row checks); the caller holds the transaction. It is plan_filings()
    then write_filings(): a batch import plans before its transaction."""
    return await write_filings(await plan_filings(principal, filings, ip=ip, import_token=import_token))


@dataclass
class FilingPlan:
    """Filings built and their 办件 planned, nothing written yet (write_filings inserts them)."""

    contracts: list[dict[str, Any]] = field(default_factory=list)  # Contract columns without id and matter_id
    matters: MatterPlan | None = None

    def subset(self, indexes: list[int]) -> FilingPlan:
        if self.matters is None:
            return self
        return FilingPlan([self.contracts[i] for i in indexes], self.matters.subset(indexes))


# A filing of an import not yet published has no employer: every query of an employer's filings leaves it out.
# It stays 未审核, so the one-unreviewed-filing rule counts it: the batch holds its persons (docs/IMPORTS.md §4).
HIDDEN_CONTRACT = {"employer": None}


_YIELD_EVERY = 500  # rows built between two turns of the event loop (other requests run meanwhile)


async def plan_filings(
    principal: Principal, filings: list[tuple[dict[str, Any], str]], *, ip: str = "", import_token: str = ""
) -> FilingPlan:
    """The CPU work of a batch (rows, payloads, the matters' plan) with reads only, before any transaction."""
    if not filings:
        return FilingPlan()
    employer = await _employer(principal.employer_id)
    at = now()
    labels = await payload_labels()
    defaults = _contract_defaults()
    contracts: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    for i, (values, filing_kind) in enumerate(filings):
        gender, birth = rules.derive_from_id(values["id_number"])
        contracts.append({
            **defaults, **{k: values[k] for k in _CONTRACT_KEYS if k in values},
            "employer": principal.employer_id, "worker_name": values["worker_name"], "id_number": values["id_number"],
            "gender": gender, "birth_date": birth, "filing_kind": filing_kind, "state": filing_kind,
            "review_state": "pending", "previous": values.get("previous"),
            "termination_date": values.get("termination_date"),
            "termination_reason": values.get("termination_reason") or "", "compensation": values.get("compensation"),
            "import_token": import_token, "created_at": at, "updated_at": at,
        })
        if contracts[-1]["contract_number"] is None:
            contracts[-1]["contract_number"] = ""
        items.append({"payload": await display_payload(values, filing_kind, labels),
                      "title": f"{rules.STATE_LABELS[filing_kind]}备案：{values['worker_name']}",
                      "agency_code": employer["review_agency"]})
        if i % _YIELD_EVERY == _YIELD_EVERY - 1:
            await asyncio.sleep(0)
    matters = await plan_matters(principal, rules.CONTRACT_KIND, items, submit=True, ip=ip)
    return FilingPlan(contracts, matters)


async def write_filings(plan: FilingPlan, batch: Batch | None = None) -> list[dict[str, Any]]:
    """Insert a FilingPlan inside the caller's write_transaction: contract and matter ids are reserved first,
    so each row is written once with its link to the other (no UPDATE afterwards). With `batch` (a chunk of an
    import) every row goes in hidden until the batch publishes."""
    if not plan.contracts or plan.matters is None:
        return []
    ids = await reserve_ids(Contract, len(plan.contracts))
    matters = await write_matters(plan.matters, links=[{"contract_id": i} for i in ids], batch=batch)
    rows = [{**c, "id": i, "matter_id": m["id"]} for c, i, m in zip(plan.contracts, ids, matters, strict=True)]
    if batch is None:
        await bulk_insert(Contract, rows)
    else:
        await batch.insert(Contract, rows, HIDDEN_CONTRACT)
    return [{**row, "matter_number": m["number"]} for row, m in zip(rows, matters, strict=True)]


_DEFAULTS: dict[str, Any] = {}


def _contract_defaults() -> dict[str, Any]:
    if not _DEFAULTS:
        _DEFAULTS.update({c._meta.name: c.get_default_value() for c in Contract._meta.columns
                          if c._meta.name in _CONTRACT_KEYS})
    return _DEFAULTS


# X-1a drafts: a 草稿 is the filing's 办件 in its draft state, holding what was typed (no contract row yet, so
# no rule counts it); submitting the form files the contract and submits that same 办件.
DRAFT_KEYS = ("worker_name", "id_number", "employment_form", "contract_type", "contract_template", "contract_number",
              "start_date", "end_date", "probation_months", "post", "workplace", "monthly_wage", "pay_day",
              "work_hours_system", "termination_date", "termination_reason", "compensation")


async def save_draft(principal: Principal, filing_kind: str, raw: Any, *, draft_id: int | None = None,
                     previous: dict[str, Any] | None = None, ip: str = "") -> dict[str, Any]:
    """Save the typed values of a 新订/续订/解除 form as a draft (a new one, or the open draft `draft_id`)."""
    values = {k: str(raw.get(k) or "").strip()[:200] for k in DRAFT_KEYS if raw.get(k)}
    name = previous["worker_name"] if previous else values.get("worker_name", "")
    payload = {"draft": values, "filing_kind": filing_kind, "filing_kind_label": rules.STATE_LABELS[filing_kind],
               "worker_name": name, "previous_id": previous["id"] if previous else None}
    title = f"{rules.STATE_LABELS[filing_kind]}备案（草稿）：{name or '未填写姓名'}"
    if draft_id is not None:
        draft = await get_draft(principal, draft_id, filing_kind, previous["id"] if previous else None)
        return await workflow.update_payload(principal, draft["id"], expected_version=draft["version"],
                                             payload=payload, title=title)
    employer = await _employer(principal.employer_id)
    return await workflow.create_matter(principal, rules.CONTRACT_KIND, payload=payload, title=title,
                                        agency_code=employer["review_agency"], ip=ip)


async def get_draft(principal: Principal, draft_id: int, filing_kind: str, previous_id: int | None) -> dict[str, Any]:
    """The employer's own open draft of this form (another form's or employer's draft answers 404)."""
    matter = await workflow.get_matter_for(principal, draft_id)
    payload = matter["payload"]
    if (matter["kind"] != rules.CONTRACT_KIND or matter["state"] != "draft" or "draft" not in payload
            or payload.get("filing_kind") != filing_kind or payload.get("previous_id") != previous_id):
        raise NotFoundException("草稿不存在")
    return matter


async def drafts(principal: Principal) -> list[dict[str, Any]]:
    """The employer's open contract-filing drafts, newest first (to resume them)."""
    rows = await Matter.select(Matter.id, Matter.title, Matter.payload, Matter.updated_at).where(
        (Matter.employer == principal.employer_id) & (Matter.kind == rules.CONTRACT_KIND) & (Matter.state == "draft")
    ).order_by(Matter.updated_at, ascending=False).limit(LIST_LIMIT)
    out = []
    for r in rows:
        payload = json.loads(r["payload"]) if isinstance(r["payload"], str) else r["payload"]
        if "draft" in payload:
            out.append({**r, "payload": payload})
    return out


def termination_values(previous: dict[str, Any], cleaned: dict[str, Any]) -> dict[str, Any]:
    """A 解除(终止) filing copies the contract it ends and adds the ending."""
    return {
        "worker_name": previous["worker_name"], "id_number": previous["id_number"], "previous": previous["id"],
        **{k: previous[k] for k in _CONTRACT_KEYS},
        "termination_date": cleaned["termination_date"], "termination_reason": cleaned["termination_reason"],
        "compensation": cleaned.get("compensation"),
    }


async def file_new(principal: Principal, cleaned: dict[str, Any], *, ip: str = "", form_token: str | None = None,
                   draft_id: int | None = None, extra_payload: dict[str, Any] | None = None):
    """LC-3 新订备案: starts 未审核 / 新订 (submitting the draft `draft_id` when it came from one). Inside a caller's
    write_transaction it joins it (一件事一次办 files it together with a 增员)."""
    async with write_transaction():
        await _check_person(principal.employer_id, cleaned["id_number"], "new", form_token=form_token)
        draft = await get_draft(principal, draft_id, "new", None) if draft_id else None
        values = {"worker_name": cleaned["worker_name"], "id_number": cleaned["id_number"], **_contract_values(cleaned)}
        return await insert_filing(principal, values, "new", ip=ip, form_token=form_token, draft=draft,
                                   extra_payload=extra_payload)


async def file_renew(
    principal: Principal, previous_id: int, cleaned: dict[str, Any], *, ip: str = "", form_token: str | None = None,
    draft_id: int | None = None,
):
    """LC-4 续订备案 of a completed 新订/续订 contract."""
    async with write_transaction():
        previous = await get_contract(principal, previous_id)
        if reason := rules.may_renew(previous):
            raise Refused(reason)
        if reason := rules.renewal_start_error(previous["start_date"], previous["end_date"], cleaned.get("start_date")):
            raise Refused(reason, "start_date")
        await _check_person(principal.employer_id, previous["id_number"], "renew", form_token=form_token)
        draft = await get_draft(principal, draft_id, "renew", previous_id) if draft_id else None
        values = {
            "worker_name": previous["worker_name"], "id_number": previous["id_number"], "previous": previous["id"],
            **_contract_values(cleaned),
        }
        return await insert_filing(principal, values, "renew", ip=ip, form_token=form_token, draft=draft)


async def file_terminate(
    principal: Principal, previous_id: int, cleaned: dict[str, Any], *, ip: str = "", form_token: str | None = None,
    draft_id: int | None = None, extra_payload: dict[str, Any] | None = None,
):
    """LC-5 解除/终止备案: a new filing that copies the contract and records the ending."""
    async with write_transaction():
        previous = await get_contract(principal, previous_id)
        if reason := rules.may_terminate(previous):
            raise Refused(reason)
        today = today_local()
        earliest = await termination_earliest(previous, today)
        if reason := rules.termination_date_refusal(earliest, cleaned["termination_date"], today):
            raise Refused(reason, "termination_date")
        await _check_person(principal.employer_id, previous["id_number"], "terminate", form_token=form_token)
        draft = await get_draft(principal, draft_id, "terminate", previous_id) if draft_id else None
        values = termination_values(previous, cleaned)
        return await insert_filing(principal, values, "terminate", ip=ip, form_token=form_token, draft=draft,
                                   extra_payload=extra_payload)


async def modify(principal: Principal, contract_id: int, cleaned: dict[str, Any], *, ip: str = "") -> dict[str, Any]:
    """LC-3: change a 审核不通过 filing and send it to review again (one transaction)."""
    async with write_transaction():
        contract = await get_contract(principal, contract_id)
        if reason := rules.may_modify(contract):
            raise Refused(reason)
        updates = _contract_values(cleaned)
        if contract["filing_kind"] == "renew":
            if reason := await renewal_start_error(contract["previous"], cleaned.get("start_date")):
                raise Refused(reason, "start_date")
        if contract["filing_kind"] == "new":
            updates["worker_name"] = cleaned["worker_name"]
            if cleaned["id_number"] != contract["id_number"]:
                await _check_person(principal.employer_id, cleaned["id_number"], "new", exclude_id=contract_id)
                updates["id_number"] = cleaned["id_number"]
                updates["gender"], updates["birth_date"] = rules.derive_from_id(cleaned["id_number"])
        if contract["filing_kind"] == "terminate":
            updates = {k: cleaned.get(k) for k in ("termination_date", "termination_reason", "compensation")}
        updates["updated_at"] = now()
        await Contract.update(updates).where(Contract.id == contract_id)
        merged = {**contract, **updates}
        matter = await workflow.get_matter_for(principal, contract["matter_id"])
        await workflow.fire(
            principal, matter["id"], "resubmit", expected_version=matter["version"], ip=ip,
            payload_update=await display_payload(merged, contract["filing_kind"]),
        )
        return merged


async def void(principal: Principal, contract_ids: Iterable[int], *, ip: str = "") -> dict[int, str]:
    """LC-8 申报作废, several at once: contract id → '' when voided, else the reason."""
    results: dict[int, str] = {}
    for contract_id in contract_ids:
        try:
            contract = await get_contract(principal, contract_id)
            if reason := rules.may_void(contract):
                results[contract_id] = reason
                continue
            matter = await workflow.get_matter_for(principal, contract["matter_id"])
            await workflow.fire(principal, matter["id"], "void", expected_version=matter["version"], ip=ip)
            results[contract_id] = ""
        except NotFoundException:
            results[contract_id] = "备案记录不存在"
        except WorkflowError as exc:
            results[contract_id] = exc.message
    return results


def today_local() -> date:
    from portal.workflow.deadlines import local_date

    return local_date(now())


LIST_LIMIT = 500


async def voidable(principal: Principal, params: dict[str, str]) -> list[dict[str, Any]]:
    """LC-8: the employer's 未审核 / 审核不通过 filings (newest first), optionally by ID number or name."""
    query = Contract.select(
        Contract.id, Contract.worker_name, Contract.id_number, Contract.state, Contract.review_state,
        Contract.review_opinion, Contract.created_at,
    ).where(
        (Contract.employer == principal.employer_id) & (Contract.state != "void")
        & Contract.review_state.is_in(["pending", *rules.CORRECTABLE])
    )
    if id_number := normalise(params.get("id_number", "")):
        query = query.where(Contract.id_number == id_number)
    if name := (params.get("worker_name") or "").strip():
        query = query.where(Contract.worker_name == name)
    return await query.order_by(Contract.created_at, ascending=False).order_by(Contract.id, ascending=False).limit(
        LIST_LIMIT
    )


async def contracts_of_person(id_number: str) -> list[dict[str, Any]]:
    """A person's own filings at every employer, newest first (for 个人 self-service, SI-7); no voided ones."""
    return await Contract.select(
        Contract.id, Contract.employer.name, Contract.filing_kind, Contract.state, Contract.review_state,
        Contract.start_date, Contract.end_date, Contract.termination_date, Contract.employed, Contract.created_at,
    ).where((Contract.id_number == normalise(id_number)) & (Contract.state != "void")
            & Contract.employer.is_not_null()).order_by(  # not a batch's hidden rows (docs/IMPORTS.md §4)
        Contract.created_at, ascending=False
    ).limit(LIST_LIMIT)


# ---- for 劳动保障监察 (domains.labor_inspection): the employer's own 在职 contracts --------------------------------

async def employed_count(employer_id: int) -> int:
    """Workers with a current (在职) approved contract at this employer."""
    return await Contract.count().where((Contract.employer == employer_id) & Contract.employed.eq(True))


async def employed_roster(employer_id: int, limit: int = 5000) -> list[dict[str, Any]]:
    """The 在职 workers (one row each: the newest contract), for a 劳动用工信息 pre-fill."""
    rows = await Contract.select(
        Contract.worker_name, Contract.id_number, Contract.post, Contract.start_date, Contract.end_date,
        Contract.monthly_wage,
    ).where((Contract.employer == employer_id) & Contract.employed.eq(True)).order_by(Contract.id).limit(limit)
    return list({r["id_number"]: r for r in rows}.values())


# ---- for 一件事一次办 (domains.one_thing): the 新订 / 解除(终止) forms and rules, so they stay this domain's -----------

TEMPLATE_CHOICES = forms.TEMPLATE_CHOICES


def new_filing_fields() -> list[Field]:
    """The 新订 form's fields (劳动者, 合同信息) for a form that files it together with other business."""
    return [*forms.person_fields(), *forms.contract_fields()]


def contract_checks(cleaned: dict[str, Any]) -> dict[str, str]:
    """The 新订 form's rules across fields (field → reason)."""
    return rules.contract_field_errors(cleaned)


async def termination_form(data: Any, contract: dict[str, Any]) -> Form:
    """The 解除(终止) form of this contract, with its date rule (not before the earliest, not a month ahead)."""
    today = today_local()
    return forms.terminate_form(data, await termination_earliest(contract, today), today)


def termination_refusal(contract: dict[str, Any]) -> str | None:
    """Why this contract cannot be ended (LC-5: only a completed 新订/续订), or None."""
    return rules.may_terminate(contract)


async def termination_certificate(principal: Principal, contract_id: int, *, create: bool = False
                                  ) -> dict[str, Any] | None:
    """The 解除(终止)证明书 of the employer's approved 解除(终止) filing: the saved roster holding it, generated
    (LC-9, as 实时名册打印 does) when `create` and there is none yet; None when there is none (or cannot be yet)."""
    contract = await get_contract(principal, contract_id)
    kind = "termination_certificate"
    row = await RosterItem.select(RosterItem.roster).where(
        (RosterItem.contract == contract_id) & (RosterItem.roster.kind == kind)).first()
    if row is not None:
        return await rosters.get_roster(principal, row["roster"])
    if not create or rules.roster_refusal(kind, contract, set()):
        return None
    return await rosters.save(principal, kind, [contract_id])
