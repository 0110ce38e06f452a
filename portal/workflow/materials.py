"""Materials of a matter: PDF/JPG/PNG up to 10 MB, opened by a PDF or image library (not only sniffed),
PDFs with scripts or actions refused, file names cleaned of control and bidi characters, stored content-addressed."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import re
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from portal import audit
from portal.auth.principal import Principal
from portal.db import write_transaction
from portal.workflow import transitions
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
    """The verified MIME type, or a WorkflowError with the Chinese reason: the first bytes choose the type, then
    the file must open as that type (pypdf / Pillow) and a PDF must carry no script or automatic action."""
    if not data:
        raise WorkflowError("上传的文件是空的，请重新选择")
    if len(data) > MAX_BYTES:
        raise WorkflowError("文件不能超过10MB")
    mime = sniff(data)
    if mime is None:
        raise WorkflowError("只能上传PDF、JPG或PNG格式的文件")
    if mime == "application/pdf":
        _check_pdf(data)
    else:
        _check_image(data, "JPEG" if mime == "image/jpeg" else "PNG")
    return mime


# Names whose presence in any PDF dictionary means code or an action that runs or leaves the document.
_PDF_ACTIONS = {"/JavaScript", "/JS", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/RichMediaExecute",
                "/EmbeddedFile", "/EmbeddedFiles", "/XFA"}
_PDF_TRIGGERS = {"/OpenAction", "/AA"}
_PDF_MAX_OBJECTS = 200_000
MAX_PIXELS = 50_000_000


def _check_pdf(data: bytes) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    bad = WorkflowError("文件不是有效的PDF，请重新导出或扫描后上传")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise WorkflowError("不支持加密的PDF，请去除密码后上传")
        if len(reader.pages) < 1:
            raise bad
        root = reader.trailer
    except WorkflowError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError) as exc:
        raise bad from exc
    # Walk every object reachable from the trailer (object streams included) looking for actions.
    seen: set[tuple[int, int]] = set()
    stack: list = [root]
    visited = 0
    try:
        while stack:
            item = stack.pop()
            if isinstance(item, IndirectObject):
                key = (item.idnum, item.generation)
                if key in seen:
                    continue
                seen.add(key)
                item = item.get_object()
            visited += 1
            if visited > _PDF_MAX_OBJECTS:
                raise bad
            if isinstance(item, DictionaryObject):
                for name, value in item.items():
                    if name in _PDF_ACTIONS or name in _PDF_TRIGGERS:
                        raise WorkflowError("PDF文件包含脚本或自动执行的动作（如打开时运行程序），已拒绝，请重新导出为普通PDF后上传")
                    if name == "/S" and isinstance(value, NameObject) and value in _PDF_ACTIONS:
                        raise WorkflowError("PDF文件包含脚本或自动执行的动作（如打开时运行程序），已拒绝，请重新导出为普通PDF后上传")
                    if name != "/Parent":
                        stack.append(value)
            elif isinstance(item, ArrayObject):
                stack.extend(item)
    except WorkflowError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError) as exc:
        raise bad from exc


def _check_image(data: bytes, expected: str) -> None:
    from PIL import Image, UnidentifiedImageError

    bad = WorkflowError("图片文件已损坏或格式不正确，请重新拍摄或扫描后上传")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()  # the chunk structure and checksums up to the end marker
        with Image.open(io.BytesIO(data)) as image:
            if image.format != expected:
                raise bad
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise WorkflowError("图片尺寸过大，请缩小后上传")
            image.load()  # decode every pixel: a truncated or crafted file fails here
    except WorkflowError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise bad from exc


def clean_filename(name: str, mime: str) -> str:
    """The shown name: no path, no control, format (bidi overrides, zero-width) or unassigned characters, so
    passwd\u202egpj.pdf cannot display as passwdfdp.jpg; the extension is the verified type's."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    base = re.sub(r"[<>:\"/|?*]", "", base).strip() or "材料"
    stem = os.path.splitext(base)[0].strip()[:80] or "材料"
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
    """Add or replace the applicant's file for material `code`: the application's while the matter is editable, a
    step's (an appeal's) while that step is open."""
    matter = await get_matter_for(principal, matter_id)
    kind = get_kind(matter["kind"])
    if principal.is_staff:
        raise NotAllowed("材料只能由申请人上传")
    if code not in {m.code for m in kind.materials}:
        raise WorkflowError("请选择材料类型", errors={"code": "请选择材料类型"})
    if code not in {m.code for m in kind.uploadable(matter["state"])}:
        raise NotAllowed(f"办件当前状态为“{kind.state_label(matter['state'])}”，不能修改材料")
    step = kind.transition(next(m.transition for m in kind.materials if m.code == code))
    if step is not None and step.time_limit_days:  # a step's material only while the step itself may happen
        await transitions.check_time_limit(kind, step, matter)
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


async def reuse_materials(
    principal: Principal, from_matter_id: int, to_matter_id: int, *, ip: str = ""
) -> list[str]:
    """材料复用: the current files of an earlier matter of the same applicant (e.g. its last approved filing) are
    carried onto an editable matter for every material code it has not got yet. The rows point at the same stored
    content (content-addressed, nothing copied) and keep `reused_from`, so the reviewer sees what was reused; an
    upload of the same code replaces a reused file as any other. Returns the codes carried over."""
    if principal.is_staff:
        raise NotAllowed("材料只能由申请人上传")
    source = await get_matter_for(principal, from_matter_id)  # the applicant's own, else 404
    target = await get_matter_for(principal, to_matter_id)
    kind = get_kind(target["kind"])
    if source["kind"] != target["kind"]:
        raise NotAllowed("只能沿用同一事项的材料")
    if not kind.state(target["state"]).editable:
        raise NotAllowed(f"办件当前状态为“{kind.state_label(target['state'])}”，不能修改材料")
    codes = {m.code for m in kind.materials}
    at = datetime.now(UTC)
    async with write_transaction():
        current = await Matter.select(Matter.state).where(Matter.id == to_matter_id).first()
        if current["state"] != target["state"]:
            raise StaleMatter(current["state"], kind.state_label(current["state"]))
        have = {r["code"] for r in await materials_of(to_matter_id)}
        carried = [r for r in await materials_of(from_matter_id) if r["code"] in codes and r["code"] not in have]
        if carried:
            await Material.insert(*[Material(
                matter=to_matter_id, code=r["code"], filename=r["filename"], sha256=r["sha256"], size=r["size"],
                mime=r["mime"], storage_path=r["storage_path"], uploaded_at=at,
                uploaded_by=principal.audit_name[:100], reused_from=r["id"],
            ) for r in carried])
            await audit.record(
                category="workflow", action="material.reuse", actor=principal, ip=ip, object_type="matter",
                object_id=to_matter_id, detail={"from_matter": from_matter_id, "codes": [r["code"] for r in carried]},
            )
    return [r["code"] for r in carried]


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
