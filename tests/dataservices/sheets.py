"""Helpers for spreadsheet tests: fill our template, build hostile zips, convert CSV with LibreOffice."""

from __future__ import annotations

import io
import os
import subprocess
import tempfile
import zipfile
from pathlib import Path

from openpyxl import load_workbook

from portal.dataservices.spreadsheets import SheetSpec
from portal.dataservices.workbooks import template_bytes


async def filled(spec: SheetSpec, rows: list[list]) -> bytes:
    """Our template with `rows` typed into the data sheet, as a user would."""
    wb = load_workbook(io.BytesIO(await template_bytes(spec)))
    ws = wb[spec.sheet_title]
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def with_extra_entry(data: bytes, name: str, payload: bytes = b"x") -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr(name, payload)
    return out.getvalue()


def zip_bomb(uncompressed_mb: int = 60) -> bytes:
    """A tiny zip that claims to be a workbook and inflates a worksheet to `uncompressed_mb` MB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(uncompressed_mb):
                fh.write(chunk)
    return out.getvalue()


def libreoffice_xlsx(csv_text: str, text_columns: list[int]) -> bytes:
    """CSV → xlsx through `soffice --headless --convert-to xlsx`, ID columns imported as text."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "upload.csv"
        src.write_text(csv_text, encoding="utf-8")
        col_spec = "/".join(f"{c}/2" for c in text_columns)
        env = {**os.environ, "HOME": tmp}
        subprocess.run(  # noqa: S603
            ["soffice",  # noqa: S607 "--headless", f"-env:UserInstallation=file://{tmp}/profile",
             f"--infilter=CSV:44,34,76,1,{col_spec}", "--convert-to", "xlsx", "--outdir", tmp, str(src)],
            check=True, capture_output=True, timeout=120, env=env,
        )
        return (Path(tmp) / "upload.xlsx").read_bytes()
