"""The OpenID Connect relying party against the sandbox provider, with a man in the middle forging its answers.

Every forged answer is refused with a Chinese page and leaves no session (SECURITY 6–8).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from portal.core.tables import AuditLog
from sso.mount import IN_PROCESS_ISSUER, sandbox_app
from tests.support.network import net_user, network_client, query, sandbox_login, sso_settings, start

Edit = Callable[[dict[str, Any]], dict[str, Any]]


class Tamper(httpx.AsyncBaseTransport):
    """The in-process sandbox, with its token / userinfo answers rewritten on the way back; counts requests."""

    def __init__(self, app: Any, *, token: Edit | None = None, userinfo: Edit | None = None,
                 status: dict[str, int] | None = None, delay_s: float = 0) -> None:
        self.inner = httpx.ASGITransport(app=sandbox_app(app))
        self.token, self.userinfo, self.status, self.delay_s = token, userinfo, status or {}, delay_s
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.paths.append(path)
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if path in self.status:
            return httpx.Response(self.status[path], json={"error": "server_error"})
        response = await self.inner.handle_async_request(request)
        edit = {"/oauth2/token": self.token, "/oauth2/userinfo": self.userinfo}.get(path)
        if edit is None:
            return response
        await response.aread()
        return httpx.Response(response.status_code, json=edit(json.loads(response.content)))


@asynccontextmanager
async def network(app: Any, **tamper: Any):
    transport = Tamper(app, **tamper)
    async with httpx.AsyncClient(transport=transport, base_url=IN_PROCESS_ISSUER) as c:
        with network_client(app, c):
            yield transport


def claims_of(token: str) -> dict[str, Any]:
    body = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def resign(app: Any, change: dict[str, Any], key: RSAKey | None = None) -> Edit:
    """Change the id_token's claims (None removes one) and sign it again with the network's own key (or `key`)."""

    def edit(answer: dict[str, Any]) -> dict[str, Any]:
        ring = sandbox_app(app).state.signing_keys
        claims = {k: v for k, v in {**claims_of(answer["id_token"]), **change}.items() if v is not None}
        signer = key or ring.current
        answer["id_token"] = jwt.encode({"alg": "RS256", "kid": ring.current.kid}, claims, signer)
        return answer

    return edit


async def callback(app: Any, client: Any, kind: str = "person", **user: Any) -> str:
    """The URL the network sends the browser back to, after a real login on the sandbox."""
    account = await net_user(app, "natural" if kind == "person" else "legal", **user)
    entry = await start(client, kind)
    return await sandbox_login(client, entry, tab="natural" if kind == "person" else "legal",
                               login_name=account["login_name"], password=account["password"])


async def assert_refused(client: Any, response: httpx.Response, text: str, status: int = 400, reason: str = "") -> None:
    assert response.status_code == status, response.text[:300]
    assert text in response.text and "登录未成功" in response.text
    if reason:
        rows = await AuditLog.select(AuditLog.detail).where(AuditLog.action == "network_login_failed")
        assert any(reason in r["detail"] for r in rows), rows
    soup = await client.page("/")
    assert soup.find(attrs={"data-testid": "whoami"}) is None
    assert (await client.get("/person/me")).status_code == 303


FORGED = {  # case: (claims changed, the reason the audit log records)
    "wrong_aud": ({"aud": "another-client"}, "'aud'"),
    "wrong_iss": ({"iss": "https://evil.example"}, "'iss'"),
    "expired": ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 4200}, "expired"),
    "issued_in_the_future": ({"iat": int(time.time()) + 3600, "exp": int(time.time()) + 7200}, "future"),
    "nonce_mismatch": ({"nonce": "not-the-nonce-this-browser-sent"}, "'nonce'"),
    "no_nonce": ({"nonce": None}, "nonce"),
    "azp_of_another_client": ({"azp": "another-client"}, "azp is another client"),
    "several_audiences_without_azp": ({"aud": ["hrss-portal", "another-client"], "azp": None}, "no azp"),
}


@pytest.mark.parametrize("case", FORGED)
async def test_forged_id_token_claims_are_refused(app, client, case):
    url = await callback(app, client)
    change, reason = FORGED[case]
    async with network(app, token=resign(app, change)):
        response = await client.get(url)
    await assert_refused(client, response, "登录凭证")
    row = await AuditLog.select(AuditLog.detail).where(AuditLog.action == "network_login_failed").first()
    assert reason in row["detail"]


async def test_id_token_signed_with_another_key_is_refused(app, client):
    url = await callback(app, client)
    stranger = RSAKey.generate_key(2048, private=True)
    async with network(app, token=resign(app, {}, key=stranger)):
        response = await client.get(url)
    await assert_refused(client, response, "登录凭证校验失败", reason='BadSignatureError')


async def test_alg_none_is_refused(app, client):
    url = await callback(app, client)

    def unsigned(answer: dict[str, Any]) -> dict[str, Any]:
        header = b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
        answer["id_token"] = f"{header}.{answer['id_token'].split('.')[1]}."
        return answer

    async with network(app, token=unsigned):
        response = await client.get(url)
    await assert_refused(client, response, "登录凭证校验失败", reason="alg 'none'")


async def test_alg_confusion_hs256_with_the_public_key_is_refused(app, client):
    """The classic attack: HMAC over the token with the network's public key (which anyone can fetch) as secret."""
    url = await callback(app, client)

    def confused(answer: dict[str, Any]) -> dict[str, Any]:
        ring = sandbox_app(app).state.signing_keys
        header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": ring.current.kid}).encode())
        body = answer["id_token"].split(".")[1]
        for secret in (ring.current.as_pem(private=False), json.dumps(ring.public_jwks()["keys"][-1]).encode()):
            sig = hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
            answer["id_token"] = f"{header}.{body}.{b64(sig)}"
        return answer

    async with network(app, token=confused):
        response = await client.get(url)
    await assert_refused(client, response, "登录凭证校验失败", reason="alg 'HS256'")


async def test_hs_and_none_cannot_be_allowed_by_settings(app, client):
    from sso.oidc import allowed_algs

    with sso_settings(app, id_token_algs="none,HS256,hs512,RS256"):
        assert allowed_algs(app.state.settings.sso) == ["RS256"]
    with sso_settings(app, id_token_algs="none"):
        assert allowed_algs(app.state.settings.sso) == ["RS256"]


async def test_missing_id_token_is_refused(app, client):
    url = await callback(app, client)

    def drop(answer: dict[str, Any]) -> dict[str, Any]:
        answer.pop("id_token")
        return answer

    async with network(app, token=drop):
        response = await client.get(url)
    await assert_refused(client, response, "登录凭证校验失败", reason='no id_token')


async def test_userinfo_of_another_subject_is_refused(app, client):
    url = await callback(app, client)

    def other(answer: dict[str, Any]) -> dict[str, Any]:
        return {**answer, "sub": "sbx-someone-else"}

    async with network(app, userinfo=other):
        response = await client.get(url)
    await assert_refused(client, response, "登录凭证校验失败", reason='userinfo sub')


async def test_authorisation_response_from_another_issuer_is_refused(app, client):
    """RFC 9207: a mix-up attack swaps the callback's iss; a missing iss is refused as the network promises one."""
    url = await callback(app, client)
    forged = url.replace("iss=http%3A%2F%2Fsandbox-network.internal", "iss=https%3A%2F%2Fevil.example")
    assert forged != url
    await assert_refused(client, await client.get(forged), "未知的认证服务")
    url = await callback(app, client)
    without = url.replace("&iss=http%3A%2F%2Fsandbox-network.internal", "")
    assert without != url
    await assert_refused(client, await client.get(without), "未知的认证服务")


async def test_provider_error_in_the_callback_is_refused(app, client):
    entry = await start(client, "person")
    state = query(entry)["state"]
    response = await client.get("/sso/callback", params={"error": "access_denied", "state": state,
                                                         "iss": IN_PROCESS_ISSUER})
    await assert_refused(client, response, "取消了登录或授权未通过")


@pytest.mark.parametrize(("path", "status", "text", "page_status"), [
    ("/oauth2/token", 400, "登录凭证无效或已过期", 400),
    ("/oauth2/token", 500, "政务服务网暂时不可用", 503),
    ("/oauth2/userinfo", 401, "未能取得用户信息", 400),
    ("/oauth2/userinfo", 503, "政务服务网暂时不可用", 503),
    ("/jwks", 500, "政务服务网暂时不可用", 503),
])
async def test_provider_error_responses_are_refused(app, client, path, status, text, page_status):
    url = await callback(app, client)
    async with network(app, status={path: status}):
        response = await client.get(url)
    await assert_refused(client, response, text, page_status)


async def test_the_whole_sign_in_has_one_time_budget(app, client):
    """Each call (0.4 s) is within the per-call limit (1 s), but together they exceed the 0.6 s budget."""
    url = await callback(app, client)
    async with network(app, delay_s=0.4) as spy:
        with sso_settings(app, timeout_s=1.0, total_timeout_s=0.6):
            response = await client.get(url)
    await assert_refused(client, response, "超时", 503)
    assert len(spy.paths) >= 2  # no single call hit its own 1 s limit: the budget across them ran out


async def test_network_down_at_the_start_shows_a_chinese_page(app, client):
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse), base_url=IN_PROCESS_ISSUER) as down:
        with network_client(app, down):
            response = await client.get("/sso/login", params={"kind": "employer"})
    await assert_refused(client, response, "暂时无法连接政务服务网", 503)
    assert "location" not in response.headers


async def test_network_slow_at_the_start_shows_a_chinese_page(app, client):
    async with network(app, delay_s=1.0):
        with sso_settings(app, timeout_s=0.3):
            response = await client.get("/sso/login", params={"kind": "person"})
    await assert_refused(client, response, "超时", 503)


async def test_key_rotation_is_followed_and_refetching_is_rate_limited(app, client):
    async with network(app) as spy:
        url = await callback(app, client)  # discovery and keys fetched at the start
        assert spy.paths.count("/jwks") == 1
        ring = sandbox_app(app).state.signing_keys
        ring.rotate()  # the network signs with a key the portal has not seen
        try:
            response = await client.get(url)
            assert response.status_code == 303, response.text[:300]
            assert spy.paths.count("/jwks") == 2
            # A token under an unknown kid right after: no third fetch (at most one per jwks_refresh_s).
            await client.post_form("/sso/logout")
            url = await callback(app, client)
            stranger = RSAKey.generate_key(2048, private=True, parameters={"kid": "unknown-kid"})

            def unknown(answer: dict[str, Any]) -> dict[str, Any]:
                claims = claims_of(answer["id_token"])
                answer["id_token"] = jwt.encode({"alg": "RS256", "kid": "unknown-kid"}, claims, stranger)
                return answer

            spy.token = unknown
            response = await client.get(url)
            assert response.status_code == 400
            assert spy.paths.count("/jwks") == 2
        finally:
            ring.keys.pop()
            ring.rotate()  # keep the file consistent: a fresh current key for later tests


async def test_real_name_level_below_the_minimum_is_refused_in_chinese(app, client):
    url = await callback(app, client, realname_level="L1")
    response = await client.get(url)
    await assert_refused(client, response, "实名认证等级为“初级实名”", 403)
    assert "需要“中级实名”及以上" in response.text


async def test_minimum_real_name_level_is_per_user_kind(app, client):
    with sso_settings(app, min_realname_person="L1", min_realname_employer="L3"):
        url = await callback(app, client, realname_level="L1")
        assert (await client.get(url)).status_code == 303
        await client.post_form("/sso/logout")
        url = await callback(app, client, "employer")
        response = await client.get(url)
    await assert_refused(client, response, "需要“高级实名”及以上", 403)


# ---- stray requests never end a session -----------------------------------------------------------

async def signed_in(app, client) -> None:
    url = await callback(app, client)
    assert (await client.get(url)).status_code == 303


async def whoami(client) -> str:
    tag = (await client.page("/")).find(attrs={"data-testid": "whoami"})
    return tag.get_text(" ", strip=True) if tag else ""


async def test_a_stray_get_of_sso_login_keeps_the_session(app, client):
    await signed_in(app, client)
    before = await whoami(client)
    response = await client.get("/sso/login", params={"kind": "employer", "next": "https://evil.example"})
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert await whoami(client) == before != ""


async def test_a_stray_get_of_the_callback_keeps_the_session(app, client):
    await signed_in(app, client)
    before = await whoami(client)
    response = await client.get("/sso/callback", params={"code": "x", "state": "y"})
    assert response.status_code == 400 and "登录请求不存在或已失效" in response.text
    assert (await client.get("/sso/callback")).status_code == 400
    assert await whoami(client) == before != ""


async def test_two_tabs_can_sign_in_and_a_wrong_state_spends_nothing(app, client):
    account = await net_user(app, "natural")
    first = await start(client, "person")
    second = await start(client, "person")  # another tab
    back = await sandbox_login(client, second, tab="natural", login_name=account["login_name"],
                               password=account["password"])
    forged = back.replace(query(back)["state"], "forged")
    assert "state 不符" in (await client.get(forged)).text
    assert (await client.get(back)).status_code == 303
    assert query(first)["state"] != query(second)["state"]


# ---- client authentication by setting ------------------------------------------------------------

@asynccontextmanager
async def reconfigured(app: Any, **changes: Any):
    """New SSO settings for the portal and the embedded network alike (the sandbox registers the portal from them)."""

    async def drop() -> None:
        if getattr(app.state, "sso_client", None) is not None:
            await app.state.sso_client.aclose()
        app.state.sso_client = app.state.sandbox_app = app.state.sso_cache = None

    await drop()
    try:
        with sso_settings(app, **changes):
            yield
            await drop()
    finally:
        await drop()


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post", "private_key_jwt"])
async def test_each_client_authentication_method_signs_in(app, client, tmp_path, method):
    key_file = tmp_path / "client.pem"
    key_file.write_bytes(RSAKey.generate_key(2048, private=True).as_pem(private=True))
    async with reconfigured(app, client_auth=method, client_key_file=str(key_file)):
        async with network(app) as spy:
            url = await callback(app, client)
            response = await client.get(url)
    assert response.status_code == 303, response.text[:300]
    assert "/oauth2/token" in spy.paths


async def test_a_client_using_another_method_than_registered_is_refused(app, client, tmp_path):
    key_file = tmp_path / "client.pem"
    key_file.write_bytes(RSAKey.generate_key(2048, private=True).as_pem(private=True))
    async with reconfigured(app, client_auth="private_key_jwt", client_key_file=str(key_file)):
        url = await callback(app, client)
        with sso_settings(app, client_auth="client_secret_post"):  # the network still expects a signed assertion
            response = await client.get(url)
    await assert_refused(client, response, "登录凭证无效或已过期", reason="invalid_client")


async def test_a_client_assertion_signed_with_another_key_is_refused(app, client, tmp_path):
    registered, stolen = tmp_path / "registered.pem", tmp_path / "other.pem"
    registered.write_bytes(RSAKey.generate_key(2048, private=True).as_pem(private=True))
    stolen.write_bytes(RSAKey.generate_key(2048, private=True).as_pem(private=True))
    async with reconfigured(app, client_auth="private_key_jwt", client_key_file=str(registered)):
        url = await callback(app, client)
        with sso_settings(app, client_key_file=str(stolen)):
            response = await client.get(url)
    await assert_refused(client, response, "登录凭证无效或已过期", reason="invalid_client")


async def test_ticket_network_levels_are_mapped_and_the_minimum_applies(app, client):
    account = await net_user(app, "natural", realname_level="L2")
    with sso_settings(app, protocol="ticket", realname_levels="L1=L2,L2=L9,L3=L3"):  # L2 of this network = 初级
        entry = await start(client, "person")
        url = await sandbox_login(client, entry, tab="natural", login_name=account["login_name"],
                                  password=account["password"])
        response = await client.get(url)
    await assert_refused(client, response, "需要“中级实名”及以上", 403)


async def test_a_signed_userinfo_answer_is_verified(app, client):
    url = await callback(app, client)

    class Signed(Tamper):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            response = await super().handle_async_request(request)
            if request.url.path != "/oauth2/userinfo":
                return response
            await response.aread()
            claims = {**json.loads(response.content), "iss": IN_PROCESS_ISSUER, "aud": "hrss-portal"}
            signed = sandbox_app(app).state.signing_keys.sign(claims)
            return httpx.Response(200, content=signed, headers={"content-type": "application/jwt"})

    transport = Signed(app)
    async with httpx.AsyncClient(transport=transport, base_url=IN_PROCESS_ISSUER) as c:
        with network_client(app, c):
            response = await client.get(url)
    assert response.status_code == 303, response.text[:300]
    assert "/oauth2/userinfo" in transport.paths


ENDPOINTS = {"discovery": False, "authorization_endpoint": IN_PROCESS_ISSUER + "/oauth2/authorize",
             "token_endpoint": IN_PROCESS_ISSUER + "/oauth2/token", "userinfo_endpoint": IN_PROCESS_ISSUER + "/oauth2/userinfo",
             "jwks_uri": IN_PROCESS_ISSUER + "/jwks", "end_session_endpoint": IN_PROCESS_ISSUER + "/logout"}


async def test_every_endpoint_as_its_own_setting_without_discovery(app, client):
    with sso_settings(app, **ENDPOINTS):
        async with network(app) as spy:
            response = await client.get(await callback(app, client))
    assert response.status_code == 303, response.text[:300]
    assert "/.well-known/openid-configuration" not in spy.paths and "/jwks" in spy.paths


async def test_without_discovery_a_network_down_at_the_start_still_gets_a_chinese_page(app, client):
    """The keys are the probe then: cached keys older than 30 s are asked for again before the redirect."""

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with sso_settings(app, **ENDPOINTS):
        async with network(app):
            assert (await client.get("/sso/login", params={"kind": "person"})).status_code == 303
            app.state.sso_cache.keys_at -= 31  # the cache stays; only its age moves
            async with httpx.AsyncClient(transport=httpx.MockTransport(refuse), base_url=IN_PROCESS_ISSUER) as down:
                app.state.sso_client = down
                response = await client.get("/sso/login", params={"kind": "person"})
    await assert_refused(client, response, "暂时无法连接政务服务网", 503)


async def test_a_discovery_document_naming_another_issuer_is_refused(app, client):
    def other(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"issuer": "https://evil.example", "authorization_endpoint": "https://evil.example/a",
                                         "token_endpoint": "https://evil.example/t", "jwks_uri": "https://evil.example/k"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(other), base_url=IN_PROCESS_ISSUER) as mixed:
        with network_client(app, mixed):
            response = await client.get("/sso/login", params={"kind": "person"})
    await assert_refused(client, response, "配置信息不一致", 503)


async def test_ticket_network_down_at_the_start_shows_a_chinese_page(app, client):
    from sso.providers import TicketProvider

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    TicketProvider._reached.clear()
    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse), base_url=IN_PROCESS_ISSUER) as down:
        with sso_settings(app, protocol="ticket"), network_client(app, down):
            response = await client.get("/sso/login", params={"kind": "person"})
    await assert_refused(client, response, "暂时无法连接政务服务网", 503)
    with sso_settings(app, protocol="ticket"):  # the network answers again: the redirect goes out
        assert (await client.get("/sso/login", params={"kind": "person"})).status_code == 303


async def test_the_issuer_is_compared_exactly_trailing_slash_included(tmp_path):
    from joserfc.jwk import KeySet

    from portal.settings import SSOSettings
    from sso.oidc import Cache, OIDCProvider
    from sso.providers import NetworkError
    from sso.sandbox.keys import KeyRing

    ring = KeyRing.load(tmp_path / "k.json")
    cache = Cache(keys=KeySet.import_key_set(ring.public_jwks()), keys_at=time.monotonic())
    provider = OIDCProvider(SSOSettings(), "https://sso.example.gov.cn/", None, cache)  # type: ignore[arg-type]
    now = int(time.time())
    claims = {"sub": "s", "aud": "hrss-portal", "exp": now + 60, "iat": now, "nonce": "n"}
    ok = await provider.verify_id_token(ring.sign({**claims, "iss": "https://sso.example.gov.cn/"}), nonce="n")
    assert ok["sub"] == "s"
    with pytest.raises(NetworkError):
        await provider.verify_id_token(ring.sign({**claims, "iss": "https://sso.example.gov.cn"}), nonce="n")


async def test_a_token_without_kid_is_tried_against_each_published_key(tmp_path):
    from joserfc.jwk import KeySet

    from portal.settings import SSOSettings
    from sso.oidc import Cache, OIDCProvider
    from sso.providers import NetworkError
    from sso.sandbox.keys import KeyRing

    ring = KeyRing.load(tmp_path / "k.json")
    ring.rotate()
    cache = Cache(keys=KeySet.import_key_set(ring.public_jwks()), keys_at=time.monotonic())
    provider = OIDCProvider(SSOSettings(), "https://i", None, cache)  # type: ignore[arg-type]
    now = int(time.time())
    claims = {"iss": "https://i", "sub": "s", "aud": "hrss-portal", "exp": now + 60, "iat": now, "nonce": "n"}
    signed = jwt.encode({"alg": "RS256"}, claims, ring.keys[0])  # no kid, the older of two keys
    assert (await provider.verify_id_token(signed, nonce="n"))["sub"] == "s"
    forged = jwt.encode({"alg": "RS256"}, claims, RSAKey.generate_key(2048, private=True))
    with pytest.raises(NetworkError):
        await provider.verify_id_token(forged, nonce="n")
