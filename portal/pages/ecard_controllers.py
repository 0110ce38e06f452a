"""ACC-9: 工作人员 sign in by scanning a QR code with the 电子社保卡 app, beside the password login.

The QR code belongs to the browser that asked for it: its id lives in that browser's (pre-login) session, so a
code photographed off someone's screen signs in nobody but the screen's owner. The page polls (htmx, every
2 s; without JS a 我已在手机上确认 button asks once). A confirmed scan names a 身份证号; an administrator bound
it to at most one staff account. The app's confirmation is a possession factor on top of the card's own PIN or
face check, so it stands for the password and the second factor together.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from typing import Any
from urllib.parse import urlsplit

import httpx
import segno
from litestar import Litestar, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromQuery

from portal import audit
from portal.auth import ecard
from portal.auth.once import digest, spend_once
from portal.auth.principal import PUBLIC
from portal.pages import ecard_sandbox
from portal.pages.login_controllers import complete_login
from portal.web import client_ip, is_htmx, redirect, render
from portal.webutil import safe_next

SESSION_KEY = "ecard_qr"
MESSAGES = {
    ecard.WAITING: "请使用电子社保卡APP扫描二维码",
    ecard.SCANNED: "已扫码，请在手机上确认登录",
    ecard.CANCELLED: "您已在手机上取消登录，请刷新二维码后重新扫码",
    ecard.EXPIRED: "二维码已过期，请刷新后重新扫码",
}
UNBOUND = "该电子社保卡未绑定工作人员账号，请联系系统管理员在“工作人员管理”中绑定"


def _client(app: Litestar) -> ecard.EcardClient:
    settings = app.state.settings.ecard
    http = getattr(app.state, "ecard_http", None)
    if http is None:
        http = app.state.ecard_http = ecard_sandbox.client(app) if settings.mode == "sandbox" else httpx.AsyncClient()
    if settings.mode == "sandbox":
        settings = dataclasses.replace(settings, base_url=ecard_sandbox.IN_PROCESS_BASE)
    return ecard.EcardClient(settings, http)


async def close_client(app: Litestar) -> None:
    http = getattr(app.state, "ecard_http", None)
    if http is not None:
        await http.aclose()
        app.state.ecard_http = None


def _enabled(request: Request) -> None:
    if not request.app.state.settings.ecard.enabled:
        raise NotFoundException()


def _pending(request: Request) -> dict[str, Any] | None:
    raw = (request.scope.get("session") or {}).get(SESSION_KEY)
    if not isinstance(raw, dict) or time.time() > raw.get("until", 0):
        return None
    return raw


async def _page(request: Request, ctx: dict[str, Any], status_code: int = 200) -> Response:
    return await render(request, "auth/ecard_login.html", {"page_title": "电子社保卡扫码登录", **ctx},
                        status_code=status_code)


@get("/login/ecard", name="login_ecard", opt=PUBLIC)
async def ecard_login(request: Request, next: FromQuery[str] = "/") -> Response:
    _enabled(request)
    next_path = safe_next(next)
    if request.scope.get("user") is not None:
        return redirect(request, next_path)
    try:
        qr = await _client(request.app).create()
    except ecard.EcardError as error:
        return await _page(request, {"error": error.message, "next": next_path}, status_code=503)
    # A new pre-login session (new id) holds the code; the sign-in rotates it again.
    request.scope["session"] = {SESSION_KEY: {"qr_id": qr.qr_id, "until": time.time() + qr.expires_in,
                                              "next": next_path}}
    return await _page(request, {
        "qr": segno.make(qr.content, error="m").svg_data_uri(scale=5, border=2),
        # The sandbox's phone is a page of this site: a link (same origin, whatever address the QR code
        # names) stands in for the camera.
        "phone_link": _same_site(qr.content) if request.app.state.settings.ecard.mode == "sandbox" else "",
        "message": MESSAGES[ecard.WAITING], "next": next_path, "expires_in": qr.expires_in,
    })


def _same_site(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def _status_answer(request: Request, message: str, *, final: bool = False, error: bool = False) -> Response:
    ctx = {"message": message, "final": final, "is_error": error}
    if is_htmx(request):
        return await render(request, "auth/_ecard_status.html", ctx)
    pending = _pending(request) or {}
    return await _page(request, {**ctx, "next": pending.get("next", "/"), "status_only": True})


async def _check(request: Request) -> Response:
    _enabled(request)
    pending = _pending(request)
    if pending is None:
        return await _status_answer(request, MESSAGES[ecard.EXPIRED], final=True)
    client = _client(request.app)
    try:
        async with asyncio.timeout(request.app.state.settings.ecard.timeout_s * 2):
            state, code = await client.status(pending["qr_id"])
            if state != ecard.CONFIRMED:
                return await _status_answer(request, MESSAGES[state], final=state in {ecard.CANCELLED, ecard.EXPIRED})
            # The code is spent before it is used: a replayed poll (another tab, a retry) signs in nobody.
            request.scope["session"] = {}
            if not await spend_once("ecard_code", digest(code)):
                return await _status_answer(request, MESSAGES[ecard.EXPIRED], final=True)
            holder = await client.holder(code)
    except (ecard.EcardError, TimeoutError):
        return await _status_answer(request, ecard.EcardError.message, error=True)
    user = await ecard.staff_for_card(holder.id_number)
    if user is None or not user["active"]:
        await audit.record(category="login", action="ecard_login_refused", ip=client_ip(request),
                           result="refused", detail={"reason": "unbound" if user is None else "inactive"},
                           actor_name=holder.name)
        return await _status_answer(request, UNBOUND if user is None else "该工作人员账号已停用", final=True,
                                    error=True)
    return await complete_login(request, user, safe_next(pending.get("next")), second_factor=True, method="ecard")


@get("/login/ecard/status", name="login_ecard_status", opt=PUBLIC)
async def ecard_status(request: Request) -> Response:
    return await _check(request)


@post("/login/ecard/status", name="login_ecard_check", opt=PUBLIC)
async def ecard_check(request: Request) -> Response:
    return await _check(request)


ROUTES = [ecard_login, ecard_status, ecard_check, *ecard_sandbox.ROUTES]
