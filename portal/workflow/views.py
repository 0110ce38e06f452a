"""What applicant and staff pages share: deadline flags, the detail context and reading a transition form."""

from __future__ import annotations

import secrets
import time
from collections.abc import Collection
from datetime import date, timedelta
from typing import Any

from litestar import Request
from piccolo.columns.combination import WhereRaw

from portal import validators
from portal.auth.principal import Principal
from portal.core import versions
from portal.web import client_ip
from portal.workflow import deadlines, engine, transitions
from portal.workflow.kinds import MatterKind, Transition, all_kinds, get_kind
from portal.workflow.materials import materials_of
from portal.workflow.tables import Evaluation, Matter

FLAG_TEXT = {"overdue": "已超期", "due_soon": "即将到期"}
GRADES = ((5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意"))


def form_id() -> str:
    """A one-time id for a form: posting it twice acts once (UsedToken is UNIQUE)."""
    return secrets.token_urlsafe(18)


def kind_or_none(code: str) -> MatterKind | None:
    try:
        return get_kind(code)
    except LookupError:
        return None


# The holiday calendar changes a few times a year (an administrator's edit), yet every list page reads it: keep
# the window around today for a short while. Flags are display only; deadlines themselves are computed from the
# table (deadlines.compute_deadlines), so a stale calendar can at worst colour a row for CALENDAR_TTL_S seconds.
# An edit in another process shows within versions.POLL_S (the shared version row).
CALENDAR_TTL_S = 30.0
_calendar_cache: dict[str, Any] = {}
_calendar_version = versions.Watch(versions.HOLIDAYS)


def forget_calendar() -> None:
    """Drop the cached calendar window (after editing holidays, and between tests)."""
    _calendar_cache.clear()
    _calendar_version.forget()



async def cached_calendar(today: date) -> dict[date, bool]:
    now = time.monotonic()
    version = await _calendar_version.current()
    if (_calendar_cache.get("day") == today and now - _calendar_cache.get("at", -1e9) < CALENDAR_TTL_S
            and _calendar_cache.get("version") == version):
        return _calendar_cache["calendar"]
    calendar = await deadlines.load_calendar(today - timedelta(days=400), today + timedelta(days=120))
    _calendar_cache.update(day=today, at=now, calendar=calendar, version=version)
    return calendar


async def flagger() -> Any:
    """A function matter → ('overdue' | 'due_soon' | '', text) using one calendar read for a whole list."""
    today = deadlines.local_date()
    calendar = await cached_calendar(today)

    def flag(matter: dict[str, Any]) -> tuple[str, str]:
        kind = kind_or_none(matter["kind"])
        if kind is None or matter.get("promised_deadline") is None:
            return "", ""
        try:
            running = kind.state(matter["state"]).clock_running
        except KeyError:
            running = False
        if not running:
            return "", ""
        code = deadlines.deadline_flag(_as_date(matter["promised_deadline"]), today, calendar)
        return code, FLAG_TEXT.get(code, "")

    return flag


def _clock_states() -> tuple[dict[str, list[str]], set[str]]:
    """state → the kinds whose clock runs in it, and the states some kind stops its clock in."""
    running: dict[str, list[str]] = {}
    stopped: set[str] = set()
    for kind in all_kinds():
        for state in kind.states:
            if state.clock_running:
                running.setdefault(state.code, []).append(kind.code)
            else:
                stopped.add(state.code)
    return running, stopped


def _clock_running() -> WhereRaw | None:
    """Matters whose state runs the clock, as one flat clause grouped by state — (state = s AND kind IN (…)) OR …,
    the kind test left out where every kind that has the state runs the clock in it. The same condition as a
    chain of Piccolo `|`s over the kinds, but that chain of ~30 nested combinations took 1.4 ms of CPU a request
    to turn into SQL, and PostgreSQL plans the shorter clause faster (issue #15, the 超期 filter)."""
    running, stopped = _clock_states()
    parts, args = [], []
    for state, kinds in sorted(running.items()):
        if state in stopped:
            parts.append('("matter"."state" = {} AND "matter"."kind" IN (' + ", ".join(["{}"] * len(kinds)) + "))")
            args += [state, *kinds]
        else:
            parts.append('"matter"."state" = {}')
            args.append(state)
    return WhereRaw("(" + " OR ".join(parts) + ")", *args) if parts else None


async def flag_where(code: str, states: Collection[str] | None = None) -> Any | None:
    """The SQL condition equal to `flag(matter)[0] == code`, so a flag filter pages in the database.

    due_soon means at most DUE_SOON_DAYS working days after today up to the deadline, i.e. a deadline from
    today up to (not including) the day the (DUE_SOON_DAYS + 1)-th working day after today falls on.
    None when no matter can carry the flag. `states`: the states the caller's query already limits matters
    to; when every kind runs its clock in each of them, the clock test is the state filter itself and is left
    out (the workbench's waiting states: a shorter WHERE for PostgreSQL to plan on every request, issue #15).
    """
    if code not in FLAG_TEXT:
        return None
    running, stopped = _clock_states()
    if states is not None and states and all(s in running and s not in stopped for s in states):
        clock = None
    elif (clock := _clock_running()) is None:
        return None
    today = deadlines.local_date()
    if code == "overdue":
        dated = Matter.promised_deadline < today
    else:
        calendar = await cached_calendar(today)
        limit = deadlines.add_working_days(today, deadlines.DUE_SOON_DAYS + 1, calendar)
        dated = (Matter.promised_deadline >= today) & (Matter.promised_deadline < limit)
    return dated if clock is None else clock & dated


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


MASKS = {"phone": validators.mask_phone, "id_number": validators.mask_id_number}


def payload_rows(kind: MatterKind | None, payload: dict[str, Any],
                 labels: dict[str, dict[str, str]] | None = None) -> list[tuple[str, Any]]:
    """(label, value) pairs for the generic payload display; keys without a label are not shown. `labels`:
    category → code → label (payload_label_categories) for entries naming a dictionary category."""
    if kind is not None and kind.payload_labels:
        rows = []
        for key, label, *how in kind.payload_labels:
            value = payload.get(key)
            if value in (None, ""):
                continue
            if how and how[0] in MASKS:
                value = MASKS[how[0]](str(value))
            elif how:
                value = (labels or {}).get(how[0], {}).get(str(value), value)
            rows.append((label, value))
        return rows
    return [(str(k), v) for k, v in payload.items() if isinstance(v, str | int | float) and not str(k).startswith("_")]


async def payload_label_categories(kind: MatterKind | None) -> dict[str, dict[str, str]]:
    """The dictionaries a kind's payload_labels name, loaded once for payload_rows."""
    from portal.core import dictionary

    wanted = {how[0] for _, _, *how in (kind.payload_labels if kind else ()) if how and how[0] not in MASKS}
    return {category: await dictionary.labels(category) for category in sorted(wanted)}


async def _division_name(code: str | None) -> str:
    """行政区划 by its name (海口市龙华区), never the bare code; an unknown code is shown as it is."""
    from portal.core import dictionary

    return (await dictionary.labels("division")).get(code or "", code or "")


async def applicant_rows(matter: dict[str, Any]) -> list[tuple[str, Any]]:
    """The applicant's record for the reviewer (read through the FK, so portal/ never imports a domain)."""
    if matter["employer"] is not None:
        table = Matter.employer._foreign_key_meta.resolved_references
        row = await table.select().where(table.id == matter["employer"]).first() or {}
        return [
            ("单位名称", row.get("name")), ("统一社会信用代码", row.get("uscc")), ("法定代表人", row.get("legal_rep")),
            ("行政区划", await _division_name(row.get("division_code"))), ("通讯地址", row.get("address")),
            ("联系人", row.get("contact_name")), ("联系电话", validators.mask_phone(row.get("contact_phone") or "")),
            ("本次经办人", matter["acting_name"]),
        ]
    table = Matter.person._foreign_key_meta.resolved_references
    row = await table.select().where(table.id == matter["person"]).first() or {}
    return [("姓名", row.get("name")), ("身份证号", validators.mask_id_number(row.get("id_number") or "")),
            ("联系电话", validators.mask_phone(row.get("mobile") or ""))]


async def matter_context(principal: Principal, matter: dict[str, Any]) -> dict[str, Any]:
    """Everything a detail page or the review modal shows about one allowed matter."""
    kind = kind_or_none(matter["kind"])
    actor = "staff" if principal.is_staff else "applicant"
    actions: list[Transition] = []
    state = await transitions.shown_state(kind, matter) if kind else None
    # a lapsed decision is final: nothing is left for the applicant to do (接受评定 included)
    final = state is not None and bool(state.lapsed_label) and state.label == state.lapsed_label
    if kind is not None and not (final and actor == "applicant"):
        actions = [
            t for t in kind.available(matter["state"], actor)
            if (actor == "applicant" or principal.can(t.permission))
            # a step whose time limit has passed is not offered (the engine would refuse it)
            and not (t.time_limit_days and transitions.past(await transitions.time_limit_last_day(t, matter)))
        ]
    flag = await flagger()
    evaluation = await Evaluation.select().where(Evaluation.matter == matter["id"]).first()
    # A kind may warn its reviewers (kind.extra["review_notices"](principal, matter) → [str]), read when shown.
    notices = kind.extra.get("review_notices") if kind is not None and principal.is_staff else None
    return {
        "matter": matter,
        "kind": kind,
        "state": state,
        "actions": actions,
        "needs_opinion": any(t.requires_opinion for t in actions),
        "opinion_label": next((t.opinion_label for t in actions if t.requires_opinion), "意见"),
        "extra_fields": [f for t in actions for f in t.fields],
        "payload_rows": payload_rows(kind, matter["payload"], await payload_label_categories(kind)),
        "materials": await materials_of(matter["id"]),
        "events": await engine.timeline(matter["id"]),
        "flag": flag(matter),
        "form_id": form_id(),
        "evaluation": evaluation,
        "grades": GRADES,
        "applicant": await applicant_rows(matter) if principal.is_staff else [],
        "detail": await kind.detail_context(principal, matter) if kind and kind.detail_context else {},
        "review_notices": await notices(principal, matter) if notices else [],
    }


async def read_transition(request: Request) -> dict[str, Any]:
    """The posted transition form; `version` is only the optimistic-lock expectation, never trusted state."""
    form = await request.form()
    raw_version = str(form.get("version", ""))
    values = {k: str(v) for k, v in form.items() if k not in {"_csrf_token", "transition", "version", "opinion", "form_id"}}
    return {
        "transition": str(form.get("transition", "")),
        "version": int(raw_version) if raw_version.isdigit() else -1,
        "opinion": str(form.get("opinion", ""))[:4000],
        "form_id": str(form.get("form_id", "")) or None,
        "values": values,
        "ip": client_ip(request),
    }


async def fire_from_form(principal: Principal, matter_id: int, posted: dict[str, Any]) -> dict[str, Any]:
    return await engine.fire(
        principal, matter_id, posted["transition"], expected_version=posted["version"], opinion=posted["opinion"],
        form_token=posted["form_id"], values=posted["values"], ip=posted["ip"],
    )
