"""ACC-2 agents: the legal representative authorises, the agent confirms at login, either side revokes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domains.employer import rules
from domains.employer.tables import AgentAuthorisation
from portal.core.tables import AuditLog
from tests.support.factories import make_employer, make_id_number
from tests.support.network import net_user, sign_in_via_network, sso_settings
from tests.support.urls import url_for

TODAY = date.today()


async def legal_rep(client, **overrides) -> dict:
    employer = await make_employer(**overrides)
    await client.sign_in("employer", employer_id=employer["id"], acting_name="张法人", acting_role="legal_rep",
                         login_type="password")
    return employer


def agent_form(id_number: str, **overrides) -> dict:
    return {"name": "黄经办", "id_number": id_number, "mobile": "13976000003",
            "valid_from": TODAY.isoformat(), "valid_until": (TODAY + timedelta(days=180)).isoformat(),
            "services": ["labor_contract", "social_insurance"], **overrides}


async def authorised_agent(employer_id: int, id_number: str, status: str = "active", **overrides) -> int:
    row = AgentAuthorisation(employer=employer_id, name="黄经办", id_number=id_number, mobile="13976000003",
                             valid_from=TODAY, valid_until=TODAY + timedelta(days=30), status=status,
                             created_at=rules.date.today(), **overrides)
    await row.save()
    return row.id


async def agent_login(app, client, employer: dict, agent_user: dict, protocol: str = "oidc", next_path: str = "/"):
    from sso.sandbox.tables import NetUser

    if not await NetUser.exists().where(NetUser.login_name == employer["uscc"]):
        await net_user(app, "legal", login_name=employer["uscc"], name=employer["name"])
    with sso_settings(app, protocol=protocol):
        return await sign_in_via_network(client, kind="employer", next_path=next_path, tab="agent",
                                         login_name=agent_user["login_name"], password=agent_user["password"],
                                         uscc=employer["uscc"])


async def test_legal_rep_authorises_an_agent(client):
    employer = await legal_rep(client)
    id_number = make_id_number()
    response = await client.post_form(url_for("employer_agents"), agent_form(id_number))
    assert response.status_code == 303
    row = await AgentAuthorisation.select().where(AgentAuthorisation.employer == employer["id"]).first()
    assert row["status"] == "pending" and row["id_number"] == id_number
    soup = await client.page(url_for("employer_agents", {"added": "1"}))
    assert "待经办人确认" in soup.get_text()
    assert id_number not in soup.get_text()  # masked in the list


async def test_authorisation_form_validates_every_field(client):
    await legal_rep(client)
    bad = agent_form("110101199003071234", mobile="999", valid_until="2020-01-01", valid_from="")
    response = await client.post_form(url_for("employer_agents"), bad)
    assert response.status_code == 200
    assert "身份证号校验位不正确" in response.text and "手机号码应为11位" in response.text
    assert "请填写授权开始日期" in response.text
    too_long = agent_form(make_id_number(), valid_until=(TODAY + timedelta(days=4 * 365)).isoformat())
    response = await client.post_form(url_for("employer_agents"), too_long)
    assert "授权期限最长3年" in response.text
    assert await AgentAuthorisation.count() == 0


@pytest.mark.parametrize("protocol", ["oidc", "ticket"])
async def test_agent_confirms_at_next_login_and_acts_under_own_name(app, client, other_client, protocol):
    employer = await legal_rep(client, name="海南代理测试有限公司")
    agent_user = await net_user(app, "natural", name="黄经办")
    await client.post_form(url_for("employer_agents"), agent_form(agent_user["login_name"]))
    response = await agent_login(app, other_client, employer, agent_user, protocol, next_path=url_for("employer_profile"))
    assert response.headers["location"] == url_for("employer_agent_confirm")
    soup = await other_client.page(url_for("employer_agent_confirm"))
    assert "海南代理测试有限公司" in soup.get_text()
    assert soup.find(attrs={"data-testid": "whoami"}) is None  # not signed in before confirming
    response = await other_client.post_form(url_for("employer_agent_confirm"), {"decision": "confirm"})
    assert response.status_code == 303 and response.headers["location"] == url_for("employer_profile")
    row = await AgentAuthorisation.select().where(AgentAuthorisation.employer == employer["id"]).first()
    assert row["status"] == "active" and row["confirmed_at"] is not None
    who = (await other_client.page(url_for("employer_profile"))).find(attrs={"data-testid": "whoami"}).get_text(" ", strip=True)
    assert "经办人 黄经办" in who and "经办人登录" in who
    # What the agent does is recorded under the agent's own name: here, revoking its own authorisation.
    response = await other_client.post_form(url_for("employer_agent_revoke", agent_id=row["id"]))
    assert response.status_code == 303
    audit_row = await AuditLog.select().where(AuditLog.action == "agent_revoke").first()
    assert audit_row["actor_name"] == "黄经办（海南代理测试有限公司）"
    assert (await other_client.get(url_for("employer_profile"))).status_code == 303  # the session ended


async def test_agent_who_declines_or_comes_late_is_not_signed_in(app, client, other_client):
    employer = await legal_rep(client)
    agent_user = await net_user(app, "natural")
    await client.post_form(url_for("employer_agents"), agent_form(agent_user["login_name"]))
    response = await agent_login(app, other_client, employer, agent_user)
    assert response.headers["location"] == url_for("employer_agent_confirm")
    response = await other_client.post_form(url_for("employer_agent_confirm"), {"decision": "later"})
    assert response.status_code == 303 and response.headers["location"] == url_for("home")
    assert (await other_client.page(url_for("home"))).find(attrs={"data-testid": "whoami"}) is None
    row = await AgentAuthorisation.select().where(AgentAuthorisation.employer == employer["id"]).first()
    assert row["status"] == "pending"
    # Without a sign-in held for confirmation (already spent, or never started) the page refuses and signs no one
    # in — nor out: the legal representative following a stray link keeps the session.
    for page_client, signed_in in ((other_client, False), (client, True)):
        response = await page_client.get(url_for("employer_agent_confirm"))
        assert response.status_code == 400 and "确认请求已失效，请重新登录" in response.text
        response = await page_client.post_form(url_for("employer_agent_confirm"), {"decision": "confirm"})
        assert response.status_code == 400
        whoami = (await page_client.page(url_for("home"))).find(attrs={"data-testid": "whoami"})
        assert (whoami is not None) == signed_in
    assert (await AgentAuthorisation.select().where(AgentAuthorisation.id == row["id"]).first())["status"] == "pending"


async def test_revoked_agent_loses_the_session_at_once(app, client, other_client):
    employer = await legal_rep(client)
    agent_user = await net_user(app, "natural")
    agent_id = await authorised_agent(employer["id"], agent_user["login_name"])
    response = await agent_login(app, other_client, employer, agent_user)
    assert response.status_code == 303 and response.headers["location"] == url_for("home")
    assert (await other_client.get(url_for("employer_profile"))).status_code == 200
    assert (await client.post_form(url_for("employer_agent_revoke", agent_id=agent_id))).status_code == 303
    response = await other_client.get(url_for("employer_profile"))
    assert response.status_code == 303 and response.headers["location"].startswith(url_for("login"))


async def test_expired_agent_cannot_act_or_sign_in(app, client, other_client):
    employer = await legal_rep(client)
    agent_user = await net_user(app, "natural")
    agent_id = await authorised_agent(employer["id"], agent_user["login_name"])
    await agent_login(app, other_client, employer, agent_user)
    assert (await other_client.get(url_for("employer_profile"))).status_code == 200
    await AgentAuthorisation.update({AgentAuthorisation.valid_from: TODAY - timedelta(days=10),
                                     AgentAuthorisation.valid_until: TODAY - timedelta(days=1)}).where(
        AgentAuthorisation.id == agent_id)
    assert (await other_client.get(url_for("employer_profile"))).status_code == 303
    await other_client.post_form(url_for("sso_logout"))
    other_client.cookies.clear()
    response = await agent_login(app, other_client, employer, agent_user)
    assert response.status_code == 403 and "尚未获得该单位的经办人授权" in response.text


async def test_unauthorised_person_cannot_sign_in_as_agent(app, client):
    employer = await make_employer()
    stranger = await net_user(app, "natural")
    response = await agent_login(app, client, employer, stranger)
    assert response.status_code == 403
    assert (await client.page(url_for("home"))).find(attrs={"data-testid": "whoami"}) is None


async def test_agent_cannot_authorise_others(client):
    employer = await make_employer()
    agent_id = await authorised_agent(employer["id"], make_id_number())
    await client.sign_in("employer", employer_id=employer["id"], acting_role="agent", agent_id=agent_id,
                         acting_name="黄经办")
    response = await client.post_form(url_for("employer_agents"), agent_form(make_id_number()))
    assert response.status_code == 403


async def test_employer_cannot_reach_another_employers_agents(client):
    await legal_rep(client)
    other = await make_employer(name="别家有限公司")
    theirs = await authorised_agent(other["id"], make_id_number())
    response = await client.post_form(url_for("employer_agent_revoke", agent_id=theirs))
    assert response.status_code == 404 and "别家" not in response.text
    row = await AgentAuthorisation.select().where(AgentAuthorisation.id == theirs).first()
    assert row["status"] == "active"
    soup = await client.page(url_for("employer_agents"))
    assert not soup.find_all(attrs={"data-testid": "agent-row"})


def test_agent_rules():
    row = {"status": "active", "valid_from": TODAY, "valid_until": TODAY + timedelta(days=1)}
    assert rules.agent_may_act(row, TODAY)
    assert not rules.agent_may_act({**row, "status": "pending"}, TODAY)
    assert not rules.agent_may_act({**row, "status": "revoked"}, TODAY)
    assert not rules.agent_may_act(row, TODAY + timedelta(days=2))
    assert not rules.agent_may_act({**row, "valid_from": TODAY + timedelta(days=1)}, TODAY)
    assert rules.agent_status(row, TODAY + timedelta(days=2)) == "expired"
    assert rules.validity_errors(TODAY, TODAY - timedelta(days=1), TODAY) == {"valid_until": "授权截止日期不能早于开始日期"}
    assert "valid_from" in rules.validity_errors(TODAY - timedelta(days=1), TODAY, TODAY)


@pytest.mark.parametrize("status", ["active", "pending"])
async def test_agent_whose_authorisation_starts_later_is_told_when(app, client, other_client, status):
    employer = await legal_rep(client)
    agent_user = await net_user(app, "natural")
    start = TODAY + timedelta(days=3)
    await AgentAuthorisation(employer=employer["id"], name="黄经办", id_number=agent_user["login_name"],
                             mobile="13976000003", valid_from=start, valid_until=start + timedelta(days=30),
                             status=status, created_at=TODAY).save()
    response = await agent_login(app, other_client, employer, agent_user)
    assert response.status_code == 403
    assert f"您的经办人授权自{start.year}年{start.month}月{start.day}日起生效" in response.text
    assert "尚未获得" not in response.text
    assert (await other_client.get(url_for("employer_profile"))).status_code == 303  # no session


def test_agent_starts_later_rule():
    row = {"status": "active", "valid_from": TODAY + timedelta(days=1), "valid_until": TODAY + timedelta(days=9)}
    assert rules.agent_starts_later(row, TODAY)
    assert rules.agent_starts_later({**row, "status": "pending"}, TODAY)
    assert not rules.agent_starts_later({**row, "status": "revoked"}, TODAY)
    assert not rules.agent_starts_later({**row, "valid_from": TODAY}, TODAY)
    assert not rules.agent_starts_later(None, TODAY)
