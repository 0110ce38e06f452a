"""The rules of moving a matter, written once for fire() and for creating matters already submitted: who may
act, from which state, required materials, guard, effect, the fields that change, the applicant, the message."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from litestar.exceptions import NotFoundException

from portal.auth.principal import Principal
from portal.auth.tables import UsedToken
from portal.values import chinese_date
from portal.workflow import deadlines
from portal.workflow.errors import DuplicateSubmission, NotAllowed, StaleMatter, WorkflowError
from portal.workflow.kinds import EffectContext, MatterKind, State, Transition
from portal.workflow.scope import covers_matter
from portal.workflow.tables import Matter, MatterEvent


def now() -> datetime:
    """The workflow's clock (one place, so tests can move it)."""
    return datetime.now(UTC)


_TOKEN = re.compile(r"[A-Za-z0-9_\-]{16,100}")


async def ensure_unused_token(token: str | None) -> None:
    """DuplicateSubmission when this form was already submitted: a domain calls it before its own rules, so a
    double-clicked form answers 请勿重复提交 rather than the rule the first click's row now breaks."""
    if token and _TOKEN.fullmatch(token) and await UsedToken.exists().where(UsedToken.value == f"wf:{token}"):
        raise DuplicateSubmission()


async def consume_token(token: str | None, principal: Principal) -> None:
    """A one-time form id: the same form posted twice acts once (double click, back button)."""
    if not token:
        return
    if not _TOKEN.fullmatch(token):
        raise WorkflowError("表单已失效，请刷新页面后重试")
    if await UsedToken.exists().where(UsedToken.value == f"wf:{token}"):
        raise DuplicateSubmission()
    await UsedToken.insert(UsedToken(kind="wf_form", value=f"wf:{token}", at=now(), owner=principal.account_id))


def check_role(principal: Principal, kind: MatterKind, t: Transition) -> None:
    """Applicant transitions are the applicant's alone; staff ones need the transition's permission."""
    if t.actor == "applicant":
        if principal.is_staff:
            raise NotAllowed(f"“{t.label}”只能由申请人办理")
        return
    if not principal.is_staff or not principal.can(t.permission):
        raise NotAllowed(f"您没有“{kind.name}—{t.label}”的权限")


def check_actor(principal: Principal, kind: MatterKind, t: Transition, matter: dict[str, Any]) -> None:
    """The role, then whose matter it is: the applicant's own, or inside the staff member's jurisdiction (404)."""
    check_role(principal, kind, t)
    if t.actor == "applicant":
        own = (principal.is_employer and matter["employer"] == principal.employer_id) or (
            principal.is_person and matter["person"] == principal.person_id
        )
        if not own:
            raise NotFoundException("办件不存在")
    elif not covers_matter(principal, matter):
        raise NotFoundException("办件不存在")


def check_move(principal: Principal, kind: MatterKind, t: Transition, matter: dict[str, Any], version: int,
               opinion: str) -> None:
    """fire()'s checks on a loaded matter: role and scope, the version the user saw (StaleMatter), state, opinion."""
    check_actor(principal, kind, t, matter)
    if matter["version"] != version:
        raise StaleMatter(matter["state"], kind.state_label(matter["state"]))
    check_state(kind, t, matter["state"])
    check_opinion(t, opinion)


def check_opinion(t: Transition, opinion: str) -> None:
    if t.requires_opinion and not opinion:
        raise WorkflowError(f"请填写{t.opinion_label}", errors={"opinion": f"请填写{t.opinion_label}"})
    if len(opinion) > 2000:
        raise WorkflowError(f"{t.opinion_label}不能超过2000个字", errors={"opinion": f"{t.opinion_label}不能超过2000个字"})


def check_state(kind: MatterKind, t: Transition, state: str) -> None:
    if state not in t.from_states:
        raise NotAllowed(f"办件当前状态为“{kind.state_label(state)}”，不能{t.label}")


def check_materials(kind: MatterKind, t: Transition, uploaded: Iterable[str]) -> None:
    """An applicant's submission that starts the legal clock needs every required material: the application's
    own, and those of this step (an appeal's)."""
    if t.actor != "applicant" or not t.starts_clock:
        return
    have = set(uploaded)
    if missing := [m.label for m in kind.materials
                   if m.required and m.transition in ("", t.name) and m.code not in have]:
        raise NotAllowed("请先上传以下材料：" + "、".join(missing))


def needs_materials_check(t: Transition) -> bool:
    """Whether check_materials() looks at the uploads at all (spares the query otherwise)."""
    return t.actor == "applicant" and t.starts_clock


async def state_reached_at(matter_id: int, state: str) -> datetime | None:
    """When the matter last arrived in `state` (its timeline's latest event into it)."""
    row = await MatterEvent.select(MatterEvent.at).where(
        (MatterEvent.matter == matter_id) & (MatterEvent.to_state == state)
    ).order_by(MatterEvent.id, ascending=False).first()
    return row["at"] if row else None


async def last_day_from(reached: datetime, days: int) -> date:
    start = deadlines.local_date(reached)
    return deadlines.add_working_days(start, days, await deadlines.calendar_around(start, days))


async def time_limit_last_day(t: Transition, matter: dict[str, Any]) -> date | None:
    """The last day `t` may happen on this matter (working days over the holiday calendar), or None."""
    if not t.time_limit_days or matter["state"] not in t.from_states:
        return None
    reached = await state_reached_at(matter["id"], matter["state"])
    return await last_day_from(reached, t.time_limit_days) if reached else None


def past(last: date | None) -> bool:
    """Whether a step's last day has gone by (today in China)."""
    return last is not None and deadlines.local_date(now()) > last


async def lapsed(kind: MatterKind, matter: dict[str, Any]) -> bool:
    """Whether the matter rests in a state with a `lapsed_label` whose applicant's time-limited step (申诉 within
    15 working days) can no longer happen: the decision is final. A query only for such states."""
    state = next((s for s in kind.states if s.code == matter["state"]), None)
    if state is None or not state.lapsed_label:
        return False
    for t in kind.available(matter["state"], "applicant"):
        if t.time_limit_days and past(await time_limit_last_day(t, matter)):
            return True
    return False


async def shown_state(kind: MatterKind, matter: dict[str, Any]) -> State:
    """The state as pages and lists name it: a lapsed one under its `lapsed_label` (已评定 → 已生效)."""
    state = kind.state(matter["state"])
    return replace(state, label=state.lapsed_label) if await lapsed(kind, matter) else state


async def check_time_limit(kind: MatterKind, t: Transition, matter: dict[str, Any]) -> None:
    last = await time_limit_last_day(t, matter)
    if past(last):
        raise NotAllowed(
            f"已超过{t.label}期限：应在“{kind.state_label(matter['state'])}”后{t.time_limit_days}个工作日内提出，"
            f"最后一天为{chinese_date(last)}，现已不能{t.label}")


async def other_stages(principal: Principal, matter_ids: list[int], t: Transition) -> dict[int, str]:
    """SECURITY 12: whoever acted at one stage of a matter cannot act at another stage of it; matter id → refusal
    for those of `matter_ids` this staff member acted on at another stage (one query per 500 matters)."""
    if not t.stage or not principal.is_staff:
        return {}
    found: dict[int, str] = {}
    for i in range(0, len(matter_ids), 500):
        rows = await MatterEvent.select(MatterEvent.matter, MatterEvent.action_label).where(
            MatterEvent.matter.is_in(matter_ids[i:i + 500])
            & (MatterEvent.actor_kind == "staff")
            & (MatterEvent.actor_id == principal.account_id)
            & (MatterEvent.stage != "")
            & (MatterEvent.stage != t.stage)
        )
        for row in rows:
            found.setdefault(row["matter"],
                             f"您已在本办件的其他环节办理过“{row['action_label']}”，同一人员不能办理两个环节")
    return found


async def check_guard(t: Transition, matter: dict[str, Any], principal: Principal) -> None:
    if t.guard is None:
        return
    message = t.guard(matter, principal)
    if inspect.isawaitable(message):
        message = await message
    if message:
        raise NotAllowed(message)


async def run_effect(t: Transition, matter: dict[str, Any], principal: Principal, opinion: str,
                     values: dict[str, Any]) -> None:
    """The transition's effect (domain rows) inside the caller's transaction; what it returns joins the result."""
    if t.effect is None:
        return
    produced = await t.effect(EffectContext(matter, principal, t, opinion, values))
    if produced:
        matter["result"] = {**matter["result"], **produced}
        await Matter.update(
            {Matter.result: json.dumps(matter["result"], ensure_ascii=False, default=str)}
        ).where(Matter.id == matter["id"])


async def arrival(kind: MatterKind, t: Transition, at: datetime, first_submission: bool) -> dict[str, Any]:
    """Matter column name → value when `t` happens at `at`: the new state, the clock and its deadlines, the end."""
    out: dict[str, Any] = {"state": t.to_state}
    if t.starts_clock:
        legal, promised = await deadlines.compute_deadlines(deadlines.local_date(at), kind.legal_days,
                                                            kind.promised_days)
        out.update(clock_started_at=at, legal_deadline=legal, promised_deadline=promised)
        if first_submission:
            out["submitted_at"] = at
    if kind.state(t.to_state).terminal:
        out["finished_at"] = at
    return out


def event_row(principal: Principal, matter_id: int, t: Transition, from_state: str, opinion: str,
              at: datetime) -> dict[str, Any]:
    """The timeline row of a transition (MatterEvent columns)."""
    return {"matter": matter_id, "actor_kind": principal.kind, "actor_id": principal.account_id,
            "actor_name": principal.audit_name, "role": t.actor, "stage": t.stage, "action": t.name,
            "action_label": t.label, "from_state": from_state, "to_state": t.to_state, "opinion": opinion, "at": at}


def message_row(kind: MatterKind, matter: dict[str, Any], t: Transition, opinion: str, at: datetime,
                values: dict[str, Any] | None = None,
                next_limits: Iterable[tuple[Transition, date]] = ()) -> dict[str, Any]:
    """The applicant's notice of a transition (Message columns)."""
    return {"employer": matter["employer"], "person": matter["person"], "matter": matter["id"],
            "title": f"{kind.name}：{t.label}", "text": message_text(kind, matter, t, opinion, values, next_limits),
            "created_at": at}


def audit_detail(kind: MatterKind, matter: dict[str, Any], t: Transition, from_state: str, version: int,
                 opinion: str, values: dict[str, Any]) -> dict[str, Any]:
    """What the audit row of a transition says (one row per matter, whether fired alone or in a batch)."""
    return {"number": matter["number"], "kind": kind.code, "before": {"state": from_state, "version": version},
            "after": {"state": t.to_state, "version": version + 1}, "opinion": opinion, "values": values,
            "result": matter["result"] if t.effect else {}}


def message_text(kind: MatterKind, matter: dict[str, Any], t: Transition, opinion: str,
                 values: dict[str, Any] | None = None, next_limits: Iterable[tuple[Transition, date]] = ()) -> str:
    """The applicant's message: what happened, the decided fields (评定等级：C 不守法诚信), the opinion and the last
    day of any time-limited step now open to them (如需申诉，请于…前提出)."""
    text = f"您的办件{matter['number']}（{matter['title'] or kind.name}）已{t.label}，当前状态：{kind.state_label(t.to_state)}。"
    for f in t.fields:
        value = (values or {}).get(f.name)
        if value not in (None, ""):
            text += f"{f.label}：{dict(getattr(f, 'choices', ()) or ()).get(value, value)}。"
    if opinion:
        text += f"意见：{opinion}"
    for step, last in next_limits:
        text += f"{'' if text.endswith('。') else '。'}如需{step.label}，请于{chinese_date(last)}前（含当日）提出。"
    return text


async def next_limits(kind: MatterKind, t: Transition, at: datetime) -> list[tuple[Transition, date]]:
    """(step, last day) of the applicant's time-limited steps out of the state `t` arrives in at `at`."""
    return [(step, await last_day_from(at, step.time_limit_days))
            for step in kind.available(t.to_state, "applicant") if step.time_limit_days]


async def applicant_of(principal: Principal, kind: MatterKind, employer_id: int | None, person_id: int | None):
    """(employer id, person id, acting name, agent id) of a new matter: the signed-in applicant, or the one staff name."""
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


async def applicant_row(employer_id: int | None, person_id: int | None) -> dict[str, Any]:
    if employer_id is not None:
        table = Matter.employer._foreign_key_meta.resolved_references
        row = await table.select(table.name, table.division_code).where(table.id == employer_id).first()
    else:
        table = Matter.person._foreign_key_meta.resolved_references
        row = await table.select(table.name, table.division_code).where(table.id == person_id).first()
    if row is None:
        raise WorkflowError("申请人不存在")
    return row
