"""Sign-in through the government-service network: redirect, callbacks, network logout."""

from __future__ import annotations

import hmac
import time
from dataclasses import asdict
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromQuery

from portal import audit
from portal.auth.controllers import rotate_csrf, start_session
from portal.auth.principal import PUBLIC
from portal.auth.signin import finish_sign_in, hold_sign_in
from portal.web import client_ip, redirect, render
from portal.webutil import safe_next
from sso import network
from sso import service as sso_service
from sso.mount import sandbox_network
from sso.providers import NetworkError, PendingLogin

STATE_TTL_S = 600


async def _fail(request: Request, error: NetworkError, *, event: str = "network_login_failed") -> Response:
    """A clear page and no session at all (the pre-login session is already gone)."""
    request.scope["session"] = {}
    await audit.record(category="login", action=event, result="failed", ip=client_ip(request),
                       detail={"reason": error.reason[:200]})
    return await render(request, "sso/error.html", {"page_title": "登录未成功", "message": error.message},
                        status_code=error.status)


@get("/sso/login", name="sso_login", opt=PUBLIC)
async def sso_login(request: Request, kind: FromQuery[str] = "employer", next: FromQuery[str] = "/") -> Response:
    kind = "person" if kind == "person" else "employer"
    try:
        provider = network.provider(request.app)
    except NetworkError as error:
        return await _fail(request, error)
    pending = PendingLogin.new(kind, safe_next(next), time.time())
    # A fresh pre-login session (new id) holds state, nonce, verifier and next; the callback consumes it.
    start_session(request, {"sso_pending": asdict(pending)})
    request.scope["session"].pop("auth_at", None)
    return redirect(request, provider.login_redirect(pending, network.callback_url(request)))


async def _complete(request: Request) -> Response:
    session = request.scope.get("session") or {}
    raw = session.get("sso_pending")
    request.scope["session"] = {}  # single use: whatever happens next, the pending login is spent
    params = {k: v for k, v in request.query_params.items()}
    if not isinstance(raw, dict):
        return await _fail(request, NetworkError("登录请求不存在或已失效，请重新登录。", "no pending login"),
                           event="sso_state_rejected")
    pending = PendingLogin(**raw)
    if time.time() - pending.at > STATE_TTL_S:
        return await _fail(request, NetworkError("登录请求已超时（10分钟），请重新登录。", "state expired"),
                           event="sso_state_rejected")
    if not hmac.compare_digest(params.get("state", "").encode(), pending.state.encode()):
        return await _fail(request, NetworkError("登录请求校验失败（state 不符），请重新登录。", "state mismatch"),
                           event="sso_state_rejected")
    try:
        provider = network.provider(request.app)
        value = provider.one_time_value(params)
        if value and not await network.remember_once(value):
            raise NetworkError("该登录凭证已被使用，请重新登录。", "code replayed")
        identity = await provider.complete(params, pending, network.callback_url(request))
        if identity.kind != pending.kind:
            raise NetworkError("登录身份类型与所选入口不符，请从正确的入口重新登录。", "kind mismatch")
        outcome = await sso_service.sign_in(identity)
    except NetworkError as error:
        return await _fail(request, error)
    if outcome.pending_agent is not None:
        # The 经办人 confirms the authorisation on the employer domain's page, which then finishes the sign-in.
        hold_sign_in(request, outcome.session, pending.next)
        return redirect(request, request.app.route_reverse("employer_agent_confirm"))
    return await _finish(request, outcome.session, pending.next, outcome.profile_complete)


async def _finish(request: Request, data: dict[str, Any], next_path: str, profile_complete: bool) -> Response:
    return await finish_sign_in(request, data, next_path, profile_complete=profile_complete)


@get("/sso/callback", name="sso_callback", opt=PUBLIC)
async def oauth2_callback(request: Request) -> Response:
    return await _complete(request)


@get("/sso/ticket", name="sso_ticket", opt=PUBLIC)
async def ticket_callback(request: Request) -> Response:
    return await _complete(request)


@post("/sso/logout", name="sso_logout", opt=PUBLIC)
async def network_logout(request: Request) -> Response:
    """End the portal session, then send the browser to the network to end its session too (ACC-7)."""
    principal = request.scope.get("user")
    protocol = (request.scope.get("session") or {}).get("sso_protocol")
    if principal is not None:
        await audit.record(category="login", action="logout", actor=principal, ip=client_ip(request))
    request.scope["session"] = {}
    target = "/"
    if protocol and principal is not None and not principal.is_staff:
        try:
            target = network.provider(request.app).logout_url(network.home_url(request)) or "/"
        except NetworkError:
            target = "/"
    response = redirect(request, target)
    rotate_csrf(response, request)
    return response


ROUTES = [sso_login, oauth2_callback, ticket_callback, network_logout, sandbox_network]
