"""Helpers for social-insurance tests: principals and insured staff."""

from __future__ import annotations

from typing import Any

from domains.social_insurance import rules, service
from portal.auth.principal import Principal
from portal.db import write_transaction
from tests.support.factories import make_person


def assessor(division: str = "460000", staff_id: int = 1, permissions=(service.ASSESS_PERMISSION,)) -> Principal:
    return Principal(kind="staff", account_id=staff_id, display_name="核定员", permissions=frozenset(permissions),
                     scopes={"division": (division,)})


async def insure(employer: dict[str, Any], *, base: int = 500000, start: int = 202501,
                 insurances=rules.INSURANCES, person: dict | None = None, **person_fields: Any) -> dict[str, Any]:
    """A person insured by the employer for the given insurances from `start` on."""
    person = person or await make_person(**person_fields)
    async with write_transaction():
        for insurance in insurances:
            await service.enrol(person["id"], employer["id"], insurance, base=base, start_period=start)
    return person
