"""Who may see which matters: applicants their own, staff those of their kinds inside their jurisdiction."""

from __future__ import annotations

from functools import reduce
from typing import Any

from portal.auth.principal import Principal, division_clause
from portal.workflow.kinds import all_kinds, kinds_outside
from portal.workflow.tables import Matter


def staff_kinds(principal: Principal) -> list[str]:
    """Kinds the staff member works on: those with a transition whose permission they hold."""
    return [k.code for k in all_kinds() if principal.permissions & k.staff_permissions]


def _jurisdiction(principal: Principal) -> Any:
    conditions = [clause] if (clause := division_clause(principal, Matter.division_code)) is not None else []
    if squads := principal.scopes.get("squad"):
        conditions.append(Matter.squad_code.is_in(list(squads)))
    if agencies := principal.scopes.get("agency"):
        conditions.append(Matter.agency_code.is_in(list(agencies)))
    if not conditions:
        return None
    return reduce(lambda a, b: a | b, conditions)


def unsubmitted_states() -> set[str]:
    """States a matter can be in without ever having been submitted: its kind's initial state (草稿) and what
    the applicant reaches from there without starting the clock (撤回, 删除)."""
    found: set[str] = set()
    for kind in all_kinds():
        reach, todo = {kind.initial_state}, [kind.initial_state]
        while todo:
            state = todo.pop()
            for t in kind.transitions:
                if state in t.from_states and not t.starts_clock and t.to_state not in reach:
                    reach.add(t.to_state)
                    todo.append(t.to_state)
        found |= reach
    return found


def scope_where(
    principal: Principal | None, *, kinds: list[str] | None = None, states: list[str] | None = None
) -> Any:
    """A WHERE clause limiting matters to what `principal` may see; None means nothing at all.

    Staff never see a matter its applicant has not submitted (a draft, or one withdrawn or deleted as a
    draft): `submitted_at` is set by the first submission. Callers that already limit the states to ones no
    unsubmitted matter can be in pass them as `states`, which keeps the workbench's index covering.
    """
    if principal is None:
        return None
    if principal.is_employer and principal.employer_id is not None:
        own = Matter.employer == principal.employer_id
        # ACC-8: an agent sees only the matters of the services its authorisation names.
        if principal.services is not None and (hidden := kinds_outside(principal.services)):
            return own & Matter.kind.not_in(hidden)
        return own
    if principal.is_person and principal.person_id is not None:
        return Matter.person == principal.person_id
    if not principal.is_staff:
        return None
    visible = staff_kinds(principal) if kinds is None else [k for k in kinds if k in staff_kinds(principal)]
    jurisdiction = _jurisdiction(principal)
    if not visible or jurisdiction is None:
        return None
    where = Matter.kind.is_in(visible) & (jurisdiction)
    if states is None or set(states) & unsubmitted_states():
        where = where & Matter.submitted_at.is_not_null()
    return where


def covers_matter(principal: Principal, matter: dict[str, Any]) -> bool:
    """The Python twin of scope_where for one loaded matter (used again at transition time)."""
    if principal.is_employer:
        return matter["employer"] == principal.employer_id
    if principal.is_person:
        return matter["person"] == principal.person_id
    if matter["kind"] not in staff_kinds(principal) or matter["submitted_at"] is None:
        return False
    return (
        principal.covers_division(matter["division_code"])
        or (bool(matter["squad_code"]) and matter["squad_code"] in principal.scopes.get("squad", ()))
        or (bool(matter["agency_code"]) and matter["agency_code"] in principal.scopes.get("agency", ()))
    )
