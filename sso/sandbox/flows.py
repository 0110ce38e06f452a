"""The sandbox network's front channel: OIDC authorise, ticket login and logout redirects."""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

from joserfc.errors import JoseError
from litestar import Request, Response, get, post
from litestar.response import Redirect

from sso.sandbox import store
from sso.sandbox.config import goto_allowed, logout_return_allowed, redirect_allowed
from sso.sandbox.pages import COOKIE, current_login, go, page

_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43,128}$")


def _error(request: Request, text: str) -> Response:
    # Never redirect to an unverified URI with an error: show it here (RFC 6749 §4.1.2.1).
    return page(request, "error.html", status=400, text=text, title="请求无效")


def _login_redirect(request: Request, tab: str) -> Response:
    # Mounted, scope["path"] is already relative to the network (Litestar strips the mount path).
    resume = request.scope["path"].rstrip("/") + "?" + request.url.query
    return go(request, f"/login?tab={tab}&resume={quote(resume, safe='')}")


@get("/oauth2/authorize", name="sbx_authorize")
async def authorize(request: Request) -> Response:
    cfg = request.app.state.config
    q = request.query_params
    client = cfg.clients.get(q.get("client_id", ""))
    redirect_uri = q.get("redirect_uri", "")
    if client is None:
        return _error(request, "未注册的应用（client_id 无效）")
    if not redirect_allowed(request, client, redirect_uri):
        return _error(request, "回调地址（redirect_uri）与登记的不一致")
    if q.get("response_type") != "code" or q.get("code_challenge_method") != "S256":
        return _error(request, "仅支持授权码模式（response_type=code）与 PKCE S256")
    if not _CHALLENGE.match(q.get("code_challenge", "")) or not q.get("state"):
        return _error(request, "缺少 state 或 code_challenge")
    if "openid" not in q.get("scope", "").split():
        return _error(request, "scope 须包含 openid")
    # user_type is this network's own hint for which login tab to show (absent: any account kind).
    wanted = {"natural": "natural", "legal": "legal"}.get(q.get("user_type", ""))
    login = await current_login(request)
    if login is None or (wanted and login["user"]["kind"] != wanted):
        return _login_redirect(request, wanted or "legal")
    code = await store.issue_grant(
        "code", login["user"]["id"], ttl_s=store.CODE_TTL_S, agent=login["session"]["agent"],
        client_id=q["client_id"], redirect_uri=redirect_uri, code_challenge=q["code_challenge"],
        nonce=q.get("nonce", "")[:128], login_type=login["session"]["login_type"],
    )
    # RFC 9207: the response names its issuer, so a client talking to several networks cannot be mixed up.
    back = {"code": code, "state": q["state"], "iss": cfg.issuer}
    return Redirect(path=f"{redirect_uri}?{urlencode(back)}", status_code=303)


@get("/ticket/login", name="sbx_ticket_login")
async def ticket_login(request: Request) -> Response:
    cfg = request.app.state.config
    q = request.query_params
    service = cfg.services.get(q.get("servicecode", ""))
    goto = q.get("goto", "")
    if service is None:
        return _error(request, "未注册的接入系统（servicecode 无效）")
    if not goto_allowed(request, service, goto):
        return _error(request, "返回地址（goto）与登记的不一致")
    wanted = "natural" if q.get("usertype") == "1" else "legal"
    login = await current_login(request)
    if login is None or login["user"]["kind"] != wanted:
        return _login_redirect(request, wanted)
    ticket = await store.issue_grant(
        "ticket", login["user"]["id"], ttl_s=store.CODE_TTL_S, prefix="ST-", agent=login["session"]["agent"],
        client_id=q["servicecode"], redirect_uri=goto, login_type=login["session"]["login_type"],
    )
    sep = "&" if "?" in goto else "?"
    return Redirect(path=f"{goto}{sep}{urlencode({'ticket': ticket})}", status_code=303)


@get("/logout", name="sbx_logout")
async def logout(request: Request) -> Response:
    """RP-initiated logout (OIDC end_session: id_token_hint + post_logout_redirect_uri) and the ticket `goto`."""
    cfg = request.app.state.config
    q = request.query_params
    await store.end_session(request.cookies.get(COOKIE))
    back = q.get("post_logout_redirect_uri") or q.get("goto") or q.get("redirect_uri") or ""
    if q.get("id_token_hint"):
        try:
            hint = request.app.state.signing_keys.verify(q["id_token_hint"])  # expired hints are fine; forged ones are not
        except (JoseError, ValueError):
            hint = None
        if hint is None or hint.get("iss") != cfg.issuer or hint.get("aud") not in cfg.clients:
            back = ""  # never redirect on a hint we did not issue
    response: Response
    if back and logout_return_allowed(request, cfg, back):
        response = Redirect(path=back, status_code=303)
    else:
        response = page(request, "home.html", login=None, title="已退出", logged_out=True)
    response.delete_cookie(COOKIE, path=cfg.prefix or "/")
    return response


@post("/logout", name="sbx_logout_post")
async def logout_post(request: Request) -> Response:
    cfg = request.app.state.config
    await store.end_session(request.cookies.get(COOKIE))
    response = go(request, "/")
    response.delete_cookie(COOKIE, path=cfg.prefix or "/")
    return response


ROUTES = [authorize, ticket_login, logout, logout_post]
