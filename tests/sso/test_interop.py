"""Interoperability: sign-in against an independently written OpenID provider (oidc-provider-mock, built on Authlib),
with the claim names of another network mapped by settings — as a legal person, an agent and a natural person."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from datetime import date, timedelta

import authlib.deprecate  # noqa: E402,F401 (its import turns its own notes to "always": let it, then silence)
import httpx
import pytest

with warnings.catch_warnings():
    # Authlib's deprecation notes concern the mock's code, not ours.
    warnings.simplefilter("ignore")
    from oidc_provider_mock import run_server_in_thread

from domains.employer.tables import AgentAuthorisation, Employer
from domains.person.tables import Person
from sso.tables import NetworkAccount
from tests.support.factories import make_employer, make_id_number, make_uscc
from tests.support.network import network_client, query, sso_settings

# The README's worked example: a network that calls the credit code CompanyScCode, uses numbers for user types …


MAPPING = dict(
    claims="user_type=usertype,name=username,org_name=CompanyName,id_number=idnum,mobile=mobile,"
           "uscc=CompanyScCode,legal_rep=CompanyLegRep,agent_name=attnName,agent_id_type=attnIdType,"
           "agent_id_number=attnIdNo,agent_mobile=attnPhone,login_type=logintype,realname_level=authlevel",
    user_types="legal=2,natural=1", agent_login_types="2", realname_levels="L1=1,L2=2,L3=3",
    authorize_params_employer="", authorize_params_person="",
)


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")  # plain http on localhost, tests only
    with run_server_in_thread(port=0, require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


async def set_user(issuer: str, sub: str, claims: dict) -> None:
    async with httpx.AsyncClient() as c:
        response = await c.put(f"{issuer}/users/{sub}", json=claims)
        assert response.status_code == 204, response.text


async def sign_in(app, client, issuer: str, kind: str, sub: str, **settings) -> httpx.Response:
    async with httpx.AsyncClient(base_url=issuer) as back:
        with sso_settings(app, issuer=issuer, **{**MAPPING, **settings}), network_client(app, back):
            entry = (await client.get("/sso/login", params={"kind": kind, "next": "/"}))
            assert entry.status_code == 303, entry.text[:400]
            location = entry.headers["location"]
            assert location.startswith(issuer + "/oauth2/authorize?") and query(location)["nonce"]
            async with httpx.AsyncClient() as browser:  # the user picks the account on the provider's page
                picked = await browser.post(location, data={"sub": sub})
            assert picked.status_code == 302, picked.text[:400]
            back_to = picked.headers["location"]
            assert back_to.startswith("http://testserver.local/sso/callback?")
            return await client.get(back_to.removeprefix("http://testserver.local"))


async def whoami(client) -> str:
    tag = (await client.page("/")).find(attrs={"data-testid": "whoami"})
    return tag.get_text(" ", strip=True) if tag else ""


async def test_legal_person_signs_in_with_mapped_claims(app, client, provider):
    uscc = make_uscc()
    await set_user(provider, "corp-1", {"usertype": "2", "CompanyName": "海南互通科技有限公司", "CompanyScCode": uscc,
                                        "CompanyLegRep": "陈法人", "attnIdNo": make_id_number(), "logintype": "1",
                                        "authlevel": "2"})
    response = await sign_in(app, client, provider, "employer", "corp-1")
    assert response.status_code == 303, response.text[:400]
    employer = await Employer.select().where(Employer.uscc == uscc).first()
    assert employer["name"] == "海南互通科技有限公司" and employer["legal_rep"] == "陈法人"
    assert "海南互通科技有限公司" in await whoami(client) and "法定代表人 陈法人" in await whoami(client)
    assert (await NetworkAccount.select().first())["subject"] == "corp-1"
    async with httpx.AsyncClient(base_url=provider) as back:
        with sso_settings(app, issuer=provider, **MAPPING), network_client(app, back):
            response = await client.post_form("/sso/logout")
    # RP-initiated logout at the provider's discovered end_session_endpoint, with our id_token as the hint.
    assert response.status_code == 303
    logout = response.headers["location"]
    assert logout.startswith(provider + "/oauth2/end_session?")
    assert query(logout)["post_logout_redirect_uri"] == "http://testserver.local/" and query(logout)["id_token_hint"]
    assert await whoami(client) == ""


async def test_agent_signs_in_with_mapped_claims(app, client, provider):
    employer = await make_employer(name="海南互通经办测试有限公司")
    agent_id = make_id_number()
    await AgentAuthorisation(employer=employer["id"], name="周经办", id_number=agent_id, mobile="13976000009",
                             valid_from=date.today(), valid_until=date.today() + timedelta(days=30), status="active",
                             created_at=date.today()).save()
    await set_user(provider, "corp-agent-1", {
        "usertype": "2", "CompanyName": employer["name"], "CompanyScCode": employer["uscc"], "CompanyLegRep": "某法人",
        "attnName": "周经办", "attnIdType": "111", "attnIdNo": agent_id, "attnPhone": "13976000009",
        "logintype": "2", "authlevel": "3"})
    response = await sign_in(app, client, provider, "employer", "corp-agent-1")
    assert response.status_code == 303, response.text[:400]
    who = await whoami(client)
    assert "周经办" in who and "经办人登录" in who


async def test_natural_person_signs_in_with_mapped_claims(app, client, provider):
    id_number = make_id_number()
    await set_user(provider, "person-1", {"usertype": "1", "username": "吴互通", "idnum": id_number,
                                          "mobile": "13912340000", "authlevel": "2"})
    response = await sign_in(app, client, provider, "person", "person-1", client_auth="client_secret_post")
    assert response.status_code == 303, response.text[:400]
    person = await Person.select().where(Person.id_number == id_number).first()
    assert person["name"] == "吴互通" and "个人用户" in await whoami(client)


async def test_the_default_mapping_does_not_understand_this_network(app, client, provider):
    """Without the settings the same answer is refused (no user type, no credit code, no level) — nothing is guessed."""
    await set_user(provider, "person-2", {"usertype": "1", "username": "吴互通", "idnum": make_id_number(),
                                          "authlevel": "2"})
    response = await sign_in(app, client, provider, "person", "person-2", claims="", user_types="legal=legal,natural=natural",
                             realname_levels="L1=L1,L2=L2,L3=L3")
    assert response.status_code in {400, 403} and "登录未成功" in response.text
    assert await whoami(client) == ""
