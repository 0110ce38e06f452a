"""Materials of a matter: PDF/JPG/PNG up to 10 MB, type sniffed from bytes, stored content-addressed."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from portal import audit
from portal.auth.principal import Principal
from portal.db import write_transaction
from portal.workflow.engine import NotAllowed, StaleMatter, WorkflowError, get_matter_for
from portal.workflow.kinds import get_kind
from portal.workflow.tables import Material, Matter

MAX_BYTES = 10 * 1024 * 1024
ALLOWED = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def sniff(data: bytes) -> str | None:
    """The real type from the first bytes (the browser's Content-Type and the file name are not trusted)."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def check_upload(data: bytes) -> str:
    """The sniffed MIME type, or a WorkflowError with the Chinese reason."""
    if not data:
        raise WorkflowError("上传的文件是空的，请重新选择")
    if len(data) > MAX_BYTES:
        raise WorkflowError("文件不能超过10MB")
    mime = sniff(data)
    if mime is None:
        raise WorkflowError("只能上传PDF、JPG或PNG格式的文件")
    return mime


def clean_filename(name: str, mime: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/"))
    base = re.sub(r"[\x00-\x1f\x7f<>:\"/|?*]", "", base).strip() or "材料"
    stem = os.path.splitext(base)[0][:80] or "材料"
    return stem + ALLOWED[mime]


def _store(storage_dir: Path, data: bytes) -> tuple[str, str]:
    """Write once under storage/materials/ab/<sha256> (same bytes, same file); returns (sha256, relative path)."""
    digest = hashlib.sha256(data).hexdigest()
    relative = Path("materials") / digest[:2] / digest
    path = storage_dir / relative
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.chmod(0o600)
        os.replace(tmp, path)
    return digest, str(relative)


async def upload_material(
    principal: Principal, matter_id: int, code: str, filename: str, data: bytes, *, storage_dir: Path, ip: str = ""
) -> dict[str, Any]:
    """Add or replace the applicant's file for material `code`, only while the matter is editable."""
    matter = await get_matter_for(principal, matter_id)
    kind = get_kind(matter["kind"])
    if principal.is_staff:
        raise NotAllowed("材料只能由申请人上传")
    if code not in {m.code for m in kind.materials}:
        raise WorkflowError("请选择材料类型", errors={"code": "请选择材料类型"})
    if not kind.state(matter["state"]).editable:
        raise NotAllowed(f"办件当前状态为“{kind.state_label(matter['state'])}”，不能修改材料")
    try:
        mime = check_upload(data)
    except WorkflowError as exc:
        await audit.security_event(
            {"user": principal, "path": "", "client": (ip, 0)}, "upload.rejected", object_type="matter",
            object_id=matter_id, reason=exc.message,
        )
        raise WorkflowError(exc.message, errors={"file": exc.message}) from None
    digest, relative = await asyncio.to_thread(_store, storage_dir, data)
    at = datetime.now(UTC)
    async with write_transaction():
        # Replacing is only allowed while the matter is still in the editable state we checked.
        current = await Matter.select(Matter.state).where(Matter.id == matter_id).first()
        if current["state"] != matter["state"]:
            raise StaleMatter(current["state"], kind.state_label(current["state"]))
        await Material.update({Material.replaced_at: at}).where(
            (Material.matter == matter_id) & (Material.code == code) & Material.replaced_at.is_null()
        )
        row = Material(
            matter=matter_id, code=code, filename=clean_filename(filename, mime), sha256=digest, size=len(data),
            mime=mime, storage_path=relative, uploaded_at=at, uploaded_by=principal.audit_name[:100],
        )
        await row.save()
        await audit.record(
            category="workflow", action="material.upload", actor=principal, ip=ip, object_type="matter",
            object_id=matter_id, detail={"code": code, "sha256": digest, "size": len(data), "mime": mime},
        )
    return row.to_dict()


async def materials_of(matter_id: int) -> list[dict[str, Any]]:
    """Current (not replaced) materials; call only for a matter get_matter_for() allowed."""
    return await Material.select().where(
        (Material.matter == matter_id) & Material.replaced_at.is_null()
    ).order_by(Material.id)


async def open_material(principal: Principal, material_id: int, storage_dir: Path) -> tuple[dict[str, Any], bytes]:
    """The file if its matter is visible to `principal` (404 otherwise); bytes checked against the hash."""
    from litestar.exceptions import NotFoundException

    row = await Material.select().where(Material.id == material_id).first()
    if row is None:
        raise NotFoundException("材料不存在")
    await get_matter_for(principal, row["matter"])
    data = await asyncio.to_thread(_read_checked, storage_dir, row["storage_path"], row["sha256"])
    if data is None:
        raise NotFoundException("材料不存在")
    return row, data


def _read_checked(storage_dir: Path, relative: str, sha256: str) -> bytes | None:
    """The stored bytes, or None when the path leaves the storage or the file no longer matches its hash."""
    path = (storage_dir / relative).resolve()
    if not path.is_relative_to(storage_dir.resolve()) or not path.exists():
        return None
    data = path.read_bytes()
    return data if hashlib.sha256(data).hexdigest() == sha256 else None
