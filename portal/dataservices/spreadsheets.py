"""Spreadsheet templates and uploads: a SheetSpec makes the template workbook and reads it back, row by row."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from python_calamine import CalamineWorkbook

from portal import validators

TYPES = {"text", "int", "money", "date", "id_number", "uscc", "phone", "mobile", "choice"}
REASON_HEADER = "失败原因"
INSTRUCTIONS_SHEET = "填写说明"
OPTIONS_SHEET = "选项"
META_SHEET = "模板信息"

# Zip limits checked on the central directory before any XML is parsed (SECURITY 16).
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 150
MAX_ENTRIES = 500

_SPECS: dict[str, SheetSpec] = {}


class UploadError(Exception):
    """An upload refused as a whole; `message` is shown next to the file field, `status` is the HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class SheetColumn:
    """One template column. `max_len` counts characters (one 汉字 = 1); `category` (dictionary) or `choices`
    (labels) make a drop-down for type "choice"; `help` becomes the header comment and a 填写说明 line."""

    key: str
    label: str
    type: str = "text"
    required: bool = True
    max_len: int | None = None
    category: str = ""
    choices: Sequence[str] = ()
    help: str = ""
    example: str = ""
    width: int = 18

    def __post_init__(self) -> None:
        assert self.type in TYPES, f"unknown column type {self.type}"


@dataclass
class RowResult:
    """One data row: `number` as Excel shows it, `values` as text (for the result table and the failed-rows
    workbook), `data` cleaned and typed (dates as date, money as 分, choices as dictionary codes)."""

    number: int
    values: dict[str, str]
    data: dict[str, Any] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.reasons


@dataclass(frozen=True)
class SheetSpec:
    """A template: `name` identifies it (stored in the workbook), `title` is shown and named in errors,
    `unique` lists column-key tuples that must not repeat inside one file."""

    name: str
    title: str
    columns: Sequence[SheetColumn]
    instructions: Sequence[str] = ()
    unique: Sequence[tuple[str, ...]] = ()
    version: int = 1

    def __post_init__(self) -> None:
        _SPECS[self.name] = self

    @property
    def sheet_title(self) -> str:
        return re.sub(r"[\[\]:*?/\\]", "", self.title)[:31]

    @property
    def labels(self) -> list[str]:
        return [c.label for c in self.columns]

    def column(self, key: str) -> SheetColumn:
        return next(c for c in self.columns if c.key == key)


def spec_by_name(name: str) -> SheetSpec | None:
    return _SPECS.get(name)


def hanzi_len(text: str) -> int:
    """Length as the guides count it: every character, 汉字 included, counts one."""
    return len(text)


# -- checks before parsing ---------------------------------------------------------------------------------


def check_upload(data: bytes, *, max_bytes: int) -> None:
    """Size, zip structure, macros, external links and decompression limits — all before any XML is read."""
    if len(data) > max_bytes:
        raise UploadError(f"文件大小超过{max_bytes // (1024 * 1024)}MB的上限，请分批上传", status=413)
    if not data:
        raise UploadError("上传的文件是空的")
    if not data.startswith(b"PK\x03\x04") or not zipfile.is_zipfile(io.BytesIO(data)):
        if data.startswith(b"\xd0\xcf\x11\xe0"):
            raise UploadError("不支持.xls或加密的文件，请用Excel或WPS另存为.xlsx格式后上传")
        raise UploadError("文件不是有效的Excel（.xlsx）文件，请使用下载的模板填写后上传")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UploadError("文件已损坏，无法读取，请重新保存后上传") from exc
    if len(infos) > MAX_ENTRIES:
        raise UploadError("文件结构异常（包含的部件过多），已拒绝处理")
    names = {i.filename.lower() for i in infos}
    if "[content_types].xml" not in names or not any(n.startswith("xl/worksheets/") for n in names):
        raise UploadError("文件不是有效的Excel（.xlsx）文件，请使用下载的模板填写后上传")
    if any(n.endswith("vbaproject.bin") or n.endswith(".bin") and "activex" in n for n in names):
        raise UploadError("文件包含宏，已拒绝处理，请另存为不含宏的.xlsx文件后上传")
    if any(n.startswith("xl/externallinks/") for n in names):
        raise UploadError("文件包含指向其他工作簿的外部链接，请删除外部链接后上传")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise UploadError("文件压缩比异常，疑似压缩炸弹，已拒绝处理")
        if total > MAX_UNCOMPRESSED:
            raise UploadError("文件解压后过大，已拒绝处理，请分批上传")


# -- reading -----------------------------------------------------------------------------------------------


_HEADER_JUNK = re.compile(r"[\s*＊\u00a0\u3000]")


def _header(value: Any) -> str:
    return _HEADER_JUNK.sub("", unicodedata.normalize("NFKC", str(value or "")))


def read_rows(spec: SheetSpec, data: bytes, *, max_rows: int) -> list[RowResult]:
    """Parse the data sheet with python-calamine: find it, check the header, read at most `max_rows` rows
    (stopping at max_rows + 1 to refuse), values normalised to text. Runs in a thread (CPU-bound)."""
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for broken parts
        raise UploadError("文件已损坏或不是Excel文件，无法读取") from exc
    try:
        names = wb.sheet_names
        if META_SHEET in names:
            meta = wb.get_sheet_by_name(META_SHEET).to_python()
            found = str(meta[0][0]) if meta and meta[0] else ""
            if found and found != spec.name:
                other = str(meta[0][1]) if len(meta[0]) > 1 else found
                raise UploadError(f"上传的是“{other}”模板，本功能需要“{spec.title}”模板，请下载正确的模板填写")
        expected = [_header(label) for label in spec.labels]
        candidates = [spec.sheet_title] if spec.sheet_title in names else []
        candidates += [n for n in names if n not in {INSTRUCTIONS_SHEET, OPTIONS_SHEET, META_SHEET, *candidates}]
        for name in candidates:
            rows = wb.get_sheet_by_name(name).iter_rows()
            first = next(rows, None)
            headers = [_header(v) for v in (first or [])]
            index = {h: i for i, h in enumerate(headers) if h}
            if all(h in index for h in expected):
                return _collect(spec, rows, [index[h] for h in expected], max_rows)
        raise UploadError(f"文件的表头与“{spec.title}”模板不一致，请下载“{spec.title}”模板，按模板填写后上传")
    finally:
        wb.close()


def _collect(spec: SheetSpec, rows: Any, positions: list[int], max_rows: int) -> list[RowResult]:
    # Hot loop (100,000 rows/s target): plain str cells take the fast path, other types go through _as_text.
    out: list[RowResult] = []
    pairs = [(p, c.key) for p, c in zip(positions, spec.columns, strict=True)]
    danger = "=+-@\t\r\0"
    for offset, raw in enumerate(rows):
        n = len(raw)
        values: dict[str, str] = {}
        data: dict[str, Any] = {}
        empty = True
        for p, key in pairs:
            v = raw[p] if p < n else None
            if v.__class__ is str:
                t = v.strip(_WS)
                if t:
                    empty = False
                    if t[0] == "'" and len(t) > 1 and t[1] in danger:
                        t = t[1:]  # undo the export's formula neutralisation: export → import changes nothing
                values[key] = t
                data[key] = t
            else:
                t, d = _as_text(v)
                if t:
                    empty = False
                values[key] = t
                data[key] = d
        if empty:
            continue
        if len(out) >= max_rows:
            raise UploadError(f"文件超过{max_rows}行的上限，请分批上传")
        out.append(RowResult(number=offset + 2, values=values, data=data))
    return out


_WS = " \t\r\n\u00a0\u3000\u200b\ufeff"


def _as_text(value: Any) -> tuple[str, Any]:
    """(text shown back to the user, raw value kept for typed cleaning) for a non-str cell."""
    if value is None:
        return "", None
    if isinstance(value, bool):
        return ("是" if value else "否"), value
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value)), value
        return repr(value), value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d"), value
    if isinstance(value, date):
        return value.isoformat(), value
    text = str(value).strip(_WS)
    return text, text


# -- cleaning ----------------------------------------------------------------------------------------------

_DATE_TEXT = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]?\d{1,2}:\d{2}(?::\d{2})?)?$")
_EXCEL_EPOCH = date(1899, 12, 30)


def parse_date(raw: Any) -> date | None:
    """Dates as our template, Excel, LibreOffice and WPS store them: date cells, serial numbers or text."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if 1 <= raw < 2958466:
            if 19000101 <= raw <= 29991231 and float(raw).is_integer():
                return parse_date(str(int(raw)))
            return _EXCEL_EPOCH + timedelta(days=int(raw))
        return None
    text = validators.normalise(str(raw))
    match = _DATE_TEXT.match(text)
    try:
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
        if re.fullmatch(r"\d{8}", text):
            return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None
    return None


def cleaner(column: SheetColumn, choice_map: dict[str, str]) -> Callable[[str, Any], tuple[Any, str | None]]:
    """A function (text, raw) → (typed value, Chinese reason or None) for one column, built once per upload."""
    label = column.label
    missing = f"{label}不能为空" if column.required else None
    kind = column.type

    if kind == "text":
        limit = column.max_len
        too_long = f"{label}不能超过{limit}个字"

        def clean(text: str, raw: Any) -> tuple[Any, str | None]:
            if not text:
                return None, missing
            if limit and hanzi_len(text) > limit:
                return None, too_long
            return text, None

    elif kind in {"id_number", "uscc", "phone", "mobile"}:
        check = {"id_number": validators.id_number_error, "uscc": validators.uscc_error,
                 "mobile": validators.mobile_error, "phone": validators.phone_error}[kind]
        as_number = f"{label}应以文本格式填写（数值格式会丢失末位数字）" if kind in {"id_number", "uscc"} else None

        def clean(text: str, raw: Any) -> tuple[Any, str | None]:
            if not text:
                return None, missing
            if as_number and raw.__class__ is float:
                return None, as_number
            value = text.replace(" ", "").upper() if text.isascii() else validators.normalise(text)
            reason = check(value)
            return (None, reason) if reason else (value, None)

    elif kind == "date":
        bad_date = f"{label}应为日期，格式yyyy-mm-dd"

        def clean(text: str, raw: Any) -> tuple[Any, str | None]:
            if not text:
                return None, missing
            day = raw if raw.__class__ is date else parse_date(raw)
            return (None, bad_date) if day is None else (day, None)

    elif kind == "int":
        bad_int = f"{label}应为整数"

        def clean(text: str, raw: Any) -> tuple[Any, str | None]:
            if not text:
                return None, missing
            value = validators.normalise(text)
            return (int(value), None) if _INT.fullmatch(value) else (None, bad_int)

    elif kind == "money":
        bad_money = f"{label}应为不小于0的数字，最多两位小数"

        def clean(text: str, raw: Any) -> tuple[Any, str | None]:
            if not text:
                return None, missing
            if raw.__class__ is float:
                fen = round(raw * 100)
                if raw < 0 or abs(raw * 100 - fen) > 1e-6:
                    return None, bad_money
                return fen, None
            value = validators.normalise(text).replace(",", "")
            if not _MONEY.fullmatch(value):
                return None, bad_money
            whole, _, cents = value.partition(".")
            return int(whole) * 100 + int((cents + "00")[:2]), None

    else:
        not_listed = f"{label}应从下拉列表中选择"

        def clean(text: str, raw: Any) -> tuple[Any, str | None]:
            if not text:
                return None, missing
            code = choice_map.get(text)
            if code is None:
                code = choice_map.get(validators.normalise(text))
            return (None, not_listed) if code is None else (code, None)

    return clean


_INT = re.compile(r"-?\d+")
_MONEY = re.compile(r"\d+(\.\d{1,2})?")


def clean_value(column: SheetColumn, text: str, raw: Any, choice_map: dict[str, str]) -> tuple[Any, str | None]:
    """(typed value, Chinese reason or None) for one cell (see cleaner() for the per-upload form)."""
    return cleaner(column, choice_map)(text, raw)
