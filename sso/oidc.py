"""OpenID Connect relying party: discovery, JWKS with rotation, id_token checks, client authentication (joserfc)."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import hmac
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, JoseError, MissingClaimError
from joserfc.jwk import KeySet, import_key

from portal.settings import SSOSettings
from sso.claims import ClaimMap, identity_from_claims, pairs
from sso.providers import NetworkError, NetworkIdentity, NetworkUnavailable, PendingLogin, _HttpProvider

DISCOVERY_TTL_S = 3600
PROBE_S = 30
JWKS_TTL_S = 3600
_BAD = "登录凭证校验失败，请重新登录。"


def allowed_algs(s: SSOSettings) -> list[str]:
    """Asymmetric algorithms only: never "none", never HS* (a public key must not become an HMAC secret)."""
    algs = [a.strip() for a in s.id_token_algs.split(",") if a.strip()]
    algs = [a for a in algs if a.lower() != "none" and not a.upper().startswith("HS")]
    return algs or ["RS256"]


@dataclass
class Metadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str = ""
    jwks_uri: str = ""
    end_session_endpoint: str = ""
    iss_parameter_supported: bool = False


@dataclass
class Cache:
    """What one portal process remembers about the provider (discovery and keys)."""

    key: tuple = ()
    metadata: Metadata | None = None
    metadata_at: float = 0.0
    keys: KeySet | None = None
    keys_at: float = 0.0
    unknown_kid_at: float = -1e9  # the last refetch an unknown kid caused
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


def _header(token: str) -> dict[str, Any]:
    try:
        segment = token.split(".")[0]
        data = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, IndexError) as exc:
        raise NetworkError(_BAD, "id_token not a JWS") from exc
    if not isinstance(data, dict):
        raise NetworkError(_BAD, "id_token header not an object")
    return data


class OIDCProvider(_HttpProvider):
    """Authorisation code + PKCE S256 + state + nonce, id_token verified against the provider's JWKS."""

    protocol = "oidc"

    def __init__(self, settings: SSOSettings, issuer: str, client: httpx.AsyncClient, cache: Cache,
                 front: tuple[str, str] | None = None) -> None:
        super().__init__(settings, issuer, client)
        self.issuer = issuer  # compared exactly everywhere (OIDC Core §3.1.3.7, RFC 9207 §2.4): no slash trimming
        self.cache = cache
        self.front = front  # (back-channel prefix, browser prefix) for the in-process sandbox only
        self.algs = allowed_algs(settings)
        self.claim_map = ClaimMap.from_settings(settings)

    # ---- metadata and keys -----------------------------------------------------------------------

    def _cache_key(self) -> tuple:
        s = self.settings
        return (self.issuer, s.discovery, s.authorization_endpoint, s.token_endpoint, s.userinfo_endpoint,
                s.jwks_uri, s.end_session_endpoint)

    async def _get_json(self, url: str) -> dict[str, Any]:
        data = await self._call("GET", url)
        if data["_status"] != 200:
            raise NetworkUnavailable("政务服务网暂时不可用，请稍后重新登录。", f"{data['_status']} {url}")
        return data

    async def prepare(self, probe: bool = False) -> Metadata:
        """Discovery (cached an hour) and the JWKS. With `probe` (the start of sign-in) the network is asked again
        when the last answer is older than PROBE_S, so a network that is down gets our page, not the browser's."""
        cache = self.cache
        if cache.key != self._cache_key():
            cache.key, cache.metadata, cache.keys = self._cache_key(), None, None
        ttl = PROBE_S if probe else DISCOVERY_TTL_S
        if cache.metadata is None or time.monotonic() - cache.metadata_at > ttl:
            async with cache.lock:
                if cache.metadata is None or time.monotonic() - cache.metadata_at > ttl:
                    cache.metadata, cache.metadata_at = await self._discover(), time.monotonic()
        # Without discovery the JWKS is what the probe asks for.
        keys_ttl = PROBE_S if probe and not self.settings.discovery else JWKS_TTL_S
        if cache.keys is None or time.monotonic() - cache.keys_at > keys_ttl:
            await self._refresh_keys(force=True)
        return cache.metadata

    async def _discover(self) -> Metadata:
        s = self.settings
        found: dict[str, Any] = {}
        if s.discovery:
            found = await self._get_json(f"{self.issuer.rstrip('/')}/.well-known/openid-configuration")
            # OpenID Connect Discovery §4.3: the document must name the issuer we asked.
            if found.get("issuer") != self.issuer:
                raise NetworkUnavailable("政务服务网配置信息不一致，请联系管理员。", "discovery issuer mismatch")
        meta = Metadata(
            issuer=self.issuer,
            authorization_endpoint=s.authorization_endpoint or str(found.get("authorization_endpoint", "")),
            token_endpoint=s.token_endpoint or str(found.get("token_endpoint", "")),
            userinfo_endpoint=s.userinfo_endpoint or str(found.get("userinfo_endpoint", "")),
            jwks_uri=s.jwks_uri or str(found.get("jwks_uri", "")),
            end_session_endpoint=s.end_session_endpoint or str(found.get("end_session_endpoint", "")),
            iss_parameter_supported=bool(found.get("authorization_response_iss_parameter_supported")),
        )
        if not (meta.authorization_endpoint and meta.token_endpoint and meta.jwks_uri):
            raise NetworkUnavailable("尚未完整配置政务服务网统一身份认证，请联系管理员。", "endpoints missing")
        return meta

    async def _refresh_keys(self, *, force: bool) -> bool:
        """Fetch the JWKS; for an unknown kid (not `force`) at most once per `jwks_refresh_s`, so tokens with
        made-up kids cannot make the portal flood the network."""
        cache = self.cache
        async with cache.lock:
            if not force:
                if time.monotonic() - cache.unknown_kid_at < self.settings.jwks_refresh_s:
                    return False
                cache.unknown_kid_at = time.monotonic()
            assert cache.metadata is not None
            data = await self._get_json(cache.metadata.jwks_uri)
            try:
                keys = KeySet.import_key_set({"keys": [k for k in data.get("keys", []) if k.get("use", "sig") == "sig"]})
            except (JoseError, ValueError, TypeError, AttributeError) as exc:
                raise NetworkUnavailable("政务服务网返回了无法识别的密钥，请稍后重试。", "bad jwks") from exc
            cache.keys, cache.keys_at = keys, time.monotonic()
            return True

    def _front(self, url: str) -> str:
        if self.front and url.startswith(self.front[0]):
            return self.front[1] + url[len(self.front[0]):]
        return url

    # ---- the round trip --------------------------------------------------------------------------

    def login_redirect(self, pending: PendingLogin, callback_url: str) -> str:
        meta = self.cache.metadata
        assert meta is not None, "prepare() first"
        query = {
            "response_type": "code", "client_id": self.settings.client_id, "redirect_uri": callback_url,
            "scope": self.settings.scopes, "state": pending.state, "nonce": pending.nonce,
            "code_challenge": pending.challenge, "code_challenge_method": "S256",
        }
        extra = self.settings.authorize_params_employer if pending.kind == "employer" else self.settings.authorize_params_person
        query.update({k: v for k, v in pairs(extra).items() if k not in query})
        endpoint = self._front(meta.authorization_endpoint)
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(query)}"

    def one_time_value(self, params: Mapping[str, str]) -> str:
        return params.get("code", "")

    async def complete(self, params: Mapping[str, str], pending: PendingLogin, callback_url: str) -> NetworkIdentity:
        meta = await self.prepare()
        # RFC 9207: an authorisation response from another issuer is a mix-up attack.
        if "iss" in params and params["iss"] != self.issuer:
            raise NetworkError("登录回调来自未知的认证服务，请重新登录。", "authorization response iss mismatch")
        if "iss" not in params and meta.iss_parameter_supported:
            raise NetworkError("登录回调来自未知的认证服务，请重新登录。", "authorization response iss missing")
        if params.get("error"):
            raise NetworkError("您在政务服务网取消了登录或授权未通过。", f"error={params.get('error', '')[:40]}")
        code = params.get("code", "")
        if not code:
            raise NetworkError("登录回调缺少授权码，请重新登录。", "missing code")
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": callback_url,
                "code_verifier": pending.verifier}
        headers = self._client_auth(form, meta.token_endpoint)
        token = await self._call("POST", meta.token_endpoint, data=form, headers=headers)
        if token["_status"] != 200 or not token.get("access_token"):
            raise NetworkError("登录凭证无效或已过期，请重新登录。", f"token: {str(token.get('error'))[:60]}")
        raw_id_token = token.get("id_token")
        if not isinstance(raw_id_token, str) or not raw_id_token:
            raise NetworkError(_BAD, "no id_token")
        claims = await self.verify_id_token(raw_id_token, nonce=pending.nonce)
        if meta.userinfo_endpoint:
            info = await self._userinfo(meta.userinfo_endpoint, str(token["access_token"]))
            # OIDC Core §5.3.2: the userinfo sub MUST equal the id_token's, or the answer is not used.
            if not hmac.compare_digest(str(info.get("sub", "")), str(claims["sub"])):
                raise NetworkError(_BAD, "userinfo sub differs from id_token sub")
            claims = {**claims, **{k: v for k, v in info.items() if k not in {"iss", "aud", "sub", "_status"}}}
        return dataclasses.replace(identity_from_claims(claims, self.claim_map), id_token=raw_id_token)

    async def _userinfo(self, url: str, access_token: str) -> dict[str, Any]:
        try:
            async with asyncio.timeout(self.settings.timeout_s):
                response = await self.client.get(url, headers={"Authorization": f"Bearer {access_token}"})
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise NetworkUnavailable("政务服务网响应超时，请稍后重新登录。", "timeout userinfo") from exc
        except httpx.HTTPError as exc:
            raise NetworkUnavailable("暂时无法连接政务服务网，请稍后重新登录。", "userinfo unreachable") from exc
        if response.status_code >= 500:
            raise NetworkUnavailable("政务服务网暂时不可用，请稍后重新登录。", f"userinfo {response.status_code}")
        if response.status_code != 200:
            raise NetworkError("未能取得用户信息，请重新登录。", f"userinfo {response.status_code}")
        if response.headers.get("content-type", "").split(";")[0].strip() == "application/jwt":
            # A signed userinfo answer: same keys and algorithms as the id_token.
            return await self._verified(response.text.strip(), registry=jwt.JWTClaimsRegistry(
                leeway=self.settings.clock_skew_s, sub={"essential": True}))
        try:
            data = response.json()
        except ValueError as exc:
            raise NetworkUnavailable("政务服务网返回了无法识别的结果，请稍后重试。", "userinfo non-json") from exc
        if not isinstance(data, dict):
            raise NetworkUnavailable("政务服务网返回了无法识别的结果，请稍后重试。", "userinfo non-object")
        return data

    async def verify_id_token(self, raw: str, *, nonce: str) -> dict[str, Any]:
        s = self.settings
        registry = jwt.JWTClaimsRegistry(
            leeway=s.clock_skew_s,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": s.client_id},
            sub={"essential": True}, exp={"essential": True}, iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        claims = await self._verified(raw, registry=registry)
        aud = claims.get("aud")
        # OIDC Core §3.1.3.7: with several audiences azp must be present; when present it must be us.
        if isinstance(aud, list) and len(aud) > 1 and "azp" not in claims:
            raise NetworkError(_BAD, "several audiences and no azp")
        if "azp" in claims and claims["azp"] != s.client_id:
            raise NetworkError(_BAD, "azp is another client")
        return claims

    async def _verified(self, raw: str, *, registry: jwt.JWTClaimsRegistry) -> dict[str, Any]:
        header = _header(raw)
        alg = str(header.get("alg", ""))
        if alg not in self.algs:
            raise NetworkError(_BAD, f"alg {alg[:10]!r} not allowed")
        kid = header.get("kid")
        keys = self.cache.keys
        assert keys is not None
        if kid is not None and not _has_kid(keys, kid):
            # Key rotation: the network signs with a key we have not seen yet; fetch again (rate-limited).
            await self._refresh_keys(force=False)
            keys = self.cache.keys
            assert keys is not None
            if not _has_kid(keys, kid):
                raise NetworkError(_BAD, "unknown kid")
        try:
            token = _decode(raw, keys, kid, self.algs)
            registry.validate(token.claims)
        except ExpiredTokenError as exc:
            raise NetworkError("登录凭证已过期，请重新登录。", "id_token expired") from exc
        except MissingClaimError as exc:
            raise NetworkError(_BAD, f"id_token claim missing: {exc}"[:120]) from exc
        except (JoseError, ValueError) as exc:
            raise NetworkError(_BAD, f"id_token rejected: {type(exc).__name__} {exc}"[:160]) from exc
        return token.claims

    # ---- client authentication -------------------------------------------------------------------

    def _client_auth(self, form: dict[str, str], token_endpoint: str) -> dict[str, str]:
        s = self.settings
        if s.client_auth == "client_secret_post":
            form.update(client_id=s.client_id, client_secret=s.client_secret)
            return {}
        if s.client_auth == "private_key_jwt":
            form.update(client_id=s.client_id, client_assertion=self._assertion(token_endpoint),
                        client_assertion_type="urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
            return {}
        # RFC 6749 §2.3.1: both parts form-encoded before Base64.
        pair = f"{quote(s.client_id, safe='')}:{quote(s.client_secret, safe='')}"
        return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}

    def _assertion(self, audience: str) -> str:
        key = client_key(self.settings)
        now = int(time.time())
        claims = {"iss": self.settings.client_id, "sub": self.settings.client_id, "aud": audience,
                  "jti": secrets.token_urlsafe(24), "iat": now, "exp": now + 60}
        alg = "ES256" if key.key_type == "EC" else "RS256"
        return jwt.encode({"alg": alg, "kid": key.kid or key.thumbprint()}, claims, key)

    def logout_url(self, return_to: str, id_token: str = "") -> str | None:
        meta = self.cache.metadata
        if meta is None or not meta.end_session_endpoint:
            return None
        query = {"client_id": self.settings.client_id, "post_logout_redirect_uri": return_to}
        if id_token:
            query["id_token_hint"] = id_token
        endpoint = self._front(meta.end_session_endpoint)
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(query)}"


def _decode(raw: str, keys: KeySet, kid: Any, algs: list[str]) -> jwt.Token:
    """By kid; a token without one (allowed when the network has a single key) is tried against each key."""
    if kid is not None or len(keys.keys) <= 1:
        return jwt.decode(raw, keys, algorithms=algs)
    error: JoseError | None = None
    for key in keys.keys:
        try:
            return jwt.decode(raw, key, algorithms=algs)
        except JoseError as exc:
            error = exc
    assert error is not None
    raise error


def _has_kid(keys: KeySet, kid: str) -> bool:
    return any(k.kid == kid for k in keys.keys)


def client_key(s: SSOSettings) -> Any:
    """The portal's private key for private_key_jwt: a PEM file or a JWK (JSON) file."""
    if not s.client_key_file:
        raise NetworkError("尚未配置客户端私钥（PORTAL_SSO_CLIENT_KEY_FILE），请联系管理员。", "no client key")
    data = Path(s.client_key_file).read_bytes()
    if data.lstrip().startswith(b"{"):
        return import_key(json.loads(data))
    try:
        return import_key(data, "RSA")
    except (JoseError, ValueError):
        return import_key(data, "EC")
