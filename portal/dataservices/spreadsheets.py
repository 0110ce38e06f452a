"""Spreadsheet templates and uploads: a SheetSpec makes the template workbook and reads it back, row by row."""

from __future__ import annotations

import gc
import io
import re
import threading
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from itertools import islice, repeat
from operator import itemgetter
from typing import Any

from python_calamine import CalamineWorkbook

from portal import validators
from portal.dataservices import xlsxguard
from portal.values import date_or_reason, fen_column, fen_or_reason

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


@dataclass(slots=True)  # no instance dict: 50,000 rows of an upload are held at once (issue #12 item 10)
class RowResult:
    """One data row: `number` as Excel shows it, `values` as text (for the result table and the failed-rows
    workbook), `data` cleaned and typed (dates as date, money as 分, choices as dictionary codes)."""

    number: int
    values: dict[str, str]
    data: dict[str, Any] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    # Said to the uploader but not refusing the row (a single filing's warning, e.g. LC 新订 劳动合同法 91).
    warnings: list[str] = field(default_factory=list)

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

    @property
    def sheet_title(self) -> str:
        return re.sub(r"[\[\]:*?/\\]", "", self.title)[:31]

    @property
    def labels(self) -> list[str]:
        return [c.label for c in self.columns]

    def column(self, key: str) -> SheetColumn:
        return next(c for c in self.columns if c.key == key)


def register_spec(spec: SheetSpec) -> SheetSpec:
    """Areas declare their sheets (portal.areas installs them): result pages find a job's spec by name."""
    _SPECS[spec.name] = spec
    return spec


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
        raise UploadError(xlsxguard.MACRO)
    if any(n.startswith("xl/externallinks/") for n in names):
        raise UploadError(xlsxguard.EXTERNAL)
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise UploadError("文件压缩比异常，疑似压缩炸弹，已拒绝处理")
        if total > MAX_UNCOMPRESSED:
            raise UploadError("文件解压后过大，已拒绝处理，请分批上传")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            # what the parts are declared to be, not what they are called (a VBA project may be named code.dat)
            xlsxguard.inspect_package(zf)
    except xlsxguard.PackageRefused as exc:
        raise UploadError(exc.message) from None
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise UploadError("文件已损坏，无法读取，请重新保存后上传") from exc


def check_budget(spec: SheetSpec, data: bytes, *, max_rows: int) -> None:
    """xlsxguard.check_budget() as an UploadError: refuse, before calamine loads the sheets, a file whose text
    exceeds what `max_rows` rows of this template can hold, or with too many rows."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            xlsxguard.check_budget(spec, zf, max_rows)
    except xlsxguard.PackageRefused as exc:
        raise UploadError(exc.message, status=413) from None
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as exc:
        raise UploadError("文件已损坏，无法读取，请重新保存后上传") from exc


# -- reading -----------------------------------------------------------------------------------------------


_HEADER_JUNK = re.compile(r"[\s*＊\u00a0\u3000]")


def _header(value: Any) -> str:
    return _HEADER_JUNK.sub("", unicodedata.normalize("NFKC", str(value or "")))


def read_rows(spec: SheetSpec, data: bytes, *, max_rows: int) -> list[RowResult]:
    """Parse the data sheet with python-calamine: find it, check the header, read at most `max_rows` rows
    (refusing the file beyond), values normalised to text, `data` the raw cell values (not yet cleaned).
    Runs in a thread (CPU-bound)."""
    return read_sheet(spec, data, max_rows=max_rows)[1]


def read_clean(spec: SheetSpec, data: bytes, *, max_rows: int, maps: dict[str, dict[str, str]]) -> list[RowResult]:
    """read_rows plus every per-cell check of column_cleaner(), column by column: `data` typed, `reasons` set.
    `maps` are the choice columns' workbooks.choice_map() (the caller loads them: this runs in a thread)."""
    return read_sheet(spec, data, max_rows=max_rows, maps=maps)[1]


def read_sheet(spec: SheetSpec, data: bytes, *, max_rows: int, maps: dict[str, dict[str, str]] | None = None,
               only_sheet: str | None = None, first_number: int = 2,
               columns: bool = False) -> tuple[str, Any]:
    """(name of the sheet read, rows). For parallel.py's parts: `only_sheet`, Excel numbers from the part's
    first data row (its header is the row above), and `columns=True` returns Columns instead of rows."""
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
        if only_sheet is not None:
            candidates = [only_sheet] if only_sheet in names else []
        for name in candidates:
            try:
                sheet = wb.get_sheet_by_name(name)
            except Exception as exc:  # calamine's XmlError and friends: a broken sheet is the user's file, not a 500
                raise UploadError("文件已损坏或不是Excel文件，无法读取，请重新保存后上传") from exc
            rows = sheet.iter_rows()  # from row 1 (A1) whatever the used range
            if first_number != 2:
                # a part: its header row is just above its first data row, every row before is empty
                if (sheet.start or (0, 0))[0] != first_number - 2:
                    raise UploadError(f"文件的表头与“{spec.title}”模板不一致，请下载“{spec.title}”模板，按模板填写后上传")
                rows = islice(rows, first_number - 2, None)
            first = next(rows, None)
            headers = [_header(v) for v in (first or [])]
            index = {h: i for i, h in enumerate(headers) if h}
            if all(h in index for h in expected):
                chunks = _chunks(spec, rows, [index[h] for h in expected], max_rows, maps, first_number)
                with gc_paused():
                    return name, (Columns.gather(spec, chunks) if columns else _collect(spec, chunks))
        raise UploadError(f"文件的表头与“{spec.title}”模板不一致，请下载“{spec.title}”模板，按模板填写后上传")
    finally:
        wb.close()


_gc_lock = threading.Lock()
_gc_users = 0
_gc_was_enabled = True


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic collection while a file's rows are built: they hold no cycles, and the collections that the
    allocation of 100,000 rows' dicts triggers cost ~40 % of the parse. Nested and concurrent uses are counted."""
    global _gc_users, _gc_was_enabled
    with _gc_lock:
        if _gc_users == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_users += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_users -= 1
            if _gc_users == 0 and _gc_was_enabled:
                gc.enable()


# Rows are handled in chunks, column by column: a list comprehension per column costs a fraction of a
# function call per cell (issue #5: 100,000 rows/s), and a chunk bounds the memory before max_rows refuses.
_CHUNK = 8192
Chunk = tuple[Sequence[int], list[list[str]], list[list[Any]], list[list[str | None]] | None]


def _chunks(spec: SheetSpec, rows: Any, positions: list[int], max_rows: int,
            maps: dict[str, dict[str, str]] | None, first_number: int) -> Iterator[Chunk]:
    """(numbers, text columns, raw or cleaned value columns, reason columns or None) per chunk of non-empty rows."""
    getters = [itemgetter(p) for p in positions]
    caps = [xlsxguard.cap(c) for c in spec.columns]
    width = max(positions) + 1
    cleaners = None if maps is None else [column_cleaner(c, maps.get(c.key, {})) for c in spec.columns]
    count = 0
    number = first_number
    while chunk := list(islice(rows, _CHUNK)):
        numbers: Sequence[int] = range(number, number + len(chunk))
        number += len(chunk)
        if min(map(len, chunk)) < width:  # calamine's ranges are rectangular; a short row is padded anyway
            chunk = [r if len(r) >= width else [*r, *[None] * (width - len(r))] for r in chunk]
        texts: list[list[str]] = []
        raws: list[list[Any]] = []
        for getter, column_cap in zip(getters, caps, strict=True):
            column_texts, column_raws = _text_column(list(map(getter, chunk)), column_cap)
            texts.append(column_texts)
            raws.append(column_raws)
        kept = _non_empty(texts)
        if kept is not None:
            numbers = [numbers[i] for i in kept]
            texts = [[col[i] for i in kept] for col in texts]
            raws = [[col[i] for i in kept] for col in raws]
        count += len(numbers)
        if count > max_rows:
            raise UploadError(f"文件超过{max_rows}行的上限，请分批上传")
        if cleaners is None:
            yield numbers, texts, raws, None
        else:
            cleaned = [clean(t, d) for clean, t, d in zip(cleaners, texts, raws, strict=True)]
            yield numbers, texts, [values for values, _ in cleaned], [reasons for _, reasons in cleaned]


def _collect(spec: SheetSpec, chunks: Iterator[Chunk]) -> list[RowResult]:
    build = row_builder(tuple(c.key for c in spec.columns))
    out: list[RowResult] = []
    for numbers, texts, values, reasons in chunks:
        start = len(out)
        out += build(numbers, zip(*texts, strict=True), zip(*values, strict=True))
        for column in reasons or ():
            if any(column):
                for i, reason in enumerate(column, start):
                    if reason:
                        out[i].reasons.append(reason)
    return out


@lru_cache(maxsize=256)
def row_builder(keys: tuple[str, ...]) -> Callable[[Iterable[int], Iterable[tuple], Iterable[tuple]], list[RowResult]]:
    """build(numbers, text tuples, value tuples) -> RowResults, generated for one spec's keys: dict displays with
    constant keys cost half of dict(zip(keys, row)) per row (issue #5). Keys are SheetSpec keys, written in code."""
    assert all(k.isidentifier() for k in keys), keys
    t = [f"t{i}" for i in range(len(keys))]
    d = [f"d{i}" for i in range(len(keys))]
    texts = ", ".join(f"{k!r}: {v}" for k, v in zip(keys, t, strict=True))
    values = ", ".join(f"{k!r}: {v}" for k, v in zip(keys, d, strict=True))
    source = (f"def build(numbers, text_rows, value_rows):\n"
              f"    return [RowResult(n, {{{texts}}}, {{{values}}})\n"
              f"            for n, ({', '.join(t)},), ({', '.join(d)},) in zip(numbers, text_rows, value_rows)]\n")
    namespace: dict[str, Any] = {"RowResult": RowResult}
    exec(source, namespace)  # noqa: S102 - generated from identifiers only (asserted above)
    return namespace["build"]


@dataclass
class Columns:
    """A sheet's rows column by column (parallel.py ships these between processes): `reasons` maps a row's
    index to its reasons in column order."""

    numbers: list[int]
    texts: list[list[str]]
    values: list[list[Any]]
    reasons: dict[int, list[str]]

    @classmethod
    def gather(cls, spec: SheetSpec, chunks: Iterator[Chunk]) -> Columns:
        width = len(spec.columns)
        out = cls([], [[] for _ in range(width)], [[] for _ in range(width)], {})
        for numbers, texts, values, reasons in chunks:
            start = len(out.numbers)
            out.numbers += numbers
            for k in range(width):
                out.texts[k] += texts[k]
                out.values[k] += values[k]
            for column in reasons or ():
                if any(column):
                    for i, reason in enumerate(column, start):
                        if reason:
                            out.reasons.setdefault(i, []).append(reason)
        return out


_WS = " \t\r\n\u00a0\u3000\u200b\ufeff"
_DANGER = frozenset("=+-@\t\r\0")


def _text_column(cells: list[Any], cap: int = 1 << 30) -> tuple[list[str], list[Any]]:
    """(texts shown back to the user, raw values kept for typed cleaning) for one column of a chunk. A text
    longer than the column's `cap` keeps cap + 1 characters: enough for the row's reason, and the rest of a
    1,400-character name is dropped here instead of being copied into every later structure."""
    kinds = set(map(type, cells))
    limit = cap + 1
    if kinds == {str}:
        texts = [v.strip(_WS) for v in cells]
        if max(map(len, texts)) > limit:
            texts = [t[:limit] for t in texts]
        if any(map(str.startswith, texts, repeat("'"))):
            # undo the export's formula neutralisation: export → import changes nothing
            texts = [_unquote(t) if t[:1] == "'" else t for t in texts]
        # one object per distinct text: choices, dates and cut-off long cells repeat down a column, and each
        # row keeps its texts until the job ends (issue #12 item 10: a 50,000-row file's rows held ~120 MB)
        same: dict[str, str] = {}
        texts = [same.setdefault(t, t) for t in texts]
        return texts, texts
    if kinds == {date}:
        return [v.isoformat() for v in cells], cells
    if kinds == {float}:  # _as_text() for a column of numbers
        return [str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v) for v in cells], cells
    texts, raws = [], []
    for v in cells:
        if v.__class__ is str:
            t = v.strip(_WS)[:limit]
            if t[:1] == "'":
                t = _unquote(t)
            texts.append(t)
            raws.append(t)
        else:
            t, d = _as_text(v)
            texts.append(t)
            raws.append(d)
    return texts, raws


def _unquote(text: str) -> str:
    """export.neutralise() undone: one apostrophe off a text whose apostrophes lead to = + - @ \\t \\r \\0."""
    rest = text.lstrip("'")
    return text[1:] if rest[:1] in _DANGER and rest else text


def _non_empty(texts: list[list[str]]) -> list[int] | None:
    """Indexes of the rows with any text, or None when every row has some (the usual case)."""
    empty = [i for i, t in enumerate(texts[0]) if not t]
    for column in texts[1:]:
        if not empty:
            return None
        empty = [i for i in empty if not column[i]]
    if not empty:
        return None
    skip = set(empty)
    return [i for i in range(len(texts[0])) if i not in skip]


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

def cleaner(column: SheetColumn, choice_map: dict[str, str]) -> Callable[[str, Any], tuple[Any, str | None]]:
    """A function (text, raw) → (typed value, Chinese reason or None) for one column, built once per upload."""
    label = column.label
    missing = f"{label}不能为空" if column.required else None
    kind = column.type

    if kind == "text":
        limit = xlsxguard.cap(column)
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

        def clean(text: str, raw: Any) -> tuple[Any, str | None]:
            if not text:
                return None, missing
            return (raw, None) if raw.__class__ is date else date_or_reason(raw, label)

    elif kind == "int":
        bad_int = f"{label}应为整数"

        def clean(text: str, raw: Any) -> tuple[Any, str | None]:
            if not text:
                return None, missing
            value = validators.normalise(text)
            return (int(value), None) if _INT.fullmatch(value) else (None, bad_int)

    elif kind == "money":

        def clean(text: str, raw: Any) -> tuple[Any, str | None]:
            if not text:
                return None, missing
            return fen_or_reason(raw if raw.__class__ is float else text, label)

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


ColumnCleaner = Callable[[list[str], list[Any]], tuple[list[Any], list[str | None]]]


def column_cleaner(column: SheetColumn, choice_map: dict[str, str]) -> ColumnCleaner:
    """cleaner() for a whole column at once: (texts, raws) → (typed values, reasons or None), same results
    cell by cell; the common types are list comprehensions instead of a call per cell."""
    label = column.label
    missing = f"{label}不能为空" if column.required else None
    kind = column.type

    if kind == "text":
        limit = xlsxguard.cap(column)
        too_long = f"{label}不能超过{limit}个字"

        def clean(texts: list[str], raws: list[Any]) -> tuple[list[Any], list[str | None]]:
            if limit:
                reasons = [(too_long if len(t) > limit else None) if t else missing for t in texts]
            else:
                reasons = [None if t else missing for t in texts]
            return [t if t and r is None else None for t, r in zip(texts, reasons, strict=True)], reasons

    elif kind in {"id_number", "uscc", "phone", "mobile"}:
        check = {"id_number": validators.id_number_error, "uscc": validators.uscc_error,
                 "mobile": validators.mobile_error, "phone": validators.phone_error}[kind]
        as_number = f"{label}应以文本格式填写（数值格式会丢失末位数字）" if kind in {"id_number", "uscc"} else None

        def clean(texts: list[str], raws: list[Any]) -> tuple[list[Any], list[str | None]]:
            normal = [(t if t.isdigit() else t.replace(" ", "").upper()) if t.isascii() else validators.normalise(t)
                      for t in texts]  # an all-digit text is kept as is: the row holds one copy, not two
            if kind == "id_number" and all(texts):
                reasons = validators.id_number_errors(normal)
            else:
                reasons = [check(v) if t else missing for t, v in zip(texts, normal, strict=True)]
            if as_number and float in set(map(type, raws)):
                reasons = [as_number if t and raw.__class__ is float else r for t, raw, r in zip(texts, raws, reasons, strict=True)]
            return [v if t and r is None else None for t, v, r in zip(texts, normal, reasons, strict=True)], reasons

    elif kind == "date":

        def clean(texts: list[str], raws: list[Any]) -> tuple[list[Any], list[str | None]]:
            if set(map(type, raws)) == {date}:  # date cells (the usual case): nothing to parse
                return raws, [None] * len(raws)
            pairs = [((raw, None) if raw.__class__ is date else date_or_reason(raw, label)) if t else (None, missing)
                     for t, raw in zip(texts, raws, strict=True)]
            return [d for d, _ in pairs], [r for _, r in pairs]

    elif kind == "choice":
        not_listed = f"{label}应从下拉列表中选择"

        def clean(texts: list[str], raws: list[Any]) -> tuple[list[Any], list[str | None]]:
            codes = list(map(choice_map.get, texts))
            if None in codes or "" in choice_map:
                codes = [(choice_map.get(validators.normalise(t)) if c is None else c) if t else None
                         for t, c in zip(texts, codes, strict=True)]
            return codes, [(not_listed if c is None else None) if t else missing for t, c in zip(texts, codes, strict=True)]

    elif kind == "money":
        one = cleaner(column, choice_map)

        def clean(texts: list[str], raws: list[Any]) -> tuple[list[Any], list[str | None]]:
            if set(map(type, raws)) == {float}:  # number cells (the usual case)
                return fen_column(raws, label)
            pairs = list(map(one, texts, raws))
            return [v for v, _ in pairs], [r for _, r in pairs]

    else:
        one = cleaner(column, choice_map)

        def clean(texts: list[str], raws: list[Any]) -> tuple[list[Any], list[str | None]]:
            pairs = list(map(one, texts, raws))
            return [v for v, _ in pairs], [r for _, r in pairs]

    return clean
