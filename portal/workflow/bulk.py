"""Bulk matter creation for batch uploads: the rules of create_matter + submit, with multi-row INSERTs and one audit row."""

from __future__ import annotations

import inspect
import json
from datetime import UTC, datetime
from typing import Any

from litestar.exceptions import NotFoundException

from portal import audit
from portal.auth.principal import Principal
from portal.db import fetch, write_transaction
from portal.workflow import deadlines
from portal.workflow.engine import _applicant_of, _applicant_row, _message_text
from portal.workflow.errors import NotAllowed, WorkflowError
from portal.workflow.kinds import EffectContext, MatterKind, get_kind
from portal.workflow.queries import _load
from portal.workflow.tables import Matter, MatterEvent, Message, NumberSequence

# Rows per INSERT: Matter has ~25 columns and SQLite allows 32,766 bound parameters per statement.
CHUNK = 400


async def reserve_sequence(prefix: str, count: int) -> list[int]:
    """`count` consecutive counter values for `prefix` in ONE atomic upsert (inside the caller's transaction)."""
    table = NumberSequence._meta.tablename
    rows = await fetch(
        f'INSERT INTO "{table}" ("prefix", "last") VALUES ({{}}, {{}}) '
        f'ON CONFLICT ("prefix") DO UPDATE SET "last" = "{table}"."last" + {{}} RETURNING "last"',
        prefix, count, count,
    )
    last = int(rows[0]["last"])
    return list(range(last - count + 1, last + 1))


def _chunks(rows: list[Any]) -> list[list[Any]]:
    return [rows[i:i + CHUNK] for i in range(0, len(rows), CHUNK)]


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

    Each item: {"payload": dict, "title": str, "division_code"?, "agency_code"?, "squad_code"?}. Same rules
    as create_matter(submit=…) per item — applicant from the Principal (staff name it and must cover its
    division), the submit transition's actor, states, materials and guard, deadlines from the same calendar —
    but one sequence update per number prefix, multi-row INSERTs for matters, events and messages, and ONE
    audit row listing every matter. Call it inside the domain's write_transaction to be atomic with domain rows.
    """
    kind = get_kind(kind) if isinstance(kind, str) else kind
    if not items:
        return []
    employer_id, person_id, acting_name, agent_id = await _applicant_of(principal, kind, employer_id, person_id)
    t = kind.submit_transition if submit else None
    if submit:
        if t is None:
            raise WorkflowError(f"“{kind.name}”没有提交环节")
        if t.actor == "applicant" and principal.is_staff:
            raise NotAllowed(f"“{t.label}”只能由申请人办理")
        if t.actor != "applicant" and not (principal.is_staff and principal.can(t.permission)):
            raise NotAllowed(f"您没有“{kind.name}—{t.label}”的权限")
        if kind.initial_state not in t.from_states:
            raise NotAllowed(f"办件当前状态为“{kind.state_label(kind.initial_state)}”，不能{t.label}")
        if t.requires_opinion or t.fields:
            raise WorkflowError(f"“{kind.name}—{t.label}”需要逐件填写，不能批量办理")
        # A new matter has no materials yet: a required one blocks submission exactly as in fire().
        if t.starts_clock and (missing := [m.label for m in kind.materials if m.required]):
            raise NotAllowed("请先上传以下材料：" + "、".join(missing))
    async with write_transaction():
        applicant = await _applicant_row(employer_id, person_id)
        at = datetime.now(UTC)
        day = deadlines.local_date(at)
        divisions = [item.get("division_code") or applicant["division_code"] or "" for item in items]
        if principal.is_staff:
            for division in set(divisions):
                if not principal.covers_division(division):
                    raise NotFoundException("申请人不在您的管辖范围内")
        numbers: list[str] = [""] * len(items)
        by_prefix: dict[str, list[int]] = {}
        for index, division in enumerate(divisions):
            by_prefix.setdefault(f"{division or '000000'}-{day:%Y%m%d}-{kind.short_code}", []).append(index)
        for prefix, indexes in by_prefix.items():
            for index, seq in zip(indexes, await reserve_sequence(prefix, len(indexes)), strict=True):
                numbers[index] = f"{prefix}-{seq:04d}"

        state, version = kind.initial_state, 1
        extra: dict[str, Any] = {}
        if t is not None:
            state, version = t.to_state, 2
            extra["submitted_at"] = at
            if t.starts_clock:
                legal, promised = await deadlines.compute_deadlines(day, kind.legal_days, kind.promised_days)
                extra.update(clock_started_at=at, legal_deadline=legal, promised_deadline=promised)
            if kind.state(t.to_state).terminal:
                extra["finished_at"] = at
        rows = [
            Matter(
                number=numbers[i], kind=kind.code, state=state, version=version,
                applicant_kind="employer" if employer_id is not None else "person",
                employer=employer_id, person=person_id, applicant_name=applicant["name"],
                acting_name=acting_name[:40], agent_id=agent_id, division_code=divisions[i],
                agency_code=item.get("agency_code", ""), squad_code=item.get("squad_code", ""),
                title=item["title"][:200], payload=json.dumps(item["payload"], ensure_ascii=False, default=str),
                result="{}", created_at=at, updated_at=at, **extra,
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
        matters = [
            _load({**row.to_dict(), "id": ids[row.number]}) for row in rows
        ]
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
            events.append(MatterEvent(
                matter=matter["id"], actor_kind=principal.kind, actor_id=principal.account_id,
                actor_name=principal.audit_name, role=t.actor, stage=t.stage, action=t.name, action_label=t.label,
                from_state=kind.initial_state, to_state=t.to_state, opinion="", at=at,
            ))
            messages.append(Message(
                employer=employer_id, person=person_id, matter=matter["id"], title=f"{kind.name}：{t.label}",
                text=_message_text(kind, matter, t, ""), created_at=at,
            ))
        if t is not None and (t.guard is not None or t.effect is not None):
            await _guards_and_effects(principal, t, matters)
        for chunk in _chunks(events):
            await MatterEvent.insert(*chunk)
        for chunk in _chunks(messages):
            await Message.insert(*chunk)
        await audit.record(
            category="workflow", action="matter.create_bulk", actor=principal, ip=ip, object_type="matter",
            object_id=f"{matters[0]['id']}..{matters[-1]['id']}",
            detail={"kind": kind.code, "count": len(matters), "state": state,
                    "matters": [[m["id"], m["number"]] for m in matters]},
        )
        return matters


async def _guards_and_effects(principal: Principal, t: Any, matters: list[dict[str, Any]]) -> None:
    """Per-matter guard and effect of the submit transition (most kinds have neither, so this is rare)."""
    for matter in matters:
        if t.guard is not None:
            message = t.guard(matter, principal)
            if inspect.isawaitable(message):
                message = await message
            if message:
                raise NotAllowed(message)
        if t.effect is not None:
            produced = await t.effect(EffectContext(matter, principal, t, "", {}))
            if produced:
                matter["result"] = {**matter["result"], **produced}
                await Matter.update(
                    {Matter.result: json.dumps(matter["result"], ensure_ascii=False, default=str)}
                ).where(Matter.id == matter["id"])
