"""Sign-in through the government-service network: redirect, callbacks, network logout."""

from __future__ import annotations

import asyncio
import time
from dataclasses import asdict
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromQuery

from portal import audit
from portal.auth.principal import PUBLIC
from portal.auth.sessions import rotate_csrf, start_session
from portal.headers import form_action_allows
from portal.pages.signin import finish_sign_in, hold_sign_in
from portal.settings import SSOSettings
from portal.web import client_ip, redirect, render
from portal.webutil import safe_next
from sso import network
from sso import service as sso_service
from sso.claims import meets_minimum
from sso.mount import sandbox_network
from sso.providers import AccessRefused, NetworkError, NetworkIdentity, NetworkUnavailable, PendingLogin

STATE_TTL_S = 600
MAX_PENDING = 3


async def _fail(request: Request, error: NetworkError, *, event: str = "network_login_failed") -> Response:
    """A clear page and no session at all (the pre-login session is already gone)."""
    request.scope["session"] = {}
    return await _refuse(request, error, event=event)


async def _refuse(request: Request, error: NetworkError, *, event: str = "network_login_failed") -> Response:
    """A clear page; whatever session the browser has stays as it was (a stray link must not log anyone out)."""
    await audit.record(category="login", action=event, result="failed", ip=client_ip(request),
                       detail={"reason": error.reason[:200]})
    return await render(request, "sso/error.html", {"page_title": "登录未成功", "message": error.message},
                        status_code=error.status)


@get("/sso/login", name="sso_login", opt=PUBLIC)
async def sso_login(request: Request, kind: FromQuery[str] = "employer", next: FromQuery[str] = "/") -> Response:
    kind = "person" if kind == "person" else "employer"
    if request.scope.get("user") is not None:
        # Already signed in: a link to the sign-in (from anywhere) must not end this session.
        return redirect(request, safe_next(next))
    try:
        provider = network.provider(request.app)
        async with asyncio.timeout(request.app.state.settings.sso.total_timeout_s):
            await provider.prepare(probe=True)
    except TimeoutError:
        return await _refuse(request, NetworkUnavailable("政务服务网响应超时，请稍后重新登录。", "timeout at start"))
    except NetworkError as error:
        return await _refuse(request, error)
    pending = PendingLogin.new(kind, safe_next(next), time.time())
    # A fresh pre-login session (new id) holds state, nonce, verifier and next, keyed by state so that
    # two tabs can sign in at once; the callback consumes its own entry.
    pendings = _pendings(request)
    pendings[pending.state] = asdict(pending)
    kept = dict(sorted(pendings.items(), key=lambda kv: kv[1].get("at", 0))[-MAX_PENDING:])
    start_session(request, {"sso_pending": kept})
    request.scope["session"].pop("auth_at", None)
    return redirect(request, provider.login_redirect(pending, network.callback_url(request)))


def _pendings(request: Request) -> dict[str, dict[str, Any]]:
    raw = (request.scope.get("session") or {}).get("sso_pending")
    return {k: v for k, v in raw.items() if isinstance(v, dict)} if isinstance(raw, dict) else {}


async def _complete(request: Request) -> Response:
    params = {k: v for k, v in request.query_params.items()}
    pendings = _pendings(request)
    raw = pendings.get(params.get("state", ""))
    if raw is None:
        # Not a sign-in this browser started (a stray or forged link): refuse, touch nothing.
        error = (NetworkError("登录请求校验失败（state 不符），请重新登录。", "state mismatch") if pendings
                 else NetworkError("登录请求不存在或已失效，请重新登录。", "no pending login"))
        return await _refuse(request, error, event="sso_state_rejected")
    # Single use: whatever happens next, this pending login is spent, and no session exists until _finish.
    request.scope["session"] = {}
    pending = PendingLogin(**raw)
    if time.time() - pending.at > STATE_TTL_S:
        return await _fail(request, NetworkError("登录请求已超时（10分钟），请重新登录。", "state expired"),
                           event="sso_state_rejected")
    settings = request.app.state.settings.sso
    try:
        provider = network.provider(request.app)
        value = provider.one_time_value(params)
        if value and not await network.remember_once(value):
            raise NetworkError("该登录凭证已被使用，请重新登录。", "code replayed")
        # One budget for every back-channel call of this sign-in (token, keys, userinfo …), not per call.
        async with asyncio.timeout(settings.total_timeout_s):
            identity = await provider.complete(params, pending, network.callback_url(request))
        if identity.kind != pending.kind:
            raise NetworkError("登录身份类型与所选入口不符，请从正确的入口重新登录。", "kind mismatch")
        _check_realname(settings, identity)
        outcome = await sso_service.sign_in(identity)
    except TimeoutError:
        return await _fail(request, NetworkUnavailable("政务服务网响应超时，请稍后重新登录。", "total budget spent"))
    except NetworkError as error:
        return await _fail(request, error)
    if identity.id_token:
        outcome.session["sso_id_token"] = identity.id_token
    if outcome.pending_agent is not None:
        # The 经办人 confirms the authorisation on the employer domain's page, which then finishes the sign-in.
        hold_sign_in(request, outcome.session, pending.next)
        return redirect(request, request.app.route_reverse("employer_agent_confirm"))
    return await _finish(request, outcome.session, pending.next, outcome.profile_complete)


def _check_realname(settings: SSOSettings, identity: NetworkIdentity) -> None:
    minimum = settings.min_realname_employer if identity.kind == "employer" else settings.min_realname_person
    if not meets_minimum(identity.realname_level, minimum):
        have = sso_service.REALNAME_LABELS.get(identity.realname_level, "未实名认证")
        need = sso_service.REALNAME_LABELS.get(minimum, minimum)
        raise AccessRefused(
            f"您在政务服务网的实名认证等级为“{have}”，办理本系统业务需要“{need}”及以上。"
            "请先在政务服务网完成更高等级的实名认证，再重新登录。",
            f"realname level {identity.realname_level or 'none'} below {minimum}",
        )


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
    session = request.scope.get("session") or {}
    protocol, id_token = session.get("sso_protocol"), str(session.get("sso_id_token") or "")
    if principal is not None:
        await audit.record(category="login", action="logout", actor=principal, ip=client_ip(request))
    request.scope["session"] = {}
    target = "/"
    if protocol and principal is not None and not principal.is_staff:
        try:
            provider = network.provider(request.app)
            async with asyncio.timeout(request.app.state.settings.sso.timeout_s):
                await provider.prepare()
            target = provider.logout_url(network.home_url(request), id_token) or "/"
        except (NetworkError, TimeoutError):
            target = "/"
    if not form_action_allows(request.app.state.settings, target):
        # The CSP would stop this redirect after a form post: the browser follows a link instead (a GET).
        response: Response = await render(request, "sso/logged_out.html",
                                          {"page_title": "已退出", "network_logout": target})
    else:
        response = redirect(request, target)
    rotate_csrf(response, request)
    return response


ROUTES = [sso_login, oauth2_callback, ticket_callback, network_logout, sandbox_network]
