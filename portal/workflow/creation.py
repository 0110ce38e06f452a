"""Creating matters, one or many in one path: the kind's rules, one sequence reservation per number prefix,
multi-row INSERTs for matters, events and messages, and one audit row."""

from __future__ import annotations

import json
from typing import Any

from litestar.exceptions import NotFoundException

from portal import audit
from portal.auth.principal import Principal
from portal.db import write_transaction
from portal.workflow import deadlines, transitions
from portal.workflow.errors import DuplicateSubmission, WorkflowError
from portal.workflow.kinds import MatterKind, get_kind
from portal.workflow.numbers import matter_prefix, reserve_sequence
from portal.workflow.queries import load_json
from portal.workflow.tables import Matter, MatterEvent, Message

# Rows per INSERT: Matter has ~25 columns and SQLite allows 32,766 bound parameters per statement.
CHUNK = 400


def _chunks(rows: list[Any]) -> list[list[Any]]:
    return [rows[i:i + CHUNK] for i in range(0, len(rows), CHUNK)]


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


async def create_matters(
    principal: Principal,
    kind: MatterKind | str,
    items: list[dict[str, Any]],
    *,
    submit: bool = True,
    employer_id: int | None = None,
    person_id: int | None = None,
    ip: str = "",
) -> list[dict[str, Any]]:
    """Many matters of one kind for one applicant, all or none; returns them in the order of `items`.

    Each item: {"payload": dict, "title": str, "division_code"?, "agency_code"?, "squad_code"?}. The applicant
    comes from the Principal (staff name it and must cover its division); with `submit` the kind's submit
    transition follows at once under the rules fire() applies (portal.workflow.transitions). Call it inside the
    domain's write_transaction to be atomic with domain rows.
    """
    kind = get_kind(kind) if isinstance(kind, str) else kind
    if not items:
        return []
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
    async with write_transaction():
        applicant = await transitions.applicant_row(employer_id, person_id)
        at = transitions.now()
        day = deadlines.local_date(at)
        divisions = [item.get("division_code") or applicant["division_code"] or "" for item in items]
        if principal.is_staff:
            for division in set(divisions):
                if not principal.covers_division(division):
                    raise NotFoundException("申请人不在您的管辖范围内")
        numbers: list[str] = [""] * len(items)
        by_prefix: dict[str, list[int]] = {}
        for index, division in enumerate(divisions):
            by_prefix.setdefault(matter_prefix(division, kind.short_code, day), []).append(index)
        for prefix, indexes in by_prefix.items():
            for index, seq in zip(indexes, await reserve_sequence(prefix, len(indexes)), strict=True):
                numbers[index] = f"{prefix}-{seq:04d}"

        columns: dict[str, Any] = {"state": kind.initial_state, "version": 1}
        if t is not None:
            columns = {**await transitions.arrival(kind, t, at, first_submission=True), "version": 2}
        rows = [
            Matter(
                number=numbers[i], kind=kind.code, applicant_kind="employer" if employer_id is not None else "person",
                employer=employer_id, person=person_id, applicant_name=applicant["name"],
                acting_name=acting_name[:40], agent_id=agent_id, division_code=divisions[i],
                agency_code=item.get("agency_code", ""), squad_code=item.get("squad_code", ""),
                title=item["title"][:200], payload=json.dumps(item["payload"], ensure_ascii=False, default=str),
                result="{}", created_at=at, updated_at=at, **columns,
            )
            for i, item in enumerate(items)
        ]
        for chunk in _chunks(rows):
            await Matter.insert(*chunk)
        # Ids by number (unique), not by RETURNING order, which SQLite does not promise for multi-row INSERTs.
        ids: dict[str, int] = {}
        for chunk in _chunks(numbers):
            ids.update({r["number"]: r["id"] for r in await Matter.select(Matter.id, Matter.number).where(
                Matter.number.is_in(chunk))})
        matters = [load_json({**row.to_dict(), "id": ids[row.number]}) for row in rows]
        events = []
        messages = []
        role = "staff" if principal.is_staff else "applicant"
        for matter in matters:
            events.append(MatterEvent(
                matter=matter["id"], actor_kind=principal.kind, actor_id=principal.account_id,
                actor_name=principal.audit_name, role=role, action="create", action_label="新建",
                to_state=kind.initial_state, at=at,
            ))
            if t is None:
                continue
            # the guard sees the matter as fire() shows it: still in its initial state
            await transitions.check_guard(t, {**matter, "state": kind.initial_state, "version": 1}, principal)
            await transitions.run_effect(t, matter, principal, "", {})
            events.append(MatterEvent(
                matter=matter["id"], actor_kind=principal.kind, actor_id=principal.account_id,
                actor_name=principal.audit_name, role=t.actor, stage=t.stage, action=t.name, action_label=t.label,
                from_state=kind.initial_state, to_state=t.to_state, opinion="", at=at,
            ))
            messages.append(Message(
                employer=employer_id, person=person_id, matter=matter["id"], title=f"{kind.name}：{t.label}",
                text=transitions.message_text(kind, matter, t, ""), created_at=at,
            ))
        for chunk in _chunks(events):
            await MatterEvent.insert(*chunk)
        for chunk in _chunks(messages):
            await Message.insert(*chunk)
        state = columns["state"]
        if len(matters) == 1:
            await audit.record(
                category="workflow", action="matter.create", actor=principal, ip=ip, object_type="matter",
                object_id=matters[0]["id"], detail={"number": matters[0]["number"], "kind": kind.code, "state": state},
            )
        else:
            await audit.record(
                category="workflow", action="matter.create_bulk", actor=principal, ip=ip, object_type="matter",
                object_id=f"{matters[0]['id']}..{matters[-1]['id']}",
                detail={"kind": kind.code, "count": len(matters), "state": state,
                        "matters": [[m["id"], m["number"]] for m in matters]},
            )
        return matters
