"""Stored PDFs (kept byte for byte with their hash) and certificates with a verification code, QR and seal (X-4)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import segno
from litestar import Request, Response
from litestar.exceptions import NotFoundException
from piccolo.custom_types import Combinable

from portal import audit, validators
from portal.auth.principal import Principal, division_clause
from portal.dataservices import signing
from portal.dataservices.documents import render_pdf
from portal.dataservices.grid import Column, Filter, Grid, Scope
from portal.dataservices.tables import Certificate, StoredDocument
from portal.db import write_transaction
from portal.filters import SHANGHAI
from portal.settings import Settings
from portal.storage import relative_to_storage, storage_file


@dataclass(frozen=True)
class Fact:
    """A line of a certificate. `kind` decides how the public verification page masks it:
    text (shown), name (first character kept), id_number (6 + 4), phone, uscc (shown: public)."""

    label: str
    value: str
    kind: str = "text"

    def masked(self) -> str:
        value = self.value or ""
        if self.kind == "id_number":
            return validators.mask_id_number(value)
        if self.kind == "phone":
            return validators.mask_phone(value)
        if self.kind == "name":
            return value[:1] + "*" * max(len(value) - 1, 1) if value else ""
        return value


def _storage(settings: Settings | None = None) -> Path:
    settings = settings or Settings.from_env()
    path = Path(settings.storage_dir) / "documents"
    path.mkdir(parents=True, exist_ok=True)
    return path


async def store_document(pdf: bytes, *, kind: str, title: str, owner_employer_id: int | None = None,
                         owner_person_id: int | None = None, division_code: str = "") -> dict:
    """Keep a generated PDF (random file name outside the web root) with its SHA-256; returns the row.
    Rosters are sealed first (an invisible signature) when PORTAL_SIGN_ROSTERS is on."""
    settings = Settings.from_env()
    if kind == "roster" and settings.seals.sign_rosters:
        pdf = (await signing.sign_pdf(pdf, division_code=division_code, reason=f"名册 {title}"[:100],
                                      settings=settings)).pdf
    digest = hashlib.sha256(pdf).hexdigest()
    path = _storage(settings) / f"{secrets.token_hex(16)}.pdf"
    path.write_bytes(pdf)
    path.chmod(0o600)
    row = StoredDocument(
        token=secrets.token_urlsafe(24), kind=kind, title=title[:200], owner_employer_id=owner_employer_id,
        owner_person_id=owner_person_id, division_code=division_code, sha256=digest, size=len(pdf),
        storage_path=relative_to_storage(settings.storage_dir, path), created_at=datetime.now(UTC),
    )
    try:
        async with write_transaction():
            await row.save()
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return row.to_dict()


def applicant_scope(principal: Principal) -> Combinable:
    """The usual ownership rule: an employer sees its documents, a person theirs; an employer's agent (ACC-8)
    not the certificates of services its authorisation leaves out."""
    if principal.is_employer:
        own = StoredDocument.owner_employer_id == principal.employer_id
        if principal.services is not None and (hidden := kinds_outside(principal.services)):
            return own & StoredDocument.token.not_in(
                Certificate.select(Certificate.document_token).where(Certificate.kind.is_in(hidden)))
        return own
    if principal.is_person:
        return StoredDocument.owner_person_id == principal.person_id
    raise NotFoundException()


async def load_document(token: str, scope: Combinable | None) -> tuple[dict, bytes]:
    """The document and its bytes if `scope` (a where-clause on StoredDocument) admits it, else 404.
    The bytes are checked against the stored hash: a changed file is never served."""
    if scope is None:
        raise NotFoundException()
    row = await StoredDocument.select().where((StoredDocument.token == token) & scope).first()
    if row is None:
        raise NotFoundException()
    path = storage_file(Settings.from_env().storage_dir, row["storage_path"])
    try:
        data = await asyncio.to_thread(path.read_bytes) if path else b""
    except OSError as exc:
        raise NotFoundException() from exc
    if hashlib.sha256(data).hexdigest() != row["sha256"]:
        raise NotFoundException()
    return row, data


def pdf_response(data: bytes, file_name: str, *, inline: bool = True) -> Response:
    disposition = "inline" if inline else "attachment"
    return Response(
        content=data, media_type="application/pdf",
        headers={"Content-Disposition": f"{disposition}; filename=\"document.pdf\"; filename*=UTF-8''{quote(file_name)}",
                 "Cache-Control": "no-store"},
    )


async def document_response(token: str, scope: Combinable | None, *, inline: bool = True) -> Response:
    """Download a stored PDF unchanged, for the owner `scope` admits (404 otherwise)."""
    row, data = await load_document(token, scope)
    return pdf_response(data, f"{row['title']}.pdf", inline=inline)


def new_code() -> str:
    """120 random bits in base32 (no 0/1/8/9 confusion with letters beyond base32's own alphabet)."""
    return base64.b32encode(secrets.token_bytes(15)).decode()


def public_base(request: Request) -> str:
    """The address printed in QR codes: PORTAL_PUBLIC_URL, never the request's Host header (a forged Host
    would put someone else's site on a paper certificate)."""
    site = request.app.state.settings.site
    return (site.public_url or site.local_url).rstrip("/")


def qr_data_url(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


async def issue_certificate(
    *, kind: str, title: str, facts: Sequence[Fact], base_url: str, owner_employer_id: int | None = None,
    owner_person_id: int | None = None, division_code: str = "", paragraphs: Sequence[str] = (),
    issuer: str = "", template: str = "documents/certificate.html", context: dict[str, Any] | None = None,
) -> dict:
    """Render, store and register a certificate; its QR code opens {base_url}/verify/{code}.
    Returns the Certificate row (code, document_token …); download it with document_response()."""
    code = new_code()
    verify_url = f"{base_url.rstrip('/')}/verify/{code}"
    issued_at = datetime.now(UTC)
    settings = Settings.from_env()
    sign = settings.seals.sign
    pdf = await render_pdf(template, {
        "facts": facts, "paragraphs": paragraphs, "code": code, "verify_url": verify_url,
        "qr": qr_data_url(verify_url), "issued_at": issued_at, "issuer": issuer or settings.site.name,
        "seal_mark": signing.SEAL_MARK if sign else "", **(context or {}),
    }, title=title, header=f"验证码 {code}")
    signed_by = ""
    if sign:
        # the field name carries the code in ASCII too: a damaged copy is still recognised as ours (文件被改动)
        signed = await signing.sign_pdf(pdf, division_code=division_code, reason=f"验证码 {code}",
                                        field_name=f"{signing.FIELD_PREFIX}{code}", settings=settings)
        pdf, signed_by = signed.pdf, signed.signed_by
    document = await store_document(pdf, kind="certificate", title=title, owner_employer_id=owner_employer_id,
                                    owner_person_id=owner_person_id, division_code=division_code)
    summary = [[f.label, f.masked()] for f in facts]
    row = Certificate(
        code=code, kind=kind, title=title, subject_summary=json.dumps(summary, ensure_ascii=False),
        owner_employer_id=owner_employer_id, owner_person_id=owner_person_id, division_code=division_code,
        document_token=document["token"], pdf_sha256=document["sha256"], storage_path=document["storage_path"],
        issued_at=issued_at, issued_on=issued_at.astimezone(SHANGHAI).date(), signed_by=signed_by,
    )
    async with write_transaction():
        await row.save()
    return row.to_dict()


async def revoke_certificate(code: str, reason: str, *, actor: Principal | None = None, ip: str = "") -> bool:
    """Mark a certificate revoked (the verification page says so) and audit it; False when unknown or
    already revoked (nothing changed, nothing audited). The UPDATE's own condition decides, so two staff
    revoking at once produce one revocation and one audit row."""
    async with write_transaction():
        rows = await Certificate.update(
            {Certificate.revoked_at: datetime.now(UTC), Certificate.revoke_reason: reason[:200]}
        ).where((Certificate.code == code) & Certificate.revoked_at.is_null()).returning(
            Certificate.id, Certificate.kind, Certificate.title, Certificate.division_code
        )
    if not rows:
        return False
    row = rows[0]
    await audit.record(
        category="certificate", action="certificate_revoke", actor=actor, ip=ip, object_type="certificate",
        object_id=row["id"], detail={"kind": row["kind"], "title": row["title"], "division": row["division_code"],
                                     "reason": reason[:200]},
    )
    return True


# -- 证书管理 (staff) ----------------------------------------------------------------------------------------

# Certificate kinds with their Chinese names, registered by the domains that issue them (e.g. on import of
# their service module); the 类型 filter and column read these shared objects at query time.
KIND_CHOICES: list[tuple[str, str]] = []
KIND_BADGES: dict[str, tuple[str, str]] = {}
WITHDRAWN = "撤销"
WITHDRAWN_VERBS: dict[str, str] = {}  # kind → the verb /verify uses for a withdrawn one (a licence is 注销, not 撤销)
_RIGHTS: dict[str, str] = {}  # kind → the agent right (ACC-8) of the area that issues it


def register_kind(code: str, label: str, withdrawn: str = WITHDRAWN, right: str = "") -> None:
    if code not in KIND_BADGES:
        KIND_CHOICES.append((code, label))
        KIND_BADGES[code] = (label, "neutral")
        WITHDRAWN_VERBS[code] = withdrawn
    if right:
        _RIGHTS[code] = right


def kinds_outside(services: frozenset[str]) -> list[str]:
    """Certificate kinds an agent holding only `services` may not open (their area's right is not among them)."""
    return sorted(code for code, right in _RIGHTS.items() if right not in services)


def withdrawn_verb(kind: str) -> str:
    return WITHDRAWN_VERBS.get(kind, WITHDRAWN)


_STATUS_SQL = "CASE WHEN revoked_at IS NULL THEN 'valid' ELSE 'revoked' END"
STATUS_BADGES = {"valid": ("有效", "success"), "revoked": ("已撤销", "danger")}

GRID = Grid(
    name="certificates", source="certificate", title="证书管理", default_sort="-issued_at",
    columns=[
        Column("code", "证书编号/验证码", link=lambda r: f"/certificates/{r['_id']}"),
        Column("kind", "类型", kind="badge", badges=KIND_BADGES),
        Column("title", "标题"),
        Column("division_code", "行政区划", category="division"),
        Column("issued_at", "签发时间", kind="datetime", sortable=True),
        Column("status", "状态", kind="badge", sql=_STATUS_SQL, badges=STATUS_BADGES),
        Column("revoked_at", "撤销时间", kind="datetime"),
    ],
    filters=[
        Filter("code", "证书编号/验证码", kind="exact", normalise=True),
        Filter("kind", "类型", kind="choice", choices=KIND_CHOICES),
        Filter("title", "标题"),
        Filter("status", "状态", kind="choice", sql=_STATUS_SQL, choices=[("valid", "有效"), ("revoked", "已撤销")]),
        Filter("issued_on", "签发日期", kind="date_range"),
    ],
)


def staff_clause(principal: Principal) -> Combinable | None:
    """Certificates whose division lies under one of the staff member's division scopes; None: no scope."""
    return division_clause(principal, Certificate.division_code)


def staff_scope(principal: Principal) -> Scope:
    clause = staff_clause(principal)
    return Scope.where(clause) if clause is not None else Scope("1 = 0")


async def staff_certificate(principal: Principal, certificate_id: int) -> dict:
    """One certificate within the staff member's jurisdiction, with its masked facts; 404 otherwise."""
    clause = staff_clause(principal)
    if clause is None:
        raise NotFoundException()
    row = await Certificate.select().where((Certificate.id == certificate_id) & clause).first()
    if row is None:
        raise NotFoundException()
    row["facts"] = json.loads(row["subject_summary"] or "[]")
    row["valid"] = row["revoked_at"] is None
    row["kind_label"] = KIND_BADGES.get(row["kind"], (row["kind"], ""))[0]
    return row


async def verification(code: str) -> dict | None:
    """What /verify/{code} shows: title, kind, issue date, status and the masked facts."""
    code = validators.normalise(code)
    if not code or len(code) > 40:
        return None
    row = await Certificate.select().where(Certificate.code == code).first()
    if row is None:
        return None
    row["facts"] = json.loads(row["subject_summary"] or "[]")
    row["valid"] = row["revoked_at"] is None
    row["withdrawn_verb"] = withdrawn_verb(row["kind"])
    return row


# -- an uploaded PDF: the issued original, a changed copy of one of ours, or not ours --------------------------

# Where an issued certificate names its code in ASCII: the seal's field name and the verification link.
_CODE_IN_PDF = re.compile(rb"(?:" + re.escape(signing.FIELD_PREFIX.encode()) + rb"|/verify/)([A-Z2-7]{24})")


@dataclass(frozen=True)
class UploadCheck:
    """outcome: valid (有效), revoked (已撤销), altered (文件被改动), foreign (不是本厅签发)."""

    outcome: str
    cert: dict | None = None
    signature: signing.SignatureCheck | None = None


async def check_upload(data: bytes) -> UploadCheck:
    """Byte-for-byte comparison with the issued file (its SHA-256), plus the signature check for the page.
    A changed copy is recognised by the code it still names; the page then says 文件被改动, never 有效."""
    found = await Certificate.select().where(Certificate.pdf_sha256 == hashlib.sha256(data).hexdigest()).first()
    signature = await signing.check_signatures(data)
    if found is not None:
        # only what the public page shows: never the revocation reason, the document token or the file path
        public = {k: found[k] for k in ("title", "code", "issued_at", "revoked_at")}
        public["facts"] = json.loads(found["subject_summary"] or "[]")
        public["valid"] = found["revoked_at"] is None
        public["withdrawn_verb"] = withdrawn_verb(found["kind"])
        return UploadCheck("valid" if public["valid"] else "revoked", public, signature)
    codes = {m.decode() for m in _CODE_IN_PDF.findall(data)}
    for name in signature.field_names:
        if name.startswith(signing.FIELD_PREFIX):
            codes.add(name[len(signing.FIELD_PREFIX):])
    if codes and await Certificate.exists().where(Certificate.code.is_in(sorted(codes)[:10])):
        return UploadCheck("altered", None, signature)
    return UploadCheck("foreign", None, signature)
