"""Creating matters, one or many in one path: the kind's rules, one sequence reservation per number prefix,
multi-row INSERTs for matters, events and messages, and one audit row."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar.exceptions import NotFoundException

from portal import audit
from portal.auth.principal import Principal
from portal.dataservices.staging import Batch
from portal.db import bulk_insert, reserve_ids, write_transaction
from portal.workflow import deadlines, transitions
from portal.workflow.errors import DuplicateSubmission, WorkflowError
from portal.workflow.kinds import MatterKind, Transition, get_kind
from portal.workflow.numbers import matter_prefix, reserve_sequence
from portal.workflow.tables import Matter, MatterEvent, Message


async def create_matter(
    principal: Principal,
    kind: MatterKind | str,
    *,
    payload: dict[str, Any],
    title: str,
    division_code: str = "",
    agency_code: str = "",
    squad_code: str = "",
    submit: bool = False,
    form_token: str | None = None,
    employer_id: int | None = None,
    person_id: int | None = None,
    ip: str = "",
) -> dict[str, Any]:
    """A new matter in the kind's initial state (a draft), submitted at once when `submit`.

    Applicants: the employer/person comes from the Principal. Staff (e.g. 注销 started by staff) name the
    applicant with employer_id/person_id and must cover its division. Call it inside the domain's own
    write_transaction to create domain rows and the matter atomically. `form_token` makes a double post act once.
    """
    item = {"payload": payload, "title": title, "division_code": division_code, "agency_code": agency_code,
            "squad_code": squad_code}
    try:
        async with write_transaction():
            await transitions.consume_token(form_token, principal)
            matters = await create_matters(principal, kind, [item], submit=submit, employer_id=employer_id,
                                           person_id=person_id, ip=ip)
            return matters[0]
    except (WorkflowError, NotFoundException):
        raise
    except Exception as exc:
        if type(exc).__name__ in {"UniqueViolationError", "IntegrityError"} and form_token:
            raise DuplicateSubmission() from exc
        raise


async def create_matters(principal: Principal, kind: MatterKind | str, items: list[dict[str, Any]],
                         **options: Any) -> list[dict[str, Any]]:
    """Many matters of one kind for one applicant, all or none; returns them in the order of `items`.

    Each item: {"payload": dict, "title": str, "division_code"?, "agency_code"?, "squad_code"?}. Options are
    plan_matters()'s: `submit` (default True), `employer_id`/`person_id` (staff name the applicant and must cover
    its division; applicants are the Principal), `ip`. With `submit` the kind's submit transition follows at
    once under the rules fire() applies (portal.workflow.transitions). Call it inside the domain's
    write_transaction to be atomic with domain rows. It is plan_matters() then write_matters(): a batch import
    plans outside its transaction and only writes inside it.
    """
    plan = await plan_matters(principal, kind, items, **options)
    async with write_transaction():
        return await write_matters(plan)


@dataclass
class MatterPlan:
    """New matters checked and built, not yet written: what write_matters() inserts."""

    principal: Principal
    kind: MatterKind
    transition: Transition | None
    employer_id: int | None
    person_id: int | None
    at: datetime
    prefixes: list[str]
    rows: list[dict[str, Any]]  # Matter columns without id and number; payload as JSON text
    ip: str = ""
    payloads: list[dict[str, Any]] | None = None  # the same payloads as dicts (returned without parsing)

    def subset(self, indexes: list[int]) -> MatterPlan:
        """The plan of the items at `indexes` only (a staged chunk whose second check refused some rows)."""
        return dataclasses.replace(self, prefixes=[self.prefixes[i] for i in indexes],
                                   rows=[self.rows[i] for i in indexes],
                                   payloads=None if self.payloads is None else [self.payloads[i] for i in indexes])


# A matter of an import not yet published (docs/IMPORTS.md §4): no applicant, so no applicant query finds it, and
# never submitted in a state no list names, so no staff query does. Its events follow it; its messages have no
# owner either.
STAGED = "staged"
HIDDEN_MATTER = {"employer": None, "person": None, "state": STAGED, "submitted_at": None}
HIDDEN_MESSAGE = {"employer": None, "person": None}


async def plan_matters(
    principal: Principal,
    kind: MatterKind | str,
    items: list[dict[str, Any]],
    *,
    submit: bool = True,
    employer_id: int | None = None,
    person_id: int | None = None,
    ip: str = "",
) -> MatterPlan:
    """The checks and the CPU work of create_matters (rules, applicant, deadlines, payloads serialised): reads
    only, so a batch runs it before its write transaction and holds SQLite's writer just for the inserts."""
    kind = get_kind(kind) if isinstance(kind, str) else kind
    if not items:
        return MatterPlan(principal, kind, None, employer_id, person_id, transitions.now(), [], [], ip)
    employer_id, person_id, acting_name, agent_id = await transitions.applicant_of(
        principal, kind, employer_id, person_id)
    t = kind.submit_transition if submit else None
    if submit:
        if t is None:
            raise WorkflowError(f"“{kind.name}”没有提交环节")
        transitions.check_role(principal, kind, t)
        transitions.check_state(kind, t, kind.initial_state)
        if t.requires_opinion or t.fields:
            raise WorkflowError(f"“{kind.name}—{t.label}”需要逐件填写，不能在新建时直接{t.label}")
        transitions.check_materials(kind, t, ())  # a new matter has no materials yet
    at = transitions.now()
    applicant = await transitions.applicant_row(employer_id, person_id)
    day = deadlines.local_date(at)
    divisions = [item.get("division_code") or applicant["division_code"] or "" for item in items]
    if principal.is_staff:
        for division in set(divisions):
            if not principal.covers_division(division):
                raise NotFoundException("申请人不在您的管辖范围内")
    columns: dict[str, Any] = {"state": kind.initial_state, "version": 1}
    if t is not None:
        columns = {**await transitions.arrival(kind, t, at, first_submission=True), "version": 2}
    common = {"kind": kind.code, "applicant_kind": "employer" if employer_id is not None else "person",
              "employer": employer_id, "person": person_id, "applicant_name": applicant["name"],
              "acting_name": acting_name[:40], "agent_id": agent_id, "result": "{}", "created_at": at,
              "updated_at": at, **columns}
    rows = []
    for i, (item, division) in enumerate(zip(items, divisions, strict=True)):
        rows.append({**common, "division_code": division, "agency_code": item.get("agency_code", ""),
                     "squad_code": item.get("squad_code", ""), "title": item["title"][:200],
                     "payload": json.dumps(item["payload"], ensure_ascii=False, default=str)})
        if i % 1000 == 999:
            await asyncio.sleep(0)  # a batch's 50,000 payloads: other requests run in between
    prefixes = [matter_prefix(division, kind.short_code, day) for division in divisions]
    return MatterPlan(principal, kind, t, employer_id, person_id, at, prefixes, rows, ip,
                      [item["payload"] for item in items])


async def write_matters(plan: MatterPlan, links: list[dict[str, Any]] | None = None, *,
                        batch: Batch | None = None) -> list[dict[str, Any]]:
    """Insert a plan's matters, their events and messages and one audit row, inside the caller's
    write_transaction; `links[i]` joins the payload of matter i (ids of domain rows reserved in the same
    transaction). Numbers are reserved here, so a rolled-back batch leaves no gap. With `batch` (a chunk of an
    import) the rows go in hidden and the audit row is written when the batch publishes (one for all chunks)."""
    kind, t, principal, at = plan.kind, plan.transition, plan.principal, plan.at
    if not plan.rows:
        return []
    if batch is not None and t is not None and t.effect is not None:
        raise WorkflowError(f"“{kind.name}—{t.label}”有办理效果，不能分批写入")  # an effect's rows would be visible
    numbers: list[str] = [""] * len(plan.rows)
    by_prefix: dict[str, list[int]] = {}
    for index, prefix in enumerate(plan.prefixes):
        by_prefix.setdefault(prefix, []).append(index)
    for prefix, indexes in by_prefix.items():
        for index, seq in zip(indexes, await reserve_sequence(prefix, len(indexes)), strict=True):
            numbers[index] = f"{prefix}-{seq:04d}"
    ids = await reserve_ids(Matter, len(plan.rows))
    rows = [{**row, "id": id_, "number": number} for row, id_, number in zip(plan.rows, ids, numbers, strict=True)]
    payloads = list(plan.payloads or [json.loads(row["payload"]) for row in rows])
    if links is not None:
        for i, (row, link) in enumerate(zip(rows, links, strict=True)):
            row["payload"] = _joined(row["payload"], link)
            payloads[i] = {**payloads[i], **link}
    if batch is None:
        await bulk_insert(Matter, rows)
    else:
        await batch.insert(Matter, rows, HIDDEN_MATTER)
    defaults = _defaults()
    matters = [{**defaults, **row, "payload": payload, "result": {}} for row, payload in zip(rows, payloads, strict=True)]
    role = "staff" if principal.is_staff else "applicant"
    actor = {"actor_kind": principal.kind, "actor_id": principal.account_id, "actor_name": principal.audit_name}
    events: list[dict[str, Any]] = [
        {"matter": m["id"], **actor, "role": role, "stage": "", "action": "create", "action_label": "新建",
         "from_state": "", "to_state": kind.initial_state, "opinion": "", "at": at}
        for m in matters
    ]
    messages: list[dict[str, Any]] = []
    if t is not None:
        for matter in matters:
            # the guard sees the matter as fire() shows it: still in its initial state
            await transitions.check_guard(t, {**matter, "state": kind.initial_state, "version": 1}, principal)
            await transitions.run_effect(t, matter, principal, "", {})
        events += [
            {"matter": m["id"], **actor, "role": t.actor, "stage": t.stage, "action": t.name,
             "action_label": t.label, "from_state": kind.initial_state, "to_state": t.to_state, "opinion": "",
             "at": at}
            for m in matters
        ]
        title = f"{kind.name}：{t.label}"
        messages = [
            {"employer": plan.employer_id, "person": plan.person_id, "matter": m["id"], "title": title,
             "text": transitions.message_text(kind, m, t, ""), "created_at": at}
            for m in matters
        ]
    if batch is None:
        await bulk_insert(MatterEvent, events)
        await bulk_insert(Message, messages)
        await _audit_created(plan, [[m["id"], m["number"]] for m in matters], matters[0]["state"])
        return matters
    await batch.insert(MatterEvent, events, {})
    await batch.insert(Message, messages, HIDDEN_MESSAGE)
    created = batch.on_publish(f"workflow.created.{kind.code}", lambda: _audit_created(plan, created,
                                                                                       matters[0]["state"]))
    created.extend([m["id"], m["number"]] for m in matters)
    return matters


async def _audit_created(plan: MatterPlan, created: list[list[Any]], state: str) -> None:
    """One audit row for the matters created together: [[id, number], …]."""
    kind, principal = plan.kind, plan.principal
    if len(created) == 1:
        await audit.record(
            category="workflow", action="matter.create", actor=principal, ip=plan.ip, object_type="matter",
            object_id=created[0][0], detail={"number": created[0][1], "kind": kind.code, "state": state},
        )
    else:
        await audit.record(
            category="workflow", action="matter.create_bulk", actor=principal, ip=plan.ip, object_type="matter",
            object_id=f"{created[0][0]}..{created[-1][0]}",
            detail={"kind": kind.code, "count": len(created), "state": state, "matters": created},
        )


def _joined(payload: str, link: dict[str, Any]) -> str:
    """`link`'s keys added to a serialised payload object without parsing it again (50,000 payloads a batch)."""
    if not link:
        return payload
    extra = json.dumps(link, ensure_ascii=False, default=str)[1:]
    return payload[:-1] + ("," if payload != "{}" else "") + extra


_DEFAULTS: dict[str, Any] = {}


def _defaults() -> dict[str, Any]:
    """Every Matter column at its default: a written matter is returned as Matter.select() would give it."""
    if not _DEFAULTS:
        _DEFAULTS.update({c._meta.name: c.get_default_value() for c in Matter._meta.columns})
    return _DEFAULTS
