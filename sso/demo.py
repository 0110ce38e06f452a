"""Demo accounts on the sandbox network (idempotent): legal representatives of the demo employers, persons, an agent."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from portal.auth.passwords import Passwords
from portal.db import write_transaction
from portal.settings import Settings
from seeds.demo_identities import AGENT, EMPLOYERS, LEGAL_PERSONS, PERSONS
from sso.sandbox import store
from sso.sandbox.tables import NetUser


async def _ensure(passwords: Passwords, **values: str) -> bool:
    """Create the network account when missing; an existing one keeps its (possibly reset) password."""
    if await NetUser.exists().where(NetUser.login_name == values["login_name"]):
        return False
    password_hash = await passwords.hash(values.pop("password"))
    async with write_transaction():
        await NetUser.insert(NetUser(
            subject=store.new_subject(), password_hash=password_hash, realname_level="L2",
            created_at=datetime.now(UTC), **values,
        ))
    return True


async def _authorise_demo_agent() -> None:
    """When the first demo employer exists in the portal, its legal representative has authorised 黄经办."""
    from domains.employer.tables import AgentAuthorisation, Employer

    employer = await Employer.select(Employer.id).where(Employer.uscc == EMPLOYERS[0].uscc).first()
    if employer is None or await AgentAuthorisation.exists().where(
        (AgentAuthorisation.employer == employer["id"]) & (AgentAuthorisation.id_number == AGENT.id_number)
    ):
        return
    async with write_transaction():
        await AgentAuthorisation.insert(AgentAuthorisation(
            employer=employer["id"], name=AGENT.name, id_number=AGENT.id_number, mobile=AGENT.mobile,
            valid_from=date.today(), valid_until=date.today() + timedelta(days=365), status="pending",
            services="labor_contract,social_insurance",  # ACC-8: not 人力资源服务机构, to show a refused service
            created_at=datetime.now(UTC),
        ))


async def load() -> dict[str, int]:
    passwords = Passwords(Settings.from_env().security)
    created = 0
    for e in LEGAL_PERSONS:
        created += await _ensure(passwords, kind="legal", login_name=e.uscc, name=e.name, legal_rep=e.legal_rep,
                                 legal_rep_id_number=e.legal_rep_id_number, mobile=e.legal_rep_mobile,
                                 password=e.password)
    for p in (*PERSONS, AGENT):
        created += await _ensure(passwords, kind="natural", login_name=p.id_number, name=p.name, mobile=p.mobile,
                                 password=p.password)
    await _authorise_demo_agent()
    return {"network_accounts_created": created}
