"""Checks on an uploaded workbook's package before calamine reads it: what its parts are (content types and
relationships, not file names) and how much text its sheets would put in memory (a budget from the template)."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from defusedxml.ElementTree import ParseError, fromstring


class SheetSpec(Protocol):
    """What the budget reads of a spreadsheets.SheetSpec (named here so spreadsheets can import this module)."""

    title: str
    columns: Sequence[Any]

MACRO = "文件包含宏或嵌入的程序对象，已拒绝处理，请另存为不含宏的.xlsx文件后上传"
EXTERNAL = "文件包含指向其他工作簿的外部链接，请删除外部链接后上传"

# Content types and relationship types that carry code or reach outside the file. Matched as substrings of the
# lower-cased type: a part is what [Content_Types].xml and the .rels files say it is, whatever its name.
_MACRO_MARKS = ("vbaproject", "macroenabled", "macrosheet", "activex", "ms-office.vba", "/oleobject", "oleobject",
                "ms-excel.intlmacrosheet", "dialogsheet", "customui", "ui/extensibility")
_EXTERNAL_MARKS = ("externallink", "attachedtemplate", "ole2link", "externalpath", "xlexternallinkpath")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class PackageRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _attr(element, name: str) -> str:
    return element.get(name) or ""


def inspect_package(zf: zipfile.ZipFile) -> None:
    """Refuse macros, ActiveX/OLE objects and external links by declared content type, by relationship type
    and by content (an OLE compound file is what a VBA project is), never by part name alone."""
    names = {i.filename for i in zf.infolist()}
    try:
        types = fromstring(zf.read("[Content_Types].xml"))
    except (KeyError, ParseError, ValueError) as exc:
        raise PackageRefused("文件不是有效的Excel（.xlsx）文件，请使用下载的模板填写后上传") from exc
    declared = [(_attr(e, "PartName") or _attr(e, "Extension"), _attr(e, "ContentType").lower()) for e in types]
    for _, content_type in declared:
        if any(mark in content_type for mark in _EXTERNAL_MARKS):
            raise PackageRefused(EXTERNAL)
        if any(mark in content_type for mark in _MACRO_MARKS):
            raise PackageRefused(MACRO)
    for name in names:
        if not name.endswith(".rels"):
            continue
        try:
            rels = fromstring(zf.read(name))
        except (ParseError, ValueError) as exc:
            raise PackageRefused("文件已损坏，无法读取，请重新保存后上传") from exc
        for rel in rels:
            kind = _attr(rel, "Type").lower()
            external = _attr(rel, "TargetMode").lower() == "external"
            if any(mark in kind for mark in _EXTERNAL_MARKS):
                raise PackageRefused(EXTERNAL)
            if any(mark in kind for mark in _MACRO_MARKS):
                raise PackageRefused(MACRO)
            if external and not kind.endswith("/hyperlink"):
                raise PackageRefused(EXTERNAL)  # only a cell's hyperlink may point outside the file
    for info in zf.infolist():
        if info.file_size >= len(_OLE_MAGIC) and not info.is_dir():
            with zf.open(info) as fh:
                if fh.read(len(_OLE_MAGIC)) == _OLE_MAGIC:
                    raise PackageRefused(MACRO)


# -- the text budget ---------------------------------------------------------------------------------------

# Characters a cell may hold before the row is refused (text columns: their max_len, else TEXT_CAP); reading
# keeps at most cap + 1 characters of a cell. Types other than text never validate past these lengths.
TEXT_CAP = 200
TYPE_CAPS = {"id_number": 24, "uscc": 24, "phone": 24, "mobile": 20, "date": 24, "int": 16, "money": 20, "choice": 30}
REASON_CAP = 60           # the 失败原因 column of a failed-rows workbook sent back (reasons are short)
CELL_OVERHEAD = 56        # <c r="AB50001" s="12" t="inlineStr"><is><t></t></is></c>
ROW_OVERHEAD = 40
FIXED = 256 * 1024        # header, sheet properties, column widths, validations
BLANK_ROWS = 1000         # empty rows tolerated among the data before the row numbers alone refuse the file
MAX_COLUMN = 52           # a cell in column BA or beyond: calamine's ranges are rectangular (width × height)

_ROW_NUMBER = re.compile(rb'<row\b[^>]*?\sr="(\d+)"')
_FAR_COLUMN = re.compile(rb'<c\b[^>]*?\sr="(?:[A-Z]{3}|[B-Z][A-Z])\d')
_SHARED_REF = re.compile(rb't="s"[^>]*>(?:<f\b[^>]*(?:/>|>[^<]*</f>))?<v>(\d+)</v>')
_CHUNK = 1 << 20


def cap(column) -> int:
    """The most characters of this column's cells that are read and judged."""
    if column.type == "text":
        return column.max_len or TEXT_CAP
    return TYPE_CAPS.get(column.type, TEXT_CAP)


def budget(spec: SheetSpec, max_rows: int) -> int:
    """Bytes of sheet XML (shared strings counted where they are used) that a full, valid file can need: every
    cell at its cap in UTF-8 (3 bytes a 汉字) plus markup. A file over it cannot be valid."""
    row = ROW_OVERHEAD + CELL_OVERHEAD + 3 * REASON_CAP + sum(CELL_OVERHEAD + 3 * cap(c) for c in spec.columns)
    return FIXED + row * (max_rows + 1)


def _stream(zf: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    """The part's XML in pieces cut just before a '<', so no tag is split between two pieces. zipfile stops at
    the declared size and checks the CRC: a part cannot inflate past what the directory says."""
    rest = b""
    with zf.open(name) as fh:
        while chunk := fh.read(_CHUNK):
            data = rest + chunk
            cut = data.rfind(b"<")
            if cut <= 0:
                rest = data
                continue
            rest = data[cut:]
            yield data[:cut]
    if rest:
        yield rest


def _shared_lengths(zf: zipfile.ZipFile, limit: int) -> list[int]:
    """Bytes of each shared string's <si> element, in order (the size a cell referring to it stands for)."""
    path = next((n for n in zf.namelist() if n.lower() == "xl/sharedstrings.xml"), None)
    if path is None:
        return []
    lengths: list[int] = []
    pending = 0
    total = 0
    for piece in _stream(zf, path):
        total += len(piece)
        if total > limit:
            raise PackageRefused("")
        parts = piece.split(b"</si>")
        for part in parts[:-1]:
            lengths.append(pending + len(part))
            pending = 0
        pending += len(parts[-1])
    return lengths


def check_budget(spec: SheetSpec, zf: zipfile.ZipFile, max_rows: int) -> None:
    """Refuse, before calamine loads anything, a workbook whose sheets would hold more text than `budget()`
    allows (long cells, shared strings repeated in many cells), more rows than `max_rows` (+ BLANK_ROWS
    for row numbers), or cells far to the right. Costs one decompression pass (~0.1 s per 10 MB of XML)."""
    limit = budget(spec, max_rows)
    too_big = f"文件内容超出“{spec.title}”模板的容量（单元格内容过长或行数过多），请按模板填写后分批上传"
    too_many = f"文件超过{max_rows}行的上限，请分批上传"
    try:
        shared = _shared_lengths(zf, limit)
    except PackageRefused:
        raise PackageRefused(too_big) from None
    sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    for name in sheets:
        size = rows = last = 0
        for piece in _stream(zf, name):
            size += len(piece)
            for found in _SHARED_REF.findall(piece):
                index = int(found)
                size += shared[index] if index < len(shared) else 0
            if size > limit:
                raise PackageRefused(too_big)
            # rows holding a value (styled empty rows and cells, which Excel writes for formatted ranges, do not
            # count); a row cut between two pieces may be counted once too often or too rarely
            for segment in piece.split(b"<row")[1:]:
                if b"</v>" in segment or b"</t>" in segment:
                    rows += 1
                    number = _ROW_NUMBER.match(b"<row" + segment)
                    if number:
                        last = max(last, int(number[1]))
            if rows > max_rows + 1 + BLANK_ROWS or last > max_rows + 1 + BLANK_ROWS:
                raise PackageRefused(too_many)
            if _FAR_COLUMN.search(piece):
                raise PackageRefused("文件中有内容写在模板以外很远的列（第BA列及以后），请删除多余的列后上传")

