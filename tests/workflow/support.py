"""Helpers for workflow tests: principals built straight from factory rows, and matters in a given state."""

from __future__ import annotations

from typing import Any

from portal.auth.principal import Principal
from portal.workflow import engine
from tests.support.factories import make_employer, make_staff
from tests.workflow import kinds as test_kinds  # noqa: F401  (registers the test kinds)


def employer_principal(employer: dict[str, Any], **extra: Any) -> Principal:
    return Principal(
        kind="employer", account_id=employer["id"], display_name=employer["name"], employer_id=employer["id"],
        employer_name=employer["name"], acting_name="王经办", acting_role="agent", **extra,
    )


def staff_principal(uid: int, permissions: list[str], division: str = "460000", name: str = "审核员") -> Principal:
    return Principal(
        kind="staff", account_id=uid, display_name=name, permissions=frozenset(permissions),
        scopes={"division": (division,)},
    )


async def make_reviewer(app, username: str, permissions: list[str], division: str = "460000") -> Principal:
    row = await make_staff(app, username, permissions=permissions, scopes={"division": [division]},
                           display_name=f"审核员{username}")
    return staff_principal(row["id"], permissions, division, f"审核员{username}")


async def employer_with_principal(**overrides: Any) -> tuple[dict[str, Any], Principal]:
    employer = await make_employer(**overrides)
    return employer, employer_principal(employer)


async def submitted_matter(principal: Principal, kind: str = "t_licence", **payload: Any) -> dict[str, Any]:
    return await engine.create_matter(
        principal, kind, payload=payload or {"name": "测试"}, title="测试办件", submit=True
    )
