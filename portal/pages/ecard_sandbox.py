"""The sandbox 电子社保卡 platform (PORTAL_ECARD_LOGIN=sandbox): its back-channel API and a "phone" page.

The API is a separate small Litestar app that only the portal's own client reaches (in-process, through
httpx's ASGI transport): it checks the same signatures the province's platform would, so the adapter in
portal.auth.ecard runs its real code path in demos and tests. The phone page, in the portal at /sandbox-ecard/app,
plays the card holder: opening it is the scan, its buttons are the app's 确认登录 / 取消.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from litestar import Litestar, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromQuery

from portal.auth import ecard
from portal.auth.principal import PUBLIC
from portal.auth.tables import EcardSandboxScan
from portal.db import write_transaction
from portal.forms import Form, IdNumberField, TextField
from portal.settings import EcardSettings, Settings
from portal.web import redirect, render

IN_PROCESS_BASE = "http://ecard-sandbox.internal"
PHONE_PATH = "/sandbox-ecard/app"


def _now() -> datetime:
    return datetime.now(UTC)


def _answer(data: dict[str, Any] | None = None, *, code: int = 0, message: str = "ok") -> Response:
    return Response({"code": code, "message": message, "data": data}, media_type="application/json")


def create_api(settings: EcardSettings, phone_base: str) -> Litestar:
    """`phone_base`: where the QR code sends the phone (this portal's public or local address)."""

    async def params(request: Request) -> dict[str, str] | None:
        form = {key: str(value) for key, value in (await request.form()).items()}
        ok = form.get("app_id") == settings.app_id and ecard.signature_ok(settings.app_secret, form)
        return form if ok else None

    @post("/qrcode", status_code=200)
    async def qrcode(request: Request) -> Response:
        if await params(request) is None:
            return _answer(code=401, message="签名错误")
        qr_id = secrets.token_urlsafe(24)
        async with write_transaction():
            await EcardSandboxScan.delete().where(EcardSandboxScan.expires_at < _now() - timedelta(hours=1))
            await EcardSandboxScan.insert(EcardSandboxScan(
                qr_id=qr_id, created_at=_now(), expires_at=_now() + timedelta(seconds=settings.qr_ttl_s)))
        return _answer({"qr_id": qr_id, "content": f"{phone_base}{PHONE_PATH}?qr={qr_id}",
                        "expires_in": settings.qr_ttl_s})

    @post("/qrcode/status", status_code=200)
    async def status(request: Request) -> Response:
        form = await params(request)
        if form is None:
            return _answer(code=401, message="签名错误")
        row = await EcardSandboxScan.select().where(EcardSandboxScan.qr_id == form.get("qr_id", "")).first()
        if row is None:
            return _answer({"status": ecard.EXPIRED})
        state = row["status"]
        if state in {ecard.WAITING, ecard.SCANNED} and row["expires_at"] < _now():
            state = ecard.EXPIRED
        return _answer({"status": state, **({"auth_code": row["code"]} if state == ecard.CONFIRMED else {})})

    @post("/userinfo", status_code=200)
    async def userinfo(request: Request) -> Response:
        form = await params(request)
        if form is None or not form.get("auth_code"):
            return _answer(code=401, message="签名错误")
        async with write_transaction():
            row = await EcardSandboxScan.select().where(EcardSandboxScan.code == form["auth_code"]).first()
            if row is None:
                return _answer(code=404, message="授权码无效")
            # The platform's code is one-time: spent here.
            await EcardSandboxScan.update({EcardSandboxScan.status: "used", EcardSandboxScan.code: None}).where(
                EcardSandboxScan.id == row["id"])
        return _answer({"id_number": row["id_number"], "name": row["name"]})

    return Litestar(route_handlers=[qrcode, status, userinfo], debug=False, openapi_config=None)


def client(app: Litestar) -> httpx.AsyncClient:
    """The sandbox platform's back channel, in-process."""
    settings: Settings = app.state.settings
    api = create_api(settings.ecard, settings.site.public_url or settings.site.local_url)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url=IN_PROCESS_BASE)


# -- the phone ----------------------------------------------------------------------------------------------

PHONE_FIELDS = [IdNumberField("id_number", "持卡人身份证号"), TextField("name", "持卡人姓名", max_len=40)]


def _sandbox_only(request: Request) -> None:
    if request.app.state.settings.ecard.mode != "sandbox":
        raise NotFoundException()


async def _scan(qr: str) -> dict | None:
    return await EcardSandboxScan.select().where(
        (EcardSandboxScan.qr_id == qr) & (EcardSandboxScan.expires_at >= _now())
    ).first() if qr else None


async def _phone_page(request: Request, qr: str, form: Form, scan: dict | None) -> Response:
    return await render(request, "auth/ecard_phone.html", {
        "page_title": "电子社保卡（沙箱）", "form": form, "qr": qr, "scan": scan,
    })


@get(PHONE_PATH, name="ecard_sandbox_phone", opt=PUBLIC)
async def phone(request: Request, qr: FromQuery[str] = "") -> Response:
    _sandbox_only(request)
    scan = await _scan(qr)
    if scan is not None and scan["status"] == ecard.WAITING:
        # Opening the code's link is the scan: the login page now says 已扫码.
        async with write_transaction():
            await EcardSandboxScan.update({EcardSandboxScan.status: ecard.SCANNED}).where(
                (EcardSandboxScan.id == scan["id"]) & (EcardSandboxScan.status == ecard.WAITING))
        scan = {**scan, "status": ecard.SCANNED}
    return await _phone_page(request, qr, Form(PHONE_FIELDS, {}), scan)


@post(PHONE_PATH, name="ecard_sandbox_phone_answer", opt=PUBLIC)
async def phone_answer(request: Request) -> Response:
    _sandbox_only(request)
    data = await request.form()
    qr = str(data.get("qr", ""))
    scan = await _scan(qr)
    form = Form(PHONE_FIELDS, data)
    if scan is None or scan["status"] not in {ecard.WAITING, ecard.SCANNED}:
        return await _phone_page(request, qr, form, None)
    if data.get("action") == "cancel":
        async with write_transaction():
            await EcardSandboxScan.update({EcardSandboxScan.status: ecard.CANCELLED}).where(
                EcardSandboxScan.id == scan["id"])
        return await _phone_page(request, qr, form, {**scan, "status": ecard.CANCELLED})
    if not await form.validate():
        return await _phone_page(request, qr, form, scan)
    async with write_transaction():
        await EcardSandboxScan.update({
            EcardSandboxScan.status: ecard.CONFIRMED, EcardSandboxScan.id_number: form.cleaned["id_number"],
            EcardSandboxScan.name: form.cleaned["name"], EcardSandboxScan.code: secrets.token_urlsafe(24),
        }).where((EcardSandboxScan.id == scan["id"]) & (EcardSandboxScan.status.is_in([ecard.WAITING, ecard.SCANNED])))
    return redirect(request, f"{PHONE_PATH}?qr={qr}")


ROUTES = [phone, phone_answer]
