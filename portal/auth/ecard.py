"""ACC-9: staff sign-in by scanning a QR code with the 电子社保卡 app — the adapter to the card platform.

The platform's QR login is a back-channel protocol (docs/accounts.md, "电子社保卡扫码登录"): this portal asks
for a QR code, shows it, and polls it; once the card holder confirms on the phone the poll returns a one-time
code, exchanged for the holder's 身份证号 and 姓名. Every request is signed with the portal's app secret
(HMAC-SHA256 over the sorted parameters and a timestamp), so the platform knows the caller and a replay goes
stale. The same client talks to the province's platform ("platform") or to the sandbox ("sandbox",
portal.pages.ecard_sandbox), which checks the same signatures; nothing here knows which one it is.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

import httpx

from portal import audit
from portal.auth.tables import StaffUser
from portal.db import write_transaction
from portal.refusal import Refused
from portal.settings import EcardSettings
from portal.validators import id_number_error, mask_id_number, normalise

# Statuses of a QR code, as the platform reports them.
WAITING, SCANNED, CONFIRMED, CANCELLED, EXPIRED = "waiting", "scanned", "confirmed", "cancelled", "expired"
STATUSES = frozenset({WAITING, SCANNED, CONFIRMED, CANCELLED, EXPIRED})
# How far a signed request's timestamp may be from the receiver's clock.
MAX_SKEW_S = 300


class EcardError(Exception):
    """The platform could not be reached or answered nonsense; `message` is shown to the user."""

    message = "电子社保卡平台暂时无法访问，请稍后再试或使用用户名密码登录"


def sign(secret: str, params: dict[str, str]) -> str:
    """HMAC-SHA256 (hex) over "k=v&…" of every parameter but `sign`, keys sorted."""
    text = "&".join(f"{key}={params[key]}" for key in sorted(params) if key != "sign")
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def signed(settings: EcardSettings, **params: str) -> dict[str, str]:
    body = {"app_id": settings.app_id, "ts": str(int(time.time())), "nonce": secrets.token_hex(8), **params}
    body["sign"] = sign(settings.app_secret, body)
    return body


def signature_ok(secret: str, params: dict[str, str], *, now: float | None = None) -> bool:
    """For the receiving side (the sandbox): a valid signature on a fresh timestamp."""
    try:
        age = abs((time.time() if now is None else now) - int(params.get("ts", "")))
    except ValueError:
        return False
    return age <= MAX_SKEW_S and hmac.compare_digest(params.get("sign", ""), sign(secret, params))


@dataclass(frozen=True)
class QrCode:
    qr_id: str
    content: str  # what the QR code encodes: the platform's own link, opened by the 电子社保卡 app
    expires_in: int


@dataclass(frozen=True)
class CardHolder:
    id_number: str
    name: str


class EcardClient:
    """The back channel to the platform at settings.base_url (httpx; the sandbox is reached in-process)."""

    def __init__(self, settings: EcardSettings, http: httpx.AsyncClient) -> None:
        self.settings = settings
        self.http = http

    async def _post(self, path: str, **params: str) -> dict[str, Any]:
        try:
            response = await self.http.post(f"{self.settings.base_url}{path}", data=signed(self.settings, **params),
                                            timeout=self.settings.timeout_s)
            answer = response.json() if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError) as exc:
            raise EcardError() from exc
        if not isinstance(answer, dict) or answer.get("code") != 0 or not isinstance(answer.get("data"), dict):
            raise EcardError()
        return answer["data"]

    async def create(self) -> QrCode:
        data = await self._post("/qrcode")
        qr_id, content = str(data.get("qr_id", "")), str(data.get("content", ""))
        if not qr_id or not content.startswith(("https://", "http://")):
            raise EcardError()
        return QrCode(qr_id, content, min(int(data.get("expires_in", 0) or 0) or self.settings.qr_ttl_s,
                                           self.settings.qr_ttl_s))

    async def status(self, qr_id: str) -> tuple[str, str]:
        """(status, one-time code — only when confirmed)."""
        data = await self._post("/qrcode/status", qr_id=qr_id)
        status = str(data.get("status", ""))
        if status not in STATUSES:
            raise EcardError()
        return status, str(data.get("auth_code", "")) if status == CONFIRMED else ""

    async def holder(self, auth_code: str) -> CardHolder:
        data = await self._post("/userinfo", auth_code=auth_code)
        id_number = normalise(str(data.get("id_number", "")))
        if id_number_error(id_number):
            raise EcardError()
        return CardHolder(id_number, str(data.get("name", ""))[:40])


async def staff_for_card(id_number: str) -> dict | None:
    return await StaffUser.select(
        StaffUser.id, StaffUser.username, StaffUser.display_name, StaffUser.active, StaffUser.totp_secret,
        StaffUser.must_change_password, StaffUser.password_changed_at,
    ).where(StaffUser.ecard_id_number == id_number).first()


async def bind(actor: Any, ip: str, uid: int, id_number: str) -> None:
    """An administrator binds (or, with an empty number, unbinds) the user's 电子社保卡, audited."""
    id_number = normalise(id_number)
    if id_number and (error := id_number_error(id_number)):
        raise Refused(error, "ecard_id_number")
    before = await StaffUser.select(StaffUser.ecard_id_number).where(StaffUser.id == uid).first()
    if before is None:
        raise LookupError(uid)
    if id_number and await StaffUser.exists().where(
        (StaffUser.ecard_id_number == id_number) & (StaffUser.id != uid)
    ):
        raise Refused("该身份证号的电子社保卡已绑定其他工作人员账号", "ecard_id_number")
    async with write_transaction():
        await StaffUser.update({StaffUser.ecard_id_number: id_number or None}).where(StaffUser.id == uid)
    old = before["ecard_id_number"]
    await audit.record(
        category="admin", action="staff_ecard_bind" if id_number else "staff_ecard_unbind", actor=actor, ip=ip,
        object_type="staff", object_id=uid,
        detail={"before": mask_id_number(old) if old else None, "after": mask_id_number(id_number) or None},
    )
