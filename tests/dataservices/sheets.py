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


def crafted_workbook(path: Path, spec: SheetSpec, rows: int, cell: callable, *, shared: bool = False) -> Path:
    """A workbook written straight as XML, streamed into the zip (low memory for the test itself):
    `cell(row_index, column)` gives each cell's text; `shared=True` puts the texts in sharedStrings.xml."""
    from xml.sax.saxutils import escape

    title = escape(spec.sheet_title)
    strings: dict[str, int] = {}

    def ref(text: str, col: int, r: int) -> str:
        letter = chr(ord("A") + col)
        if shared:
            index = strings.setdefault(text, len(strings))
            return f'<c r="{letter}{r}" t="s"><v>{index}</v></c>'
        return f'<c r="{letter}{r}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            + ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' if shared else "")
            + "</Types>"))
        zf.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"))
        zf.writestr("xl/workbook.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{title}" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        zf.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            + ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>' if shared else "")
            + "</Relationships>"))
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
                     b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            header = "".join(ref(c.label, i, 1) for i, c in enumerate(spec.columns))
            fh.write(f'<row r="1">{header}</row>'.encode())
            for n in range(rows):
                r = n + 2
                cells = "".join(ref(cell(n, c), i, r) for i, c in enumerate(spec.columns))
                fh.write(f'<row r="{r}">{cells}</row>'.encode())
            fh.write(b"</sheetData></worksheet>")
        if shared:
            with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as fh:
                fh.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
                         f'spreadsheetml/2006/main" count="{len(strings)}" uniqueCount="{len(strings)}">'.encode())
                for text in strings:
                    fh.write(f"<si><t>{escape(text)}</t></si>".encode())
                fh.write(b"</sst>")
    return path
