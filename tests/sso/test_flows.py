"""Full sign-in flows through HTTP with the sandbox network in-process: both protocols, both account kinds."""

from __future__ import annotations

import pytest

from domains.employer.tables import Employer
from domains.person.tables import Person
from portal.core.tables import AuditLog
from sso.tables import NetworkAccount
from tests.support.factories import make_employer
from tests.support.network import net_user, query, sign_in_via_network, sso_settings

PROTOCOLS = ["oidc", "ticket"]


async def whoami(client) -> str:
    soup = await client.page("/")
    tag = soup.find(attrs={"data-testid": "whoami"})
    return tag.get_text(" ", strip=True) if tag else ""


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_new_legal_person_is_created_prefilled_and_sent_to_completion(app, client, protocol):
    user = await net_user(app, "legal", name="海南新开张贸易有限公司", legal_rep="吴法人")
    with sso_settings(app, protocol=protocol):
        response = await sign_in_via_network(client, kind="employer", next_path="/employer/agents", tab="legal",
                                             login_name=user["login_name"], password=user["password"])
    assert response.status_code == 303
    assert response.headers["location"] == "/employer/profile/complete?next=%2Femployer%2Fagents"
    employer = await Employer.select().where(Employer.uscc == user["login_name"]).first()
    assert employer["name"] == "海南新开张贸易有限公司"
    assert employer["legal_rep"] == "吴法人"
    assert employer["legal_rep_id_number"] == user["legal_rep_id_number"]
    assert employer["org_code"] == f"{user['login_name'][8:16]}-{user['login_name'][16]}"
    assert employer["profile_complete"] is False
    account = await NetworkAccount.select().where(NetworkAccount.subject == user["subject"]).first()
    assert account["kind"] == "employer" and account["employer"] == employer["id"]
    who = await whoami(client)
    assert "海南新开张贸易有限公司" in who and "法定代表人 吴法人" in who
    assert "账号密码登录" in who and "中级实名" in who
    login = await AuditLog.select().where(AuditLog.action == "network_login").first()
    assert login["result"] == "ok" and protocol in login["detail"]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_natural_person_lands_on_the_page_first_asked_for(app, client, protocol):
    user = await net_user(app, "natural", name="符小红", mobile="13912345678")
    with sso_settings(app, protocol=protocol):
        response = await sign_in_via_network(client, kind="person", next_path="/person/me", tab="natural",
                                             login_name=user["login_name"], password=user["password"])
    assert response.status_code == 303 and response.headers["location"] == "/person/me"
    person = await Person.select().where(Person.id_number == user["login_name"]).first()
    assert person["name"] == "符小红" and person["mobile"] == "13912345678"
    assert person["division_code"] == user["login_name"][:6]
    soup = await client.page("/person/me")
    text = soup.get_text()
    assert "符小红" in text
    masked = user["login_name"][:6] + "********" + user["login_name"][-4:]
    assert masked in text and user["login_name"] not in text
    assert "个人用户" in await whoami(client)


async def test_existing_employer_is_linked_by_uscc_and_not_duplicated(app, client):
    employer = await make_employer(name="海南老字号有限公司")
    user = await net_user(app, "legal", login_name=employer["uscc"], name="海南老字号有限公司（网）")
    response = await sign_in_via_network(client, kind="employer", next_path="/employer/profile", tab="legal",
                                         login_name=user["login_name"], password=user["password"])
    assert response.headers["location"] == "/employer/profile"  # already complete: straight to the target
    assert await Employer.count().where(Employer.uscc == employer["uscc"]) == 1
    soup = await client.page("/employer/profile")
    assert "海南老字号有限公司" in soup.get_text()


async def test_second_login_reuses_the_account_keyed_by_subject(app, client, other_client):
    user = await net_user(app, "natural")
    for c in (client, other_client):
        await sign_in_via_network(c, kind="person", tab="natural", login_name=user["login_name"],
                                  password=user["password"])
    assert await NetworkAccount.count() == 1
    assert await Person.count() == 1


async def test_deep_link_survives_the_whole_round_trip(app, client):
    user = await net_user(app, "natural")
    response = await client.get("/person/me")
    assert response.status_code == 303 and response.headers["location"] == "/login?next=%2Fperson%2Fme"
    soup = await client.page(response.headers["location"] + "&tab=person")
    link = soup.find("a", string="前往政务服务网登录")["href"]
    assert link == "/sso/login?kind=person&next=/person/me"
    entry = (await client.get(link)).headers["location"]
    from tests.support.network import sandbox_login

    callback = await sandbox_login(client, entry, tab="natural", login_name=user["login_name"],
                                   password=user["password"])
    response = await client.get(callback)
    assert response.headers["location"] == "/person/me"


async def test_network_session_gives_single_sign_on_until_network_logout(app, client):
    user = await net_user(app, "natural")
    await sign_in_via_network(client, kind="person", tab="natural", login_name=user["login_name"],
                              password=user["password"])
    response = await client.post_form("/sso/logout")
    assert response.status_code == 303
    logout_url = response.headers["location"]
    q = query(logout_url)
    assert logout_url.startswith("/sandbox-network/logout?")  # the discovered end_session_endpoint
    assert q["post_logout_redirect_uri"] == "http://testserver.local/" and q["client_id"] == "hrss-portal"
    assert q["id_token_hint"].count(".") == 2  # the id_token of this sign-in
    assert await whoami(client) == ""  # the portal session is gone already
    response = await client.get(logout_url)
    assert response.status_code == 303 and response.headers["location"] == "http://testserver.local/"
    from sso.sandbox.tables import NetSession

    assert await NetSession.count() == 0
    # The network asks for the password again: no silent sign-in after logout.
    entry = (await client.get("/sso/login", params={"kind": "person"})).headers["location"]
    response = await client.get(entry)
    assert "/sandbox-network/login?" in response.headers["location"]


async def test_logout_of_a_ticket_session_goes_through_the_network_too(app, client):
    user = await net_user(app, "natural")
    with sso_settings(app, protocol="ticket"):
        await sign_in_via_network(client, kind="person", tab="natural", login_name=user["login_name"],
                                  password=user["password"])
        response = await client.post_form("/sso/logout")
    assert response.headers["location"].startswith("/sandbox-network/logout?goto=")
