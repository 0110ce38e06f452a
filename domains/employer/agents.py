"""Agent (经办人) authorisations: the legal representative grants, the agent confirms, either side revokes (ACC-2)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from domains.employer import rules
from domains.employer.tables import AgentAuthorisation
from portal import audit
from portal.auth.principal import Principal
from portal.db import write_transaction


async def list_agents(employer_id: int) -> list[dict[str, Any]]:
    rows = await AgentAuthorisation.select().where(AgentAuthorisation.employer == employer_id).order_by(
        AgentAuthorisation.id, ascending=False
    )
    today = date.today()
    return [{**r, "current_status": rules.agent_status(r, today), "service_codes": rules.parse_services(r["services"])}
            for r in rows]


async def get_agent(employer_id: int, agent_id: int) -> dict[str, Any] | None:
    """Scoped by employer: another employer's authorisation is simply not found."""
    return await AgentAuthorisation.select().where(
        (AgentAuthorisation.id == agent_id) & (AgentAuthorisation.employer == employer_id)
    ).first()


async def for_login(employer_id: int, id_number: str) -> dict[str, Any] | None:
    """The authorisation a 经办人 signing in for this employer holds (pending or active, not expired), or None."""
    today = date.today()
    rows = await AgentAuthorisation.select().where(
        (AgentAuthorisation.employer == employer_id) & (AgentAuthorisation.id_number == id_number)
        & AgentAuthorisation.status.is_in(["pending", "active"])
    ).order_by(AgentAuthorisation.id, ascending=False)
    for row in rows:
        if rules.agent_may_act(row, today) or rules.agent_may_confirm(row, today):
            return row
    return None


async def starting_later(employer_id: int, id_number: str) -> dict[str, Any] | None:
    """The authorisation of this 经办人 that begins after today, for the login page to say when (or None)."""
    today = date.today()
    rows = await AgentAuthorisation.select().where(
        (AgentAuthorisation.employer == employer_id) & (AgentAuthorisation.id_number == id_number)
        & AgentAuthorisation.status.is_in(["pending", "active"])
    ).order_by(AgentAuthorisation.valid_from)
    return next((row for row in rows if rules.agent_starts_later(row, today)), None)


async def authorise(principal: Principal, cleaned: dict[str, Any]) -> tuple[int | None, dict[str, str]]:
    """Only the legal representative grants; one open authorisation per person and employer."""
    assert principal.employer_id is not None
    errors = rules.validity_errors(cleaned["valid_from"], cleaned["valid_until"], date.today())
    if errors:
        return None, errors
    async with write_transaction():
        open_rows = await AgentAuthorisation.select(AgentAuthorisation.id, AgentAuthorisation.valid_until).where(
            (AgentAuthorisation.employer == principal.employer_id)
            & (AgentAuthorisation.id_number == cleaned["id_number"])
            & AgentAuthorisation.status.is_in(["pending", "active"])
        )
        if any(r["valid_until"] >= date.today() for r in open_rows):
            return None, {"id_number": "此人已有未撤销的授权，请先撤销后再重新授权"}
        row = AgentAuthorisation(
            employer=principal.employer_id, name=cleaned["name"], id_number=cleaned["id_number"],
            mobile=cleaned["mobile"], valid_from=cleaned["valid_from"], valid_until=cleaned["valid_until"],
            services=rules.format_services(cleaned["services"]), status="pending", created_at=datetime.now(UTC),
        )
        await row.save()
    await audit.record(category="account", action="agent_authorise", actor=principal, object_type="agent",
                       object_id=row.id, detail={"name": cleaned["name"], "services": sorted(cleaned["services"])})
    return row.id, {}


async def confirm(employer_id: int, agent_id: int) -> bool:
    async with write_transaction():
        updated = await AgentAuthorisation.update({
            AgentAuthorisation.status: "active", AgentAuthorisation.confirmed_at: datetime.now(UTC),
        }).where(
            (AgentAuthorisation.id == agent_id) & (AgentAuthorisation.employer == employer_id)
            & (AgentAuthorisation.status == "pending")
        ).returning(AgentAuthorisation.id, AgentAuthorisation.name)
    if updated:
        await audit.record(category="account", action="agent_confirm", actor_name=updated[0]["name"],
                           object_type="agent", object_id=agent_id)
    return bool(updated)


async def revoke(principal: Principal, agent_id: int) -> bool:
    """The legal representative revokes anyone; an agent only its own authorisation."""
    assert principal.employer_id is not None
    if principal.acting_role == "agent" and principal.agent_id != agent_id:
        return False
    async with write_transaction():
        updated = await AgentAuthorisation.update({
            AgentAuthorisation.status: "revoked", AgentAuthorisation.revoked_at: datetime.now(UTC),
            AgentAuthorisation.revoked_by: "agent" if principal.acting_role == "agent" else "legal_rep",
        }).where(
            (AgentAuthorisation.id == agent_id) & (AgentAuthorisation.employer == principal.employer_id)
            & AgentAuthorisation.status.is_in(["pending", "active"])
        ).returning(AgentAuthorisation.id)
    if updated:
        await audit.record(category="account", action="agent_revoke", actor=principal, object_type="agent",
                           object_id=agent_id)
    return bool(updated)
