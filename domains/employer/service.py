"""Employer use-cases other domains may call: loading the employer Principal, reading the record."""

from __future__ import annotations

from typing import Any

from domains.employer.tables import Employer
from portal.auth.principal import Principal, register_loader


async def get_employer(employer_id: int) -> dict[str, Any] | None:
    return await Employer.select().where(Employer.id == employer_id).first()


async def load_employer_principal(session: dict[str, Any]) -> Principal | None:
    employer_id = session.get("employer_id")
    if not isinstance(employer_id, int):
        return None
    row = await Employer.select(Employer.id, Employer.name, Employer.profile_complete).where(
        Employer.id == employer_id
    ).first()
    if row is None:
        return None
    return Principal(
        kind="employer",
        account_id=int(session.get("account_id") or 0),
        display_name=row["name"],
        employer_id=row["id"],
        employer_name=row["name"],
        acting_name=str(session.get("acting_name", "")),
        acting_role=str(session.get("acting_role", "legal_rep")),
        agent_id=session.get("agent_id"),
        login_type=str(session.get("login_type", "")),
        realname_level=str(session.get("realname_level", "")),
        profile_complete=row["profile_complete"],
    )


register_loader("employer", load_employer_principal)
