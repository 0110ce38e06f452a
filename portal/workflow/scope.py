"""Who may see which matters: applicants their own, staff those of their kinds inside their jurisdiction."""

from __future__ import annotations

from functools import reduce
from typing import Any

from portal.auth.principal import Principal, division_clause
from portal.workflow.kinds import all_kinds
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


def scope_where(principal: Principal | None, *, kinds: list[str] | None = None) -> Any:
    """A WHERE clause limiting matters to what `principal` may see; None means nothing at all."""
    if principal is None:
        return None
    if principal.is_employer and principal.employer_id is not None:
        return Matter.employer == principal.employer_id
    if principal.is_person and principal.person_id is not None:
        return Matter.person == principal.person_id
    if not principal.is_staff:
        return None
    visible = staff_kinds(principal) if kinds is None else [k for k in kinds if k in staff_kinds(principal)]
    jurisdiction = _jurisdiction(principal)
    if not visible or jurisdiction is None:
        return None
    return Matter.kind.is_in(visible) & (jurisdiction)


def covers_matter(principal: Principal, matter: dict[str, Any]) -> bool:
    """The Python twin of scope_where for one loaded matter (used again at transition time)."""
    if principal.is_employer:
        return matter["employer"] == principal.employer_id
    if principal.is_person:
        return matter["person"] == principal.person_id
    if matter["kind"] not in staff_kinds(principal):
        return False
    return (
        principal.covers_division(matter["division_code"])
        or (bool(matter["squad_code"]) and matter["squad_code"] in principal.scopes.get("squad", ()))
        or (bool(matter["agency_code"]) and matter["agency_code"] in principal.scopes.get("agency", ()))
    )
