"""Employer use-cases other domains may call: the employer Principal, the record, first login and 信息完善."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from piccolo.querystring import QueryString

from domains.employer import rules
from domains.employer.filing import is_filing_approved, latest_filing
from domains.employer.tables import AgentAuthorisation, Employer
from portal.auth.principal import Principal, division_clause
from portal.db import fetch_keyed, write_transaction
from portal.refusal import Refused
from portal.validators import uscc_org_code
from portal.workflow.feedback import unread_count_sql

# What other domains may read of the employer filing (EMP-2): the LC-1 gate and its explanation.
__all__ = ["complete_profile", "find_or_create_for_network", "get_by_uscc", "get_employer", "is_filing_approved",
           "latest_filing", "load_employer_principal", "staff_scope_sql"]

# One round trip per request: the employer, its LC-1 flag and the header's unread count.
_PRINCIPAL_SQL = (
    "SELECT e.id, e.name, e.profile_complete, e.filing_approved, "
    f"{unread_count_sql('employer', 'e.id')} AS unread FROM employer e WHERE e.id = {{}}"
)


async def get_employer(employer_id: int) -> dict[str, Any] | None:
    return await Employer.select().where(Employer.id == employer_id).first()


def staff_scope_sql(principal: Principal) -> QueryString:
    """SQL over the table named employer: the employers under the staff member's division scopes (none: 1 = 0)."""
    clause = division_clause(principal, Employer.division_code)
    if clause is None:
        return QueryString("1 = 0")
    return clause.querystring


async def get_by_uscc(uscc: str) -> dict[str, Any] | None:
    return await Employer.select().where(Employer.uscc == uscc).first()


async def load_employer_principal(session: dict[str, Any]) -> Principal | None:
    """Rebuilt on every request: a revoked or expired agent loses the session at once (ACC-2)."""
    employer_id = session.get("employer_id")
    if not isinstance(employer_id, int):
        return None
    rows = await fetch_keyed(_PRINCIPAL_SQL, employer_id)
    if not rows:
        return None
    row = rows[0]
    acting_role = str(session.get("acting_role") or "legal_rep")
    agent_id = session.get("agent_id")
    acting_name = str(session.get("acting_name", ""))
    services, valid_until = None, None
    if acting_role == "agent":
        if not isinstance(agent_id, int):
            return None
        agent = await AgentAuthorisation.select().where(
            (AgentAuthorisation.id == agent_id) & (AgentAuthorisation.employer == employer_id)
        ).first()
        if not rules.agent_may_act(agent, date.today()):
            return None
        acting_name = agent["name"]
        services = rules.parse_services(agent["services"])
        valid_until = agent["valid_until"]
    return Principal(
        kind="employer",
        account_id=int(session.get("account_id") or 0),
        display_name=row["name"],
        employer_id=row["id"],
        employer_name=row["name"],
        acting_name=acting_name,
        acting_role=acting_role,
        agent_id=agent_id if acting_role == "agent" else None,
        login_type=str(session.get("login_type", "")),
        realname_level=str(session.get("realname_level", "")),
        profile_complete=bool(row["profile_complete"]),
        flags=frozenset({"filing_approved"}) if row["filing_approved"] else frozenset(),
        unread_messages=int(row["unread"]),
        services=services,
        agent_valid_until=valid_until,
    )


async def find_or_create_for_network(
    *, uscc: str, name: str, legal_rep: str, legal_rep_id_number: str = "", contact_phone: str = ""
) -> tuple[dict[str, Any], bool]:
    """The employer with this 统一社会信用代码; created and pre-filled from the network's data when new."""
    async with write_transaction():
        row = await Employer.select().where(Employer.uscc == uscc).first()
        if row is not None:
            return row, False
        now = datetime.now(UTC)
        employer = Employer(
            uscc=uscc, name=name[:200], org_code=uscc_org_code(uscc), legal_rep=legal_rep[:40],
            legal_rep_id_number=legal_rep_id_number, contact_name=legal_rep[:40], contact_phone=contact_phone,
            division_code="", profile_complete=False, created_at=now, updated_at=now,
        )
        await employer.save()
    return await get_employer(employer.id), True  # type: ignore[return-value]


async def complete_profile(employer_id: int, cleaned: dict[str, Any], *, acting_role: str = "legal_rep") -> bool:
    """信息完善: save the EMP-1 fields (never the USCC: the account is keyed by it) and mark the record complete.
    An agent may not change the 法定代表人 the record already names (issue 14 §19)."""
    values = {k: cleaned[k] for k in rules.PROFILE_SAVED if k in cleaned and k not in {"uscc", "org_code"}}
    async with write_transaction():
        row = await Employer.select().where(Employer.id == employer_id).first()
        if row is None:
            return False
        for key, message in rules.legal_rep_change_refusal(acting_role, row, values).items():
            raise Refused(message, key)
        merged = {**row, **values}
        complete = not rules.profile_missing(merged)
        await Employer.update({
            **{getattr(Employer, k): v for k, v in values.items()},
            Employer.profile_complete: complete, Employer.updated_at: datetime.now(UTC),
        }).where(Employer.id == employer_id)
    return complete

