"""The workflow engine: create matters and fire transitions with an optimistic lock, event, message and audit row."""

from __future__ import annotations

import inspect
import json
import re
from datetime import UTC, datetime
from typing import Any

from litestar.exceptions import NotFoundException

from portal import audit
from portal.auth.principal import Principal
from portal.auth.tables import UsedToken
from portal.db import write_transaction
from portal.forms import Form
from portal.workflow import deadlines
from portal.workflow.errors import DuplicateSubmission, NotAllowed, StaleMatter, WorkflowError
from portal.workflow.kinds import EffectContext, MatterKind, Transition, get_kind
from portal.workflow.numbers import matter_number
from portal.workflow.queries import find_by_number, get_matter_for, select_matter, timeline
from portal.workflow.scope import covers_matter
from portal.workflow.tables import Material, Matter, MatterEvent, Message

# Re-exported: domains use engine.StaleMatter, engine.get_matter_for … as one import.
__all__ = [
    "DuplicateSubmission", "NotAllowed", "StaleMatter", "WorkflowError", "create_matter", "ensure_unused_token",
    "find_by_number", "fire", "fire_many", "get_matter_for", "missing_materials", "timeline", "update_payload",
]

_TOKEN = re.compile(r"[A-Za-z0-9_\-]{16,100}")


def now() -> datetime:
    return datetime.now(UTC)


def _check_actor(principal: Principal, kind: MatterKind, t: Transition, matter: dict[str, Any]) -> None:
    if t.actor == "applicant":
        if principal.is_staff:
            raise NotAllowed(f"“{t.label}”只能由申请人办理")
        own = (principal.is_employer and matter["employer"] == principal.employer_id) or (
            principal.is_person and matter["person"] == principal.person_id
        )
        if not own:
            raise NotFoundException("办件不存在")
        return
    if not principal.is_staff or not principal.can(t.permission):
        raise NotAllowed(f"您没有“{kind.name}—{t.label}”的权限")
    if not covers_matter(principal, matter):
        raise NotFoundException("办件不存在")


async def _check_one_stage(principal: Principal, matter_id: int, t: Transition) -> None:
    """SECURITY 12: whoever acted at one stage of a matter cannot act at another stage of it."""
    if not t.stage:
        return
    other = await MatterEvent.select(MatterEvent.stage, MatterEvent.action_label).where(
        (MatterEvent.matter == matter_id)
        & (MatterEvent.actor_kind == "staff")
        & (MatterEvent.actor_id == principal.account_id)
        & (MatterEvent.stage != "")
        & (MatterEvent.stage != t.stage)
    ).first()
    if other:
        raise NotAllowed(f"您已在本办件的其他环节办理过“{other['action_label']}”，同一人员不能办理两个环节")


async def ensure_unused_token(token: str | None) -> None:
    """DuplicateSubmission when this form was already submitted: a domain calls it before its own rules, so a
    double-clicked form answers 请勿重复提交 rather than the rule the first click's row now breaks."""
    if token and _TOKEN.fullmatch(token) and await UsedToken.exists().where(UsedToken.value == f"wf:{token}"):
        raise DuplicateSubmission()


async def _consume_token(token: str | None, principal: Principal) -> None:
    if not token:
        return
    if not _TOKEN.fullmatch(token):
        raise WorkflowError("表单已失效，请刷新页面后重试")
    if await UsedToken.exists().where(UsedToken.value == f"wf:{token}"):
        raise DuplicateSubmission()
    await UsedToken.insert(UsedToken(kind="wf_form", value=f"wf:{token}", at=now(), owner=principal.account_id))


async def missing_materials(kind: MatterKind, matter_id: int) -> list[str]:
    have = {
        r["code"]
        for r in await Material.select(Material.code).where(
            (Material.matter == matter_id) & Material.replaced_at.is_null()
        )
    }
    return [m.label for m in kind.materials if m.required and m.code not in have]


async def _clean_values(t: Transition, values: dict[str, Any] | None) -> dict[str, Any]:
    if not t.fields:
        return {}
    form = Form(t.fields, values or {})
    if not await form.validate():
        raise WorkflowError("请修改标出的内容", errors=form.errors)
    return form.cleaned


def _message_text(kind: MatterKind, matter: dict[str, Any], t: Transition, opinion: str) -> str:
    text = f"您的办件{matter['number']}（{matter['title'] or kind.name}）已{t.label}，当前状态：{kind.state_label(t.to_state)}。"
    if opinion:
        text += f"意见：{opinion}"
    return text


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
    _check_actor(principal, kind, t, matter)
    if matter["version"] != expected_version:
        raise StaleMatter(matter["state"], kind.state_label(matter["state"]))
    if matter["state"] not in t.from_states:
        raise NotAllowed(f"办件当前状态为“{kind.state_label(matter['state'])}”，不能{t.label}")
    if t.requires_opinion and not opinion:
        raise WorkflowError(f"请填写{t.opinion_label}", errors={"opinion": f"请填写{t.opinion_label}"})
    if len(opinion) > 2000:
        raise WorkflowError(f"{t.opinion_label}不能超过2000个字", errors={"opinion": f"{t.opinion_label}不能超过2000个字"})
    cleaned = await _clean_values(t, values)
    if payload_update is not None and not (t.actor == "applicant" and kind.state(matter["state"]).editable):
        raise NotAllowed("办件当前状态不能修改申请内容")
    if t.actor == "applicant" and t.starts_clock and (missing := await missing_materials(kind, matter_id)):
        raise NotAllowed("请先上传以下材料：" + "、".join(missing))
    if t.guard is not None:
        message = t.guard(matter, principal)
        if inspect.isawaitable(message):
            message = await message
        if message:
            raise NotAllowed(message)
    if principal.is_staff:
        await _check_one_stage(principal, matter_id, t)
    await _consume_token(form_token, principal)

    at = now()
    updates: dict[Any, Any] = {Matter.state: t.to_state, Matter.version: expected_version + 1, Matter.updated_at: at}
    if payload_update is not None:
        matter["payload"] = {**matter["payload"], **payload_update}
        updates[Matter.payload] = json.dumps(matter["payload"], ensure_ascii=False, default=str)
    if t.starts_clock:
        legal, promised = await deadlines.compute_deadlines(
            deadlines.local_date(at), kind.legal_days, kind.promised_days
        )
        updates.update({Matter.clock_started_at: at, Matter.legal_deadline: legal, Matter.promised_deadline: promised})
        if matter["submitted_at"] is None:
            updates[Matter.submitted_at] = at
    if kind.state(t.to_state).terminal:
        updates[Matter.finished_at] = at
    won = await Matter.update(updates).where(
        (Matter.id == matter_id) & (Matter.version == expected_version) & (Matter.state == matter["state"])
    ).returning(Matter.id)
    if not won:
        current = await Matter.select(Matter.state).where(Matter.id == matter_id).first()
        raise StaleMatter(current["state"], kind.state_label(current["state"]))
    from_state = matter["state"]
    matter.update({col._meta.name: value for col, value in updates.items()})
    matter["payload"] = matter["payload"] if isinstance(matter["payload"], dict) else json.loads(matter["payload"])

    if t.effect is not None:
        produced = await t.effect(EffectContext(matter, principal, t, opinion, cleaned))
        if produced:
            matter["result"] = {**matter["result"], **produced}
            await Matter.update(
                {Matter.result: json.dumps(matter["result"], ensure_ascii=False, default=str)}
            ).where(Matter.id == matter_id)
    await MatterEvent.insert(
        MatterEvent(
            matter=matter_id, actor_kind=principal.kind, actor_id=principal.account_id,
            actor_name=principal.audit_name, role=t.actor, stage=t.stage, action=t.name, action_label=t.label,
            from_state=from_state, to_state=t.to_state, opinion=opinion, at=at,
        )
    )
    await Message.insert(
        Message(
            employer=matter["employer"], person=matter["person"], matter=matter_id,
            title=f"{kind.name}：{t.label}", text=_message_text(kind, matter, t, opinion), created_at=at,
        )
    )
    await audit.record(
        category="workflow", action=f"matter.{t.name}", actor=principal, ip=ip, object_type="matter",
        object_id=matter_id,
        detail={"number": matter["number"], "kind": kind.code, "before": {"state": from_state, "version": expected_version},
                "after": {"state": t.to_state, "version": expected_version + 1}, "opinion": opinion,
                "values": cleaned, "result": matter["result"] if t.effect else {}},
    )
    return matter


async def fire_many(
    principal: Principal, items: list[tuple[int, int]], transition_name: str, *, opinion: str = "", ip: str = ""
) -> dict[int, str]:
    """Batch approve / batch confirm: each (matter id, version) in its own transaction; id → error ('' = done)."""
    results: dict[int, str] = {}
    for matter_id, version in items:
        try:
            matter = await get_matter_for(principal, matter_id)
            t = get_kind(matter["kind"]).transition(transition_name)
            if t is None or not t.batch:
                raise NotAllowed("该事项不支持批量办理")
            await fire(principal, matter_id, transition_name, expected_version=version, opinion=opinion, ip=ip)
            results[matter_id] = ""
        except WorkflowError as exc:
            results[matter_id] = exc.message
        except NotFoundException:
            results[matter_id] = "办件不存在"
    return results


async def _applicant_of(principal: Principal, kind: MatterKind, employer_id: int | None, person_id: int | None):
    if principal.is_staff:
        if not (principal.permissions & kind.staff_permissions):
            raise NotAllowed(f"您没有办理“{kind.name}”的权限")
        if (employer_id is None) == (person_id is None):
            raise WorkflowError("请指定申请单位或个人")
        return employer_id, person_id, principal.display_name, None
    if kind.applicant == "employer" and not principal.is_employer:
        raise NotAllowed(f"“{kind.name}”只能由单位申请")
    if kind.applicant == "person" and not principal.is_person:
        raise NotAllowed(f"“{kind.name}”只能由个人申请")
    # Never from a form: the applicant is whoever is logged in.
    if principal.is_employer:
        return principal.employer_id, None, principal.acting_name or principal.display_name, principal.agent_id
    return None, principal.person_id, principal.display_name, None


async def _applicant_row(employer_id: int | None, person_id: int | None) -> dict[str, Any]:
    if employer_id is not None:
        table = Matter.employer._foreign_key_meta.resolved_references
        row = await table.select(table.name, table.division_code).where(table.id == employer_id).first()
    else:
        table = Matter.person._foreign_key_meta.resolved_references
        row = await table.select(table.name, table.division_code).where(table.id == person_id).first()
    if row is None:
        raise WorkflowError("申请人不存在")
    return row


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
    write_transaction to create domain rows and the matter atomically.
    """
    kind = get_kind(kind) if isinstance(kind, str) else kind
    employer_id, person_id, acting_name, agent_id = await _applicant_of(principal, kind, employer_id, person_id)
    try:
        async with write_transaction():
            await _consume_token(form_token, principal)
            applicant = await _applicant_row(employer_id, person_id)
            division = division_code or applicant["division_code"] or ""
            if principal.is_staff and not principal.covers_division(division):
                raise NotFoundException("申请人不在您的管辖范围内")
            at = now()
            number = await matter_number(division, kind.short_code, deadlines.local_date(at))
            row = Matter(
                number=number, kind=kind.code, state=kind.initial_state, version=1,
                applicant_kind="employer" if employer_id is not None else "person",
                employer=employer_id, person=person_id, applicant_name=applicant["name"],
                acting_name=acting_name[:40], agent_id=agent_id, division_code=division,
                agency_code=agency_code, squad_code=squad_code, title=title[:200],
                payload=json.dumps(payload, ensure_ascii=False, default=str), result="{}",
                created_at=at, updated_at=at,
            )
            await row.save()
            await MatterEvent.insert(
                MatterEvent(
                    matter=row.id, actor_kind=principal.kind, actor_id=principal.account_id,
                    actor_name=principal.audit_name, role="staff" if principal.is_staff else "applicant",
                    action="create", action_label="新建", to_state=kind.initial_state, at=at,
                )
            )
            await audit.record(
                category="workflow", action="matter.create", actor=principal, ip=ip, object_type="matter",
                object_id=row.id, detail={"number": number, "kind": kind.code, "state": kind.initial_state},
            )
            matter = await select_matter(Matter.id == row.id)
            if submit:
                t = kind.submit_transition
                if t is None:
                    raise WorkflowError(f"“{kind.name}”没有提交环节")
                matter = await fire(principal, row.id, t.name, expected_version=1, ip=ip)
            return matter
    except (WorkflowError, NotFoundException):
        raise
    except Exception as exc:
        if type(exc).__name__ in {"UniqueViolationError", "IntegrityError"} and form_token:
            raise DuplicateSubmission() from exc
        raise


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
            Matter.updated_at: now(),
        }
        if title is not None:
            updates[Matter.title] = title[:200]
        won = await Matter.update(updates).where(
            (Matter.id == matter_id) & (Matter.version == expected_version) & (Matter.state == matter["state"])
        ).returning(Matter.id)
        if not won:
            raise StaleMatter(matter["state"], kind.state_label(matter["state"]))
        return await select_matter(Matter.id == matter_id)
