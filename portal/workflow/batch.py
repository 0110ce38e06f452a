"""fire_many: one transition on many matters at once, set-based, in one transaction.

The same rules as fire() (portal.workflow.transitions), checked per matter on rows read in sets of 500; the
states move with one conditional UPDATE per (kind, state, version) group — `WHERE id IN (…) AND state = … AND
version = …` inside the scope already checked — so of two batches racing for the same matters exactly one wins
each; the kind's guard and effect see the whole set when they declare a batch form (`guard_many`, `effect_many`),
else run per matter (an effect's refusal rolled back to a savepoint); events and messages are multi-row INSERTs and
the audit rows (one per matter, as fire() writes) are chained in order and inserted together. A refusal concerns
its own matter only: the result says, per matter, '' (done) or why not.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar.exceptions import NotFoundException

from portal import audit
from portal.auth.principal import Principal
from portal.db import bulk_insert, current_engine, execute_many, write_transaction
from portal.refusal import Refused
from portal.webutil import valid_id
from portal.workflow import transitions
from portal.workflow.errors import NotAllowed, StaleMatter, WorkflowError
from portal.workflow.kinds import EffectContext, MatterKind, Transition, get_kind
from portal.workflow.queries import load_json
from portal.workflow.scope import scope_where
from portal.workflow.tables import Material, Matter, MatterEvent, Message

CHUNK = 500
NOT_FOUND = "办件不存在"
# PostgreSQL: another transaction's write collided with this batch (a unique index, a deadlock): nothing was done
CONFLICT = "办理时与他人的操作冲突，本批均未办理，请刷新后重试"
_CONFLICTS = {"UniqueViolationError", "IntegrityError", "DeadlockDetectedError", "SerializationError"}


@dataclass
class _Move:
    matter: dict[str, Any]
    kind: MatterKind
    t: Transition
    from_state: str = ""
    version: int = 0
    before: dict[str, Any] | None = None  # the columns the UPDATE changed, as they were (to put a refusal back)


def _chunks(values: list[Any]) -> Iterable[list[Any]]:
    for i in range(0, len(values), CHUNK):
        yield values[i:i + CHUNK]


async def fire_many(
    principal: Principal, items: list[tuple[int, int]], transition_name: str, *, opinion: str = "", ip: str = ""
) -> dict[int, str]:
    """Batch approve / 批量确认 of (matter id, version) pairs: matter id → '' when done, else the Chinese reason
    (not theirs, not batchable, someone else acted, the guard's or the effect's refusal), in the order given."""
    wanted: dict[int, int] = {}
    for matter_id, version in items:
        wanted.setdefault(matter_id, version)
    if not wanted:
        return {}
    opinion = (opinion or "").strip()
    try:
        async with write_transaction():
            refused = await _fire_set(principal, wanted, transition_name, opinion, ip)
    except WorkflowError as exc:  # a guard or effect refused the set as a whole: nothing was done
        await _audit_unseen(principal, wanted)
        return dict.fromkeys(wanted, exc.message)
    except Exception as exc:
        if type(exc).__name__ in _CONFLICTS:
            await _audit_unseen(principal, wanted)
            return dict.fromkeys(wanted, CONFLICT)
        raise
    return {matter_id: refused.get(matter_id, "") for matter_id in wanted}


async def _audit_unseen(principal: Principal, wanted: dict[int, int]) -> None:
    """After a rolled-back batch, the security rows of its matters outside the scope still stand (SECURITY 21)."""
    ids = [i for i in wanted if valid_id(i)]
    loaded = await _load(principal, ids)
    await audit.record_many(await _unseen_entries(principal, [i for i in ids if i not in loaded]))


async def _fire_set(principal: Principal, wanted: dict[int, int], name: str, opinion: str,
                    ip: str) -> dict[int, str]:
    ids = [i for i in wanted if valid_id(i)]
    refused: dict[int, str] = dict.fromkeys((i for i in wanted if not valid_id(i)), NOT_FOUND)
    loaded = await _load(principal, ids)
    unseen = [i for i in ids if i not in loaded]
    refused.update(dict.fromkeys(unseen, NOT_FOUND))
    moves = []
    for matter_id in ids:
        if matter_id in loaded:
            try:
                moves.append(_allowed(principal, loaded[matter_id], name, wanted[matter_id], opinion))
            except WorkflowError as exc:
                refused[matter_id] = exc.message
            except NotFoundException:
                refused[matter_id] = NOT_FOUND
    moves = await _checked(principal, moves, refused)
    at = transitions.now()
    moves = await _claim(moves, refused, at)
    moves = await _effects(principal, moves, opinion, refused)
    await bulk_insert(MatterEvent, [transitions.event_row(principal, m.matter["id"], m.t, m.from_state, opinion, at)
                                    for m in moves])
    # The applicant's time-limited steps out of the new state (如需申诉，请于…前提出): once per kind and transition.
    limits = {(m.kind.code, m.t.name): await transitions.next_limits(m.kind, m.t, at) for m in moves}
    await bulk_insert(Message, [transitions.message_row(m.kind, m.matter, m.t, opinion, at, {},
                                                        limits[(m.kind.code, m.t.name)]) for m in moves])
    # The audit rows last: on PostgreSQL their chain lock is taken after the matters' row locks, as fire() does,
    # so two batches never wait for each other in opposite orders.
    await audit.record_many(await _unseen_entries(principal, unseen) + [
        {"category": "workflow", "action": f"matter.{m.t.name}", "actor": principal, "ip": ip, "object_type": "matter",
         "object_id": m.matter["id"],
         "detail": transitions.audit_detail(m.kind, m.matter, m.t, m.from_state, m.version, opinion, {})}
        for m in moves
    ])
    return refused


async def _load(principal: Principal, ids: list[int]) -> dict[int, dict[str, Any]]:
    where = scope_where(principal)
    if where is None:
        return {}
    found: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(ids):
        for row in await Matter.select().where(Matter.id.is_in(chunk) & where):
            found[row["id"]] = load_json(row)
    return found


async def _unseen_entries(principal: Principal, ids: list[int]) -> list[dict[str, Any]]:
    """SECURITY 21, as get_matter_for(): an existing matter outside the caller's scope leaves a security row."""
    existing: list[int] = []
    for chunk in _chunks(ids):
        existing += [r["id"] for r in await Matter.select(Matter.id).where(Matter.id.is_in(chunk))]
    return [{"category": "security", "action": "workflow.cross_tenant", "actor": principal, "result": "denied",
             "object_type": "matter", "object_id": matter_id} for matter_id in sorted(existing)]


def _allowed(principal: Principal, matter: dict[str, Any], name: str, version: int, opinion: str) -> _Move:
    """fire()'s checks on a loaded matter that need no query: batchable, role and scope, version, state, opinion."""
    try:
        kind = get_kind(matter["kind"])
    except LookupError:
        raise NotAllowed("该事项不支持批量办理") from None
    t = kind.transition(name)
    if t is None or not t.batch:
        raise NotAllowed("该事项不支持批量办理")
    transitions.check_move(principal, kind, t, matter, version, opinion)
    if t.fields:
        raise NotAllowed(f"“{t.label}”需要逐件填写，不能批量办理")
    return _Move(matter, kind, t, from_state=matter["state"], version=version)


def _by_transition(moves: list[_Move]) -> dict[int, list[_Move]]:
    groups: dict[int, list[_Move]] = defaultdict(list)
    for move in moves:
        groups[id(move.t)].append(move)
    return groups


async def _checked(principal: Principal, moves: list[_Move], refused: dict[int, str]) -> list[_Move]:
    """Materials, SECURITY 12 and the guard, each a query (or a few) per set, not per matter."""
    need = [m.matter["id"] for m in moves if transitions.needs_materials_check(m.t)]
    uploaded: dict[int, set[str]] = defaultdict(set)
    for chunk in _chunks(need):
        for row in await Material.select(Material.matter, Material.code).where(
                Material.matter.is_in(chunk) & Material.replaced_at.is_null()):
            uploaded[row["matter"]].add(row["code"])
    for group in _by_transition(moves).values():
        t = group[0].t
        stages = await transitions.other_stages(principal, [m.matter["id"] for m in group], t)
        refused.update(stages)
        for move in group:
            if move.matter["id"] not in refused:
                try:
                    transitions.check_materials(move.kind, t, uploaded.get(move.matter["id"], ()))
                    if t.time_limit_days:  # a query per matter, only for the rare time-limited step
                        await transitions.check_time_limit(move.kind, t, move.matter)
                except WorkflowError as exc:
                    refused[move.matter["id"]] = exc.message
        group = [m for m in group if m.matter["id"] not in refused]
        if t.guard_many is not None and group:
            refused.update(await t.guard_many([m.matter for m in group], principal))
        elif t.guard is not None:
            for move in group:
                try:
                    await transitions.check_guard(t, move.matter, principal)
                except WorkflowError as exc:
                    refused[move.matter["id"]] = exc.message
    return [m for m in moves if m.matter["id"] not in refused]


async def _claim(moves: list[_Move], refused: dict[int, str], at: datetime) -> list[_Move]:
    """The conditional UPDATE: one per (kind, state, version, first submission) group, 500 ids a statement; a
    matter another transaction moved first matches nothing and is refused with its current state."""
    groups: dict[tuple, list[_Move]] = defaultdict(list)
    for move in moves:
        groups[(move.kind.code, move.t.name, move.from_state, move.version,
                move.matter["submitted_at"] is None)].append(move)
    won: set[int] = set()
    for (_, _, state, version, first), group in groups.items():
        kind, t = group[0].kind, group[0].t
        arrival = await transitions.arrival(kind, t, at, first_submission=first)
        changes = {**arrival, "version": version + 1, "updated_at": at}
        updates = {Matter._meta.get_column_by_name(k): v for k, v in changes.items()}
        # ids in ascending order: two batches over the same matters lock them in the same order (PostgreSQL)
        for chunk in _chunks(sorted(m.matter["id"] for m in group)):
            rows = await Matter.update(updates).where(
                Matter.id.is_in(chunk) & (Matter.state == state) & (Matter.version == version)
            ).returning(Matter.id)
            won.update(r["id"] for r in rows)
        for move in group:
            if move.matter["id"] in won:
                move.before = {k: move.matter[k] for k in changes}
                move.matter.update(changes)
    lost = [m for m in moves if m.matter["id"] not in won]
    if lost:
        current = {}
        for chunk in _chunks([m.matter["id"] for m in lost]):
            current.update({r["id"]: r["state"] for r in await Matter.select(Matter.id, Matter.state).where(
                Matter.id.is_in(chunk))})
        for move in lost:
            state = current.get(move.matter["id"], move.from_state)
            refused[move.matter["id"]] = StaleMatter(state, move.kind.state_label(state)).message
    return [m for m in moves if m.matter["id"] in won]


async def _effects(principal: Principal, moves: list[_Move], opinion: str, refused: dict[int, str]) -> list[_Move]:
    """Each transition's effect over its matters: the batch form once, or the single form per matter inside a
    savepoint (its refusal undoes only its own writes). A refused matter is put back as it was."""
    kept: list[tuple[int, dict[str, Any]]] = []
    undone: list[_Move] = []
    for group in _by_transition(moves).values():
        t = group[0].t
        if t.effect is None and t.effect_many is None:
            continue
        contexts = [EffectContext(m.matter, principal, t, opinion, {}) for m in group]
        outcome = await t.effect_many(contexts) if t.effect_many is not None else await _one_by_one(t, contexts)
        for move in group:
            produced = outcome.get(move.matter["id"])
            if isinstance(produced, str):
                refused[move.matter["id"]] = produced
                undone.append(move)
            elif produced:
                move.matter["result"] = {**move.matter["result"], **produced}
                kept.append((move.matter["id"], move.matter["result"]))
    await execute_many('UPDATE "matter" SET "result" = {} WHERE "id" = {}',
                       [(json.dumps(result, ensure_ascii=False, default=str), matter_id) for matter_id, result in kept])
    for move in undone:
        await Matter.update({Matter._meta.get_column_by_name(k): v for k, v in (move.before or {}).items()}).where(
            Matter.id == move.matter["id"])
    return [m for m in moves if m.matter["id"] not in refused]


async def _one_by_one(t: Transition, contexts: list[EffectContext]) -> dict[int, str | dict[str, Any]]:
    assert t.effect is not None
    transaction = current_engine().current_transaction.get()
    outcome: dict[int, str | dict[str, Any]] = {}
    for context in contexts:
        savepoint = await transaction.savepoint()
        try:
            produced = await t.effect(context)
        except Refused as exc:
            await savepoint.rollback_to()
            outcome[context.matter["id"]] = exc.message
            continue
        await savepoint.release()
        if produced:
            outcome[context.matter["id"]] = produced
    return outcome
