"""From a network identity to a portal session: find or create the account, employer or person (ACC-1/2/4)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from domains.employer import agents as employer_agents
from domains.employer import rules as employer_rules
from domains.employer import service as employer_service
from domains.person import service as person_service
from portal.db import write_transaction
from portal.validators import id_number_error, normalise, uscc_error
from sso.providers import AccessRefused, NetworkError, NetworkIdentity
from sso.tables import NetworkAccount

LOGIN_TYPE_LABELS = {"password": "账号密码登录", "agent": "经办人登录"}
REALNAME_LABELS = {"L1": "初级实名", "L2": "中级实名", "L3": "高级实名"}


@dataclass
class Outcome:
    """`session` to start now, or an agent authorisation the 经办人 must confirm first."""

    session: dict[str, Any]
    pending_agent: dict[str, Any] | None = None
    profile_complete: bool = True
    audit: dict[str, Any] = field(default_factory=dict)


async def _account(identity: NetworkIdentity, *, employer_id: int | None, person_id: int | None) -> int:
    """NetworkAccount keyed by the network's stable subject; names are refreshed, never used as keys."""
    now = datetime.now(UTC)
    async with write_transaction():
        row = await NetworkAccount.select(NetworkAccount.id).where(NetworkAccount.subject == identity.subject).first()
        if row is None:
            account = NetworkAccount(
                subject=identity.subject, kind=identity.kind, employer=employer_id, person=person_id,
                name=identity.name[:200], login_type=identity.login_type[:40],
                realname_level=identity.realname_level[:20], created_at=now, last_login_at=now,
            )
            await account.save()
            return account.id
        await NetworkAccount.update({
            NetworkAccount.name: identity.name[:200], NetworkAccount.login_type: identity.login_type[:40],
            NetworkAccount.realname_level: identity.realname_level[:20], NetworkAccount.last_login_at: now,
        }).where(NetworkAccount.id == row["id"])
        return row["id"]


async def _linked(subject: str) -> dict[str, Any] | None:
    return await NetworkAccount.select().where(NetworkAccount.subject == subject).first()


async def sign_in(identity: NetworkIdentity) -> Outcome:
    if identity.kind == "person":
        return await _sign_in_person(identity)
    return await _sign_in_employer(identity)


async def _sign_in_person(identity: NetworkIdentity) -> Outcome:
    id_number = normalise(identity.id_number)
    if id_number_error(id_number):
        raise NetworkError("政务服务网返回的身份证号无效，无法登录。", "invalid id number from network")
    linked = await _linked(identity.subject)
    if linked and (linked["kind"] != "person" or linked["person"] is None):
        raise NetworkError("该政务服务网账号类型与本系统记录不符，请联系管理员。", "subject kind mismatch")
    if linked:
        person = await person_service.get_person(linked["person"])
        if person is None or person["id_number"] != id_number:
            raise NetworkError("该政务服务网账号与本系统记录不符，请联系管理员。", "subject id mismatch")
    person, _ = await person_service.find_or_create_for_network(
        id_number=id_number, name=identity.name, mobile=normalise(identity.mobile)
    )
    account_id = await _account(identity, employer_id=None, person_id=person["id"])
    return Outcome(session={
        "kind": "person", "person_id": person["id"], "account_id": account_id,
        "login_type": identity.login_type, "realname_level": identity.realname_level,
    }, audit={"object_type": "person", "object_id": person["id"], "name": person["name"]})


async def _sign_in_employer(identity: NetworkIdentity) -> Outcome:
    uscc = normalise(identity.uscc)
    if uscc_error(uscc):
        raise NetworkError("政务服务网返回的统一社会信用代码无效，无法登录。", "invalid uscc from network")
    linked = await _linked(identity.subject)
    if linked and (linked["kind"] != "employer" or linked["employer"] is None):
        raise NetworkError("该政务服务网账号类型与本系统记录不符，请联系管理员。", "subject kind mismatch")
    if linked:
        employer = await employer_service.get_employer(linked["employer"])
        if employer is None or employer["uscc"] != uscc:
            raise NetworkError("该政务服务网账号与本系统记录不符，请联系管理员。", "subject uscc mismatch")
    is_agent = identity.login_type == "agent"
    legal_rep_id = "" if is_agent else normalise(identity.agent_id_number)
    employer, _ = await employer_service.find_or_create_for_network(
        uscc=uscc, name=identity.name, legal_rep=identity.legal_rep,
        legal_rep_id_number=legal_rep_id if not id_number_error(legal_rep_id) else "",
        contact_phone="" if is_agent else normalise(identity.agent_mobile),
    )
    account_id = await _account(identity, employer_id=employer["id"], person_id=None)
    session = {
        "kind": "employer", "employer_id": employer["id"], "account_id": account_id,
        "login_type": identity.login_type, "realname_level": identity.realname_level,
    }
    audit = {"object_type": "employer", "object_id": employer["id"]}
    if not is_agent:
        session.update(acting_name=identity.legal_rep or identity.agent_name, acting_role="legal_rep", agent_id=None)
        return Outcome(session=session, profile_complete=employer["profile_complete"], audit=audit)
    agent = await employer_agents.for_login(employer["id"], normalise(identity.agent_id_number))
    # Not begun yet (confirmed or not): say when, rather than "not authorised"; a pending one is confirmed then.
    later = await employer_agents.starting_later(employer["id"], normalise(identity.agent_id_number))
    if later is not None and (agent is None or agent["id"] == later["id"]):
        raise AccessRefused(employer_rules.not_started_message(later), "agent authorisation not started")
    if agent is None:
        raise AccessRefused(
            "您尚未获得该单位的经办人授权，或授权已过期、已撤销。请联系单位法定代表人在网上办事大厅办理授权。",
            "agent not authorised",
        )
    session.update(acting_name=agent["name"], acting_role="agent", agent_id=agent["id"])
    return Outcome(
        session=session, pending_agent=agent if agent["status"] == "pending" else None,
        profile_complete=employer["profile_complete"], audit=audit,
    )
