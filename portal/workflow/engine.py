"""The workflow engine: fire transitions with an optimistic lock, event, message and audit row (creation: creation.py)."""

from __future__ import annotations

import json
from typing import Any

from litestar.exceptions import NotFoundException

from portal import audit
from portal.auth.principal import Principal
from portal.auth.tables import UsedToken
from portal.db import current_engine, fetch, is_sqlite, write_transaction
from portal.forms import Form
from portal.workflow import transitions
from portal.workflow.batch import fire_many
from portal.workflow.creation import create_matter
from portal.workflow.errors import DuplicateSubmission, NotAllowed, StaleMatter, WorkflowError
from portal.workflow.kinds import Transition, get_kind
from portal.workflow.queries import find_by_number, get_matter_for, select_matter, timeline
from portal.workflow.tables import Material, Matter, MatterEvent, Message
from portal.workflow.transitions import ensure_unused_token

# Re-exported: domains use engine.StaleMatter, engine.get_matter_for … as one import.
__all__ = [
    "DuplicateSubmission", "NotAllowed", "StaleMatter", "WorkflowError", "create_matter", "ensure_unused_token",
    "find_by_number", "fire", "fire_many", "get_matter_for", "lock_matters", "timeline", "update_payload",
]

async def _uploaded(matter_id: int) -> set[str]:
    return {
        r["code"]
        for r in await Material.select(Material.code).where(
            (Material.matter == matter_id) & Material.replaced_at.is_null()
        )
    }


async def _clean_values(t: Transition, values: dict[str, Any] | None) -> dict[str, Any]:
    if not t.fields:
        return {}
    form = Form(t.fields, values or {})
    if not await form.validate():
        raise WorkflowError("请修改标出的内容", errors=form.errors)
    return form.cleaned


async def lock_matters(matter_ids: list[int]) -> None:
    """For a transaction that moves several matters one after another (整件撤回): lock their rows first, in id
    order, before anything is audited. Otherwise, on PostgreSQL, its first transition takes the audit chain's lock
    until the end while a reviewer's transition of a later matter holds that matter's row and waits for the same
    lock: a deadlock, one of them ending in an error. Call inside the write_transaction, then read the matters.
    SQLite: nothing (BEGIN IMMEDIATE already serialises writers)."""
    ids = sorted(set(matter_ids))
    if ids and not is_sqlite(current_engine()):
        await fetch(f"SELECT id FROM matter WHERE id IN ({', '.join('{}' for _ in ids)}) ORDER BY id FOR UPDATE",
                    *ids)


async def fire(
    principal: Principal,
    matter_id: int,
    transition_name: str,
    *,
    expected_version: int,
    opinion: str = "",
    form_token: str | None = None,
    payload_update: dict[str, Any] | None = None,
    values: dict[str, Any] | None = None,
    ip: str = "",
) -> dict[str, Any]:
    """Move a matter along `transition_name`; one conditional UPDATE, its event, message and audit row.

    Raises NotFoundException (not theirs), NotAllowed (role, permission, state, guard, two stages),
    StaleMatter (someone else acted first), DuplicateSubmission (form posted twice) or WorkflowError.
    """
    opinion = (opinion or "").strip()
    # Outside the transaction first: a refused cross-tenant attempt must leave its audit row (SECURITY 21).
    await get_matter_for(principal, matter_id)
    try:
        async with write_transaction():
            return await _fire_in_transaction(
                principal, matter_id, transition_name, expected_version, opinion, form_token, payload_update,
                values, ip,
            )
    except WorkflowError:
        raise
    except NotFoundException:
        raise
    except Exception as exc:
        if type(exc).__name__ in {"UniqueViolationError", "IntegrityError"} and form_token:
            raise DuplicateSubmission() from exc
        raise


async def _fire_in_transaction(
    principal: Principal,
    matter_id: int,
    name: str,
    expected_version: int,
    opinion: str,
    form_token: str | None,
    payload_update: dict[str, Any] | None,
    values: dict[str, Any] | None,
    ip: str,
) -> dict[str, Any]:
    matter = await get_matter_for(principal, matter_id)
    if form_token and await UsedToken.exists().where(UsedToken.value == f"wf:{form_token}"):
        # Checked before the version: a double click is "already done", not "someone else acted".
        raise DuplicateSubmission()
    kind = get_kind(matter["kind"])
    t = kind.transition(name)
    if t is None:
        raise NotAllowed("该办件不能进行此操作")
    transitions.check_move(principal, kind, t, matter, expected_version, opinion)
    cleaned = await _clean_values(t, values)
    if payload_update is not None and not (t.actor == "applicant" and kind.state(matter["state"]).editable):
        raise NotAllowed("办件当前状态不能修改申请内容")
    if transitions.needs_materials_check(t):
        transitions.check_materials(kind, t, await _uploaded(matter_id))
    await transitions.check_time_limit(kind, t, matter)
    await transitions.check_guard(t, matter, principal)
    if refusal := (await transitions.other_stages(principal, [matter_id], t)).get(matter_id):
        raise NotAllowed(refusal)
    await transitions.consume_token(form_token, principal)

    at = transitions.now()
    arrival = await transitions.arrival(kind, t, at, first_submission=matter["submitted_at"] is None)
    updates: dict[Any, Any] = {Matter._meta.get_column_by_name(k): v for k, v in arrival.items()}
    updates.update({Matter.version: expected_version + 1, Matter.updated_at: at})
    if payload_update is not None:
        matter["payload"] = {**matter["payload"], **payload_update}
        updates[Matter.payload] = json.dumps(matter["payload"], ensure_ascii=False, default=str)
    won = await Matter.update(updates).where(
        (Matter.id == matter_id) & (Matter.version == expected_version) & (Matter.state == matter["state"])
    ).returning(Matter.id)
    if not won:
        current = await Matter.select(Matter.state).where(Matter.id == matter_id).first()
        raise StaleMatter(current["state"], kind.state_label(current["state"]))
    from_state = matter["state"]
    matter.update({col._meta.name: value for col, value in updates.items()})
    matter["payload"] = matter["payload"] if isinstance(matter["payload"], dict) else json.loads(matter["payload"])

    await transitions.run_effect(t, matter, principal, opinion, cleaned)
    await MatterEvent.insert(MatterEvent(**transitions.event_row(principal, matter_id, t, from_state, opinion, at)))
    await Message.insert(Message(**transitions.message_row(
        kind, matter, t, opinion, at, cleaned, await transitions.next_limits(kind, t, at))))
    await audit.record(
        category="workflow", action=f"matter.{t.name}", actor=principal, ip=ip, object_type="matter",
        object_id=matter_id,
        detail=transitions.audit_detail(kind, matter, t, from_state, expected_version, opinion, cleaned),
    )
    return matter


async def update_payload(
    principal: Principal, matter_id: int, *, expected_version: int, payload: dict[str, Any], title: str | None = None
) -> dict[str, Any]:
    """Save a draft (or a returned/rejected matter being corrected) without moving it; bumps the version."""
    async with write_transaction():
        matter = await get_matter_for(principal, matter_id)
        kind = get_kind(matter["kind"])
        if principal.is_staff:
            raise NotAllowed("申请内容只能由申请人修改")
        if not kind.state(matter["state"]).editable:
            raise NotAllowed(f"办件当前状态为“{kind.state_label(matter['state'])}”，不能修改")
        merged = {**matter["payload"], **payload}
        updates: dict[Any, Any] = {
            Matter.payload: json.dumps(merged, ensure_ascii=False, default=str),
            Matter.version: expected_version + 1,
            Matter.updated_at: transitions.now(),
        }
        if title is not None:
            updates[Matter.title] = title[:200]
        won = await Matter.update(updates).where(
            (Matter.id == matter_id) & (Matter.version == expected_version) & (Matter.state == matter["state"])
        ).returning(Matter.id)
        if not won:
            raise StaleMatter(matter["state"], kind.state_label(matter["state"]))
        return await select_matter(Matter.id == matter_id)
