"""One provider interface, two protocol families: OpenID Connect (sso/oidc.py) and ticket validation (Zhejiang)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol
from urllib.parse import urlencode

import httpx

from portal.settings import SSOSettings

Kind = Literal["employer", "person"]


@dataclass(frozen=True)
class NetworkIdentity:
    """Who the network says signed in, whatever the protocol (ACC-1)."""

    subject: str
    kind: Kind
    name: str  # 单位名称 for a legal person, the person's name for a natural person
    id_number: str = ""
    mobile: str = ""
    uscc: str = ""
    legal_rep: str = ""
    agent_name: str = ""  # 经办人: the natural person at the keyboard for a legal-person login
    agent_id_type: str = ""
    agent_id_number: str = ""
    agent_mobile: str = ""
    login_type: str = ""  # password (the account itself) or agent (a 经办人 acting for the legal person)
    realname_level: str = ""
    id_token: str = ""  # OIDC: kept in the session as the id_token_hint of the network logout


@dataclass(frozen=True)
class PendingLogin:
    """What the portal remembers in the pre-login session between the redirect and the callback."""

    state: str
    nonce: str
    verifier: str
    kind: Kind
    next: str
    at: float

    @classmethod
    def new(cls, kind: Kind, next_path: str, at: float) -> PendingLogin:
        # 256-bit state and nonce; a 86-character PKCE verifier (RFC 7636 allows 43–128).
        return cls(secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64), kind, next_path, at)

    @property
    def challenge(self) -> str:
        return base64.urlsafe_b64encode(hashlib.sha256(self.verifier.encode()).digest()).rstrip(b"=").decode()


class NetworkError(Exception):
    """The sign-in cannot finish; `message` is shown to the user in Chinese."""

    status = 400

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(reason or message)
        self.message = message
        self.reason = reason or message


class NetworkUnavailable(NetworkError):
    status = 503


class AccessRefused(NetworkError):
    """The network vouched for the person, but the portal does not let them act (e.g. no agent authorisation)."""

    status = 403


class IdentityProvider(Protocol):
    protocol: str

    async def prepare(self, probe: bool = False) -> object:
        """Anything the redirect needs from the network (OIDC discovery); raises NetworkUnavailable."""

    def login_redirect(self, pending: PendingLogin, callback_url: str) -> str:
        """Where to send the browser to sign in."""

    async def complete(self, params: Mapping[str, str], pending: PendingLogin, callback_url: str) -> NetworkIdentity:
        """Back-channel: turn the code / ticket the browser brought back into an identity."""

    def one_time_value(self, params: Mapping[str, str]) -> str:
        """The code or ticket in the callback, remembered as used by the portal."""

    def logout_url(self, return_to: str, id_token: str = "") -> str | None:
        """The network's logout page, when the protocol has a network session."""


class _HttpProvider:
    def __init__(self, settings: SSOSettings, browser_base: str, client: httpx.AsyncClient) -> None:
        self.settings = settings
        self.browser_base = browser_base.rstrip("/")
        self.client = client

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        # The 5 s budget covers the whole call, also for in-process transports that ignore httpx timeouts.
        try:
            async with asyncio.timeout(self.settings.timeout_s):
                response = await self.client.request(method, path, **kwargs)
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise NetworkUnavailable("政务服务网响应超时，请稍后重新登录。", f"timeout {path}") from exc
        except httpx.HTTPError as exc:
            raise NetworkUnavailable("暂时无法连接政务服务网，请稍后重新登录。", f"{type(exc).__name__} {path}") from exc
        try:
            data = response.json()
        except ValueError as exc:
            raise NetworkUnavailable("政务服务网返回了无法识别的结果，请稍后重试。", f"non-json {path}") from exc
        if not isinstance(data, dict):
            raise NetworkUnavailable("政务服务网返回了无法识别的结果，请稍后重试。", f"non-object {path}")
        if response.status_code >= 500:
            raise NetworkUnavailable("政务服务网暂时不可用，请稍后重新登录。", f"{response.status_code} {path}")
        data["_status"] = response.status_code
        return data

    async def prepare(self, probe: bool = False) -> object:
        return None


def ticket_sign(service_code: str, service_password: str, timestamp: str) -> str:
    """The network's signature: MD5(servicecode + servicepwd + time), lower-case hex."""
    return hashlib.md5((service_code + service_password + timestamp).encode()).hexdigest()  # noqa: S324


class TicketProvider(_HttpProvider):
    """Ticket validation with a signed back-channel call, then getUserInfo (as Zhejiang's network)."""

    protocol = "ticket"
    PROBE_S = 30
    _reached: dict[str, float] = {}  # noqa: RUF012 (per process: when each network last answered a probe)

    async def prepare(self, probe: bool = False) -> object:
        """At the start of sign-in: does the network answer at all? The protocol has no metadata, so the probe
        is a GET of its login page over the back channel — any answer below 500 will do."""
        key = str(self.client.base_url)
        if not probe or time.monotonic() - self._reached.get(key, -1e9) < self.PROBE_S:
            return None
        try:
            async with asyncio.timeout(self.settings.timeout_s):
                response = await self.client.get("ticket/login")
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise NetworkUnavailable("政务服务网响应超时，请稍后重新登录。", "timeout probe") from exc
        except httpx.HTTPError as exc:
            raise NetworkUnavailable("暂时无法连接政务服务网，请稍后重新登录。", f"{type(exc).__name__} probe") from exc
        if response.status_code >= 500:
            raise NetworkUnavailable("政务服务网暂时不可用，请稍后重新登录。", f"{response.status_code} probe")
        self._reached[key] = time.monotonic()
        return None

    def login_redirect(self, pending: PendingLogin, callback_url: str) -> str:
        goto = f"{callback_url}?{urlencode({'state': pending.state})}"
        query = {"servicecode": self.settings.ticket_service_code, "goto": goto,
                 "usertype": "2" if pending.kind == "employer" else "1"}
        return f"{self.browser_base}/ticket/login?{urlencode(query)}"

    def one_time_value(self, params: Mapping[str, str]) -> str:
        return params.get("ticket", "")

    def _signed(self) -> dict[str, str]:
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        code = self.settings.ticket_service_code
        return {"servicecode": code, "time": stamp, "datatype": "json",
                "sign": ticket_sign(code, self.settings.ticket_service_password, stamp)}

    async def complete(self, params: Mapping[str, str], pending: PendingLogin, callback_url: str) -> NetworkIdentity:
        ticket = params.get("ticket", "")
        if not ticket:
            raise NetworkError("登录回调缺少票据，请重新登录。", "missing ticket")
        validation = await self._call("POST", "ticket/ticketValidation", data={**self._signed(), "st": ticket})
        if str(validation.get("result")) != "0" or not validation.get("token"):
            raise NetworkError("登录票据无效或已过期，请重新登录。", f"ticketValidation: {validation.get('errmsg')}")
        info = await self._call("POST", "ticket/getUserInfo", data={**self._signed(), "token": validation["token"]})
        if str(info.get("result")) != "0" or not info.get("userid"):
            raise NetworkError("未能取得用户信息，请重新登录。", f"getUserInfo: {info.get('errmsg')}")
        from sso.claims import ClaimMap, level_of  # sso.claims builds on this module

        level = level_of(ClaimMap.from_settings(self.settings), str(info.get("authlevel", "")))
        if str(info.get("usertype")) == "1":
            return NetworkIdentity(
                subject=str(info["userid"]), kind="person", name=str(info.get("username", "")),
                id_number=str(info.get("idnum", "")), mobile=str(info.get("mobile", "")),
                login_type=str(info.get("logintype", "")), realname_level=level,
            )
        return NetworkIdentity(
            subject=str(info["userid"]), kind="employer", name=str(info.get("CompanyName", "")),
            uscc=str(info.get("CompanyScCode", "")), legal_rep=str(info.get("CompanyLegRep", "")),
            agent_name=str(info.get("attnName", "")), agent_id_type=str(info.get("attnIdType", "")),
            agent_id_number=str(info.get("attnIdNo", "")), agent_mobile=str(info.get("attnPhone", "")),
            login_type=str(info.get("logintype", "")), realname_level=level,
        )

    def logout_url(self, return_to: str, id_token: str = "") -> str | None:
        return f"{self.browser_base}/logout?{urlencode({'goto': return_to})}"
