"""Attacks on the sign-in round trip: each fails with a clear page and leaves no session (SECURITY 6–8)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest

from portal.core.tables import AuditLog
from sso.providers import PendingLogin
from sso.sandbox import store
from sso.sandbox.api import pkce_challenge, ticket_sign
from sso.sandbox.tables import NetGrant
from tests.support.network import (
    net_user,
    network_client,
    query,
    sandbox_login,
    sign_in_via_network,
    sso_settings,
    start,
)


async def assert_no_session(client) -> None:
    soup = await client.page("/")
    assert soup.find(attrs={"data-testid": "whoami"}) is None
    assert (await client.get("/person/me")).status_code == 303  # still sent to /login


async def callback_of(app, client, protocol="oidc", kind="person") -> tuple[str, dict]:
    user = await net_user(app, "natural" if kind == "person" else "legal")
    with sso_settings(app, protocol=protocol):
        entry = await start(client, kind)
        callback = await sandbox_login(client, entry, tab="natural" if kind == "person" else "legal",
                                       login_name=user["login_name"], password=user["password"])
    return callback, user


def with_param(url: str, **params: str) -> str:
    base, _, qs = url.partition("?")
    q = dict(p.split("=", 1) for p in qs.split("&") if p)
    q.update(params)
    return base + "?" + "&".join(f"{k}={v}" for k, v in q.items() if v is not None)


async def test_wrong_state_is_refused(app, client):
    callback, _ = await callback_of(app, client)
    response = await client.get(with_param(callback, state="forged-state-value"))
    assert response.status_code == 400 and "state 不符" in response.text
    await assert_no_session(client)
    assert await AuditLog.exists().where(AuditLog.action == "sso_state_rejected")


async def test_missing_state_is_refused(app, client):
    callback, _ = await callback_of(app, client)
    base, _, _ = callback.partition("?")
    response = await client.get(base + "?code=" + query(callback)["code"])
    assert response.status_code == 400
    await assert_no_session(client)


async def test_callback_without_a_pending_login_is_refused(app, client, other_client):
    """Login CSRF: a callback made in another browser (no pre-login session there) does nothing."""
    callback, _ = await callback_of(app, client)
    response = await other_client.get(callback)
    assert response.status_code == 400 and "登录请求不存在或已失效" in response.text
    await assert_no_session(other_client)


async def test_state_older_than_ten_minutes_is_refused(app, client, monkeypatch):
    callback, _ = await callback_of(app, client)
    import sso.controllers as controllers

    real = controllers.time.time
    monkeypatch.setattr(controllers.time, "time", lambda: real() + 601)
    response = await client.get(callback)
    assert response.status_code == 400 and "超时" in response.text
    monkeypatch.setattr(controllers.time, "time", real)
    await assert_no_session(client)


async def test_state_is_single_use(app, client):
    callback, _ = await callback_of(app, client)
    assert (await client.get(callback)).status_code == 303
    await client.post_form("/sso/logout")
    response = await client.get(callback)
    assert response.status_code == 400
    await assert_no_session(client)


@pytest.mark.parametrize("protocol", ["oidc", "ticket"])
async def test_reused_code_or_ticket_is_refused(app, client, protocol):
    callback, user = await callback_of(app, client, protocol)
    with sso_settings(app, protocol=protocol):
        assert (await client.get(callback)).status_code == 303
        await client.post_form("/sso/logout")
        # A new pending login (new state), with the old code or ticket replayed into it.
        entry = await start(client, "person")
        new_state = query(entry).get("state") or query(query(entry)["goto"]).get("state")
        response = await client.get(with_param(callback, state=new_state))
    assert response.status_code == 400 and "已被使用" in response.text
    await assert_no_session(client)


async def test_expired_code_is_refused(app, client):
    callback, _ = await callback_of(app, client)
    await NetGrant.update({NetGrant.expires_at: store.now() - timedelta(seconds=1)}).where(NetGrant.kind == "code")
    response = await client.get(callback)
    assert response.status_code == 400 and "无效或已过期" in response.text
    await assert_no_session(client)


async def test_code_expires_after_sixty_seconds(app, client):
    await callback_of(app, client)
    grant = await NetGrant.select().where(NetGrant.kind == "code").first()
    ttl = (grant["expires_at"] - store.now()).total_seconds()
    assert 50 < ttl <= 60


# ---- the network's token endpoint, called directly -------------------------------------------------

async def _code(app, client) -> tuple[str, PendingLogin, str]:
    """A real code from the sandbox, with the verifier and redirect_uri it was issued for."""
    pending = PendingLogin.new("person", "/", 0)
    user = await net_user(app, "natural")
    redirect_uri = "http://testserver.local/sso/callback"
    params = {"response_type": "code", "client_id": "hrss-portal", "redirect_uri": redirect_uri,
              "state": pending.state, "nonce": pending.nonce, "code_challenge": pending.challenge,
              "code_challenge_method": "S256", "user_type": "natural", "scope": "openid profile"}
    entry = "/sandbox-network/oauth2/authorize?" + httpx.QueryParams(params).__str__()
    callback = await sandbox_login(client, entry, tab="natural", login_name=user["login_name"],
                                   password=user["password"])
    return query(callback)["code"], pending, redirect_uri


async def _token(client, client_secret: str = "sandbox-client-secret", **data: str) -> httpx.Response:  # noqa: S107
    form = {"grant_type": "authorization_code", **data}
    return await client.post("/sandbox-network/oauth2/token", data=form, auth=("hrss-portal", client_secret))


def jwt_claims(token: str) -> dict:
    import base64
    import json

    body = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


async def test_token_endpoint_checks_pkce_verifier(app, client):
    code, pending, redirect_uri = await _code(app, client)
    response = await _token(client, code=code, redirect_uri=redirect_uri, code_verifier="x" * 64)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


async def test_token_endpoint_checks_redirect_uri_exactly(app, client):
    code, pending, redirect_uri = await _code(app, client)
    response = await _token(client, code=code, redirect_uri=redirect_uri + "/", code_verifier=pending.verifier)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


async def test_token_endpoint_checks_client_secret(app, client):
    code, pending, redirect_uri = await _code(app, client)
    response = await _token(client, code=code, redirect_uri=redirect_uri, code_verifier=pending.verifier,
                            client_secret="guess")  # noqa: S106
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"


async def test_code_is_single_use_at_the_network(app, client):
    code, pending, redirect_uri = await _code(app, client)
    ok = await _token(client, code=code, redirect_uri=redirect_uri, code_verifier=pending.verifier)
    assert ok.status_code == 200 and "nonce" not in ok.json()  # the nonce travels inside the signed id_token
    assert jwt_claims(ok.json()["id_token"])["nonce"] == pending.nonce
    again = await _token(client, code=code, redirect_uri=redirect_uri, code_verifier=pending.verifier)
    assert again.status_code == 400


async def test_pkce_challenge_matches_rfc7636_example():
    assert pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


async def test_authorize_refuses_an_unregistered_redirect_uri_without_redirecting(client):
    pending = PendingLogin.new("person", "/", 0)
    params = {"response_type": "code", "client_id": "hrss-portal", "redirect_uri": "https://evil.example/sso/callback",
              "state": pending.state, "code_challenge": pending.challenge, "code_challenge_method": "S256"}
    response = await client.get("/sandbox-network/oauth2/authorize", params=params)
    assert response.status_code == 400 and "redirect_uri" in response.text
    assert "location" not in response.headers


async def test_authorize_requires_pkce(client):
    params = {"response_type": "code", "client_id": "hrss-portal", "state": "s" * 43,
              "redirect_uri": "http://testserver.local/sso/callback"}
    response = await client.get("/sandbox-network/oauth2/authorize", params=params)
    assert response.status_code == 400


async def test_redirect_to_the_network_carries_state_nonce_and_s256(client):
    entry = await start(client, "employer")
    q = query(entry)
    assert q["code_challenge_method"] == "S256" and len(q["code_challenge"]) == 43
    assert len(q["state"]) >= 43 and len(q["nonce"]) >= 43  # ≥ 256 bits of randomness each
    assert q["redirect_uri"] == "http://testserver.local/sso/callback"


# ---- ticket validation ------------------------------------------------------------------------------

async def test_forged_ticket_signature_is_refused(app, client):
    callback, _ = await callback_of(app, client, "ticket")
    with sso_settings(app, protocol="ticket", ticket_service_password="not-the-password"):  # noqa: S106
        response = await client.get(callback)
    assert response.status_code == 400 and "票据无效" in response.text
    await assert_no_session(client)


async def test_ticket_validation_rejects_a_bad_sign_directly(app, client):
    await callback_of(app, client, "ticket")
    stamp = store.now().strftime("%Y%m%d%H%M%S")
    form = {"servicecode": "hrss-portal", "time": stamp, "sign": ticket_sign("hrss-portal", "wrong", stamp), "st": "ST-x"}
    response = await client.post("/sandbox-network/ticket/ticketValidation", data=form)
    assert response.json()["result"] == "6"


async def test_ticket_sign_is_md5_of_code_password_time():
    import hashlib

    assert ticket_sign("svc", "pwd", "20261123223000") == hashlib.md5(b"svcpwd20261123223000").hexdigest()  # noqa: S324


# ---- the network is down or slow --------------------------------------------------------------------

async def test_network_down_shows_an_error_page_and_no_session(app, client):
    callback, _ = await callback_of(app, client)

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse), base_url="http://net") as down:
        with network_client(app, down):
            response = await client.get(callback)
    assert response.status_code == 503 and "暂时无法连接政务服务网" in response.text
    assert "Traceback" not in response.text
    await assert_no_session(client)


async def test_network_slow_times_out_with_an_error_page(app, client):
    callback, _ = await callback_of(app, client)

    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(2)
        return httpx.Response(200, json={})

    async with httpx.AsyncClient(transport=httpx.MockTransport(slow), base_url="http://net") as lagging:
        with network_client(app, lagging), sso_settings(app, timeout_s=0.2):
            response = await client.get(callback)
    assert response.status_code == 503 and "超时" in response.text
    await assert_no_session(client)


# ---- next after login -------------------------------------------------------------------------------

BAD_NEXT = [
    "https://evil.example", "//evil.example", "///evil.example", "\\\\evil.example", "/\\evil.example",
    "http:/\\/evil.example", "http://evil.example/", "javascript:alert(1)", "JavaScript:alert(1)",
    "/\tevil.example", "/\nevil.example", "\x00/x", "data:text/html,x", "evil.example",
]


@pytest.mark.parametrize("bad", BAD_NEXT)
async def test_bad_next_lands_home_after_a_real_login(app, client, bad):
    """Django's bad-URL list, with https://evil.example and //evil.example, through the whole round trip."""
    user = await net_user(app, "natural")
    response = await sign_in_via_network(client, kind="person", next_path=bad, tab="natural",
                                         login_name=user["login_name"], password=user["password"])
    assert response.status_code == 303 and response.headers["location"] == "/"


async def test_a_local_next_with_a_query_survives(app, client):
    user = await net_user(app, "natural")
    response = await sign_in_via_network(client, kind="person", next_path="/person/me?tab=a&x=1", tab="natural",
                                         login_name=user["login_name"], password=user["password"])
    assert response.headers["location"] == "/person/me?tab=a&x=1"


async def test_without_a_network_configured_login_explains_and_starts_nothing(app, client):
    with sso_settings(app, sandbox_enabled=False, base_url=""), network_client(app, None):
        response = await client.get("/sso/login", params={"kind": "employer"})
    assert response.status_code == 400 and "尚未配置政务服务网统一身份认证" in response.text
    await assert_no_session(client)
