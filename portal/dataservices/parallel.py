"""Large uploads in parts: the data sheet is streamed out of the package and cut at row boundaries into small
workbooks. On an idle machine with several cores (read_clean_parallel) this process reads one part in a thread
(calamine releases the GIL while it parses) while warm worker processes read others with
spreadsheets.read_sheet(), and the rows are joined again in order; otherwise (read_clean_in_parts) the parts
are read one after the other. Either way memory holds a few parts, never the whole sheet (issue #12 item 10).

Why parallel: issue #5 asks 100,000 rows/s; calamine alone parses ~150,000 rows/s on one core and the Python
cleaning costs about as much again. Only big sheets are cut (PARALLEL_MIN_SHEET_BYTES of sheet XML, ~20,000
rows for the workers; 2 × PART_BYTES in-process). The result is the same rows, numbers, values and reasons as
read_clean() (tests/dataservices/test_parallel.py); whenever a part cannot be read the same way (a refused
file, an unusual sheet) the whole file is read as before, so errors are always the single-read ones.
Duplicates across parts are found afterwards by check_rows().
"""

from __future__ import annotations

import asyncio
import io
import logging
import multiprocessing
import os
import re
import threading
import time
import zipfile
from array import array
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from typing import Any

from defusedxml.ElementTree import fromstring

from portal.dataservices.spreadsheets import (
    INSTRUCTIONS_SHEET,
    META_SHEET,
    OPTIONS_SHEET,
    RowResult,
    SheetSpec,
    UploadError,
    gc_paused,
    read_clean,
    read_sheet,
    row_builder,
)

log = logging.getLogger("portal.imports")

# Uncompressed sheet XML above which the sheet is cut: openpyxl's inline strings take ~440 bytes a row of the
# 8-column template, shared strings ~250, so 8 MB is 18,000–32,000 rows; a 10,000-row upload stays in-thread.
PARALLEL_MIN_SHEET_BYTES = 8 * 1024 * 1024
# Sheet XML per part: calamine holds a whole sheet's cells while it reads it (~1.3 × its XML), so a big sheet
# is read as parts of this size, at most PARTS at a time (issue #12 item 10: the worst file inside the budget,
# 60 MB of XML, peaked at 213 MB read whole).
PART_BYTES = 6 * 1024 * 1024
# One part per core, at most four: this process reads the first, worker processes the others.
PARTS = max(1, min(4, os.cpu_count() or 1))
# Cutting costs ~25 % more CPU in all (cut, ship, join): it only pays when cores are idle. Measured on 2 cores:
# 100,000 rows at load 1.6 took 0.95 s cut vs 1.2 s whole; at load 3-4, 1.7 s cut vs 1.25 s whole.
MAX_LOAD = float(PARTS)

_SEP = "\x1f"  # joins a column's strings for the trip back; a cell holding it makes that column a list
_ROW_TAG = re.compile(rb'<row\b[^>]*?\sr="(\d+)"[^>]*>')
_HEADER_REF = re.compile(rb'(\sr="[A-Z]{0,3})1"')
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()
# Worker CPU seconds spent on parts so far (the bench adds them to the main process's CPU time).
worker_cpu_s = 0.0


async def read_clean_parallel(spec: SheetSpec, data: bytes, *, max_rows: int,
                              maps: dict[str, dict[str, str]]) -> list[RowResult] | None:
    """spreadsheets.read_clean() over every core, or None when the file is small, cannot be cut or a part is
    refused (the caller then reads in-process, which gives the exact error). The sheet is streamed out of the
    package as parts (stream_parts) and at most PARTS are read at a time: one in a thread of this process (no
    trip back, and calamine releases the GIL while it parses), the others in worker processes. So memory
    holds PARTS parts, never the whole sheet's XML or cells (issue #12 item 10)."""
    global worker_cpu_s
    if PARTS < 2 or os.getloadavg()[0] >= MAX_LOAD:
        return None
    found = await asyncio.to_thread(stream_parts, spec, data, PART_BYTES, parts=PARTS,
                                    min_bytes=PARALLEL_MIN_SHEET_BYTES)
    if found is None:
        return None
    sheet, parts = found
    loop = asyncio.get_running_loop()
    running: list[tuple[bool, asyncio.Future]] = []
    try:
        pool = _get_pool()
        while (part := await loop.run_in_executor(_READER, next, parts, None)) is not None:
            blob, first = part
            own = len(running) % PARTS == 0
            running.append((own, loop.run_in_executor(_READER, _read_own, spec, blob, sheet, first, max_rows, maps)
                            if own else loop.run_in_executor(pool, _read_part, spec, blob, sheet, first, max_rows, maps)))
            del blob, part
            busy = [f for _, f in running if not f.done()]
            if len(busy) >= PARTS:
                await asyncio.wait(busy, return_when=asyncio.FIRST_COMPLETED)
        found_parts = await asyncio.gather(*(f for _, f in running), return_exceptions=True)
    except (_Uncuttable, BrokenProcessPool) as exc:
        await asyncio.gather(*(f for _, f in running), return_exceptions=True)
        if isinstance(exc, BrokenProcessPool):
            log.exception("import worker died; reading in-process")
            await asyncio.to_thread(shutdown_pool)
        return None
    if any(isinstance(r, BrokenProcessPool) for r in found_parts):
        log.error("import worker died; reading in-process")
        await asyncio.to_thread(shutdown_pool)
        return None
    for r in found_parts:
        if isinstance(r, BaseException) and not isinstance(r, UploadError):
            raise r
    results = [(own, r) for (own, _), r in zip(running, found_parts, strict=True)]
    worker_cpu_s += sum(r[-1] for own, r in results if not own)
    if any(isinstance(r, UploadError) or (not own and r[0] is None) for own, r in results):
        return None  # a part was refused: the whole file, read in-process, gives the exact error
    if sum(len(r[1]) if own else len(r[0]) for own, r in results) > max_rows:
        raise UploadError(f"文件超过{max_rows}行的上限，请分批上传")
    rows: list[RowResult] = []
    for own, r in results:
        rows += r[1] if own else await asyncio.to_thread(_join, spec, [r])
    return rows


# This process's parts are cut and read on one thread: every thread that allocates gets its own malloc arena,
# and calamine's freed cells spread over several arenas stay resident (measured: +40 MB on a 50,000-row file).
_READER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-parts")


def _read_own(spec: SheetSpec, part: bytes, sheet: str, first: int, max_rows: int,
              maps: dict[str, dict[str, str]]) -> tuple[str, list[RowResult]]:
    return read_sheet(spec, part, max_rows=max_rows, maps=maps, only_sheet=sheet, first_number=first)


# -- cutting -----------------------------------------------------------------------------------------------


def _sheet_path(zf: zipfile.ZipFile, spec: SheetSpec) -> tuple[str, str] | None:
    """(name, zip path) of the sheet read_sheet() tries first: the template's data sheet, else the first sheet
    that is not one of our helper sheets (a file saved from CSV by LibreOffice or WPS has one, named after it)."""
    try:
        book = fromstring(zf.read("xl/workbook.xml"))
        rels = fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        return None
    sheets = [(s.get("name"), s.get(_REL)) for s in book.iter(f"{_MAIN}sheet")]
    names = [n for n, _ in sheets]
    if spec.sheet_title in names:
        name = spec.sheet_title
    else:
        name = next((n for n in names if n not in {INSTRUCTIONS_SHEET, OPTIONS_SHEET, META_SHEET}), None)
    rel_id = next((r for n, r in sheets if n == name), None)
    target = next((r.get("Target") for r in rels if r.get("Id") == rel_id), None) if rel_id else None
    if not name or not target:
        return None
    path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return (name, path) if path in zf.namelist() else None


def _package(others: dict[str, bytes], path: str, sheet: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        for name, content in others.items():
            zf.writestr(name, content)
        zf.writestr(path, sheet)
    return buffer.getvalue()


# -- one part at a time (in this process) -------------------------------------------------------------------


class _Uncuttable(Exception):
    """The sheet cannot be cut at row boundaries safely: read it whole."""


def read_clean_in_parts(spec: SheetSpec, data: bytes, *, max_rows: int,
                        maps: dict[str, dict[str, str]]) -> list[RowResult]:
    """spreadsheets.read_clean() with bounded memory: a sheet over PART_BYTES is streamed out of the package
    and read as small workbooks cut at row boundaries, one at a time; the same rows, numbers and reasons
    (tests/dataservices/test_parallel.py). A sheet that cannot be cut, or a part that is refused, is read
    whole, so a refusal is always the single-read one."""
    found = stream_parts(spec, data, PART_BYTES)
    if found is None:
        return read_clean(spec, data, max_rows=max_rows, maps=maps)
    sheet, parts = found
    rows: list[RowResult] = []
    try:
        for part, first in parts:
            rows += read_sheet(spec, part, max_rows=max_rows, maps=maps, only_sheet=sheet, first_number=first)[1]
            del part
            if len(rows) > max_rows:
                raise UploadError(f"文件超过{max_rows}行的上限，请分批上传")
    except (_Uncuttable, UploadError) as exc:
        if isinstance(exc, UploadError) and exc.message.startswith("文件超过"):
            raise
        del rows[:]
        return read_clean(spec, data, max_rows=max_rows, maps=maps)
    return rows


def stream_parts(spec: SheetSpec, data: bytes, part_bytes: int, *, parts: int = 1, min_bytes: int | None = None):
    """(sheet name, iterator of (part workbook, Excel number of its first data row)) for a sheet of at least
    `min_bytes` of XML (default 2 × part_bytes), else None. Parts hold up to `part_bytes` of rows, or a
    `parts`-th of the sheet when that is less. The sheet's XML is decompressed as the parts are taken.

    Every part is the original package (ZIP_STORED, so nothing is compressed again) with the data sheet's
    <sheetData> reduced to the header row and one run of rows; from the second part on, the header is
    renumbered to the row just above the run, so calamine's range starts there and never spans the rows of
    other parts. The iterator raises _Uncuttable when the XML turns out to be unusual (comments, CDATA, a
    prefixed root, a header that is not row 1)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            found = _sheet_path(zf, spec)
            if found is None:
                return None
            size = zf.getinfo(found[1]).file_size
            if size < (2 * part_bytes if min_bytes is None else min_bytes):
                return None
            others = {i.filename: zf.read(i) for i in zf.infolist() if i.filename != found[1]}
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        return None
    return found[0], _parts(data, found[1], others, max(1, min(part_bytes, -(-size // parts))))


def _parts(data: bytes, path: str, others: dict[str, bytes], part_bytes: int):
    tail = b"</sheetData></worksheet>"
    with zipfile.ZipFile(io.BytesIO(data)) as zf, zf.open(path) as fh:
        buffer, eof = b"", False

        def more() -> bytes:
            nonlocal eof
            chunk = fh.read(1 << 20)
            eof = not chunk
            seam = buffer[-8:] + chunk
            if b"<![CDATA[" in seam or b"<!--" in seam:
                raise _Uncuttable()  # "<row" may then be text, not a tag
            return chunk

        while (start := buffer.find(b"<sheetData>")) < 0 or buffer.find(b"<row", start) < 0 \
                or buffer.find(b"<row", buffer.find(b"<row", start) + 4) < 0:
            if eof:
                raise _Uncuttable()
            buffer += more()
        first = buffer.find(b"<row", start)
        second = buffer.find(b"<row", first + 4)
        head, header, buffer = buffer[:first], buffer[first:second], buffer[second:]
        tag = _ROW_TAG.match(header)
        if b"<worksheet" not in head or tag is None or tag[1] != b"1":
            raise _Uncuttable()  # a prefixed root (<x:worksheet>) needs its own closing tag; the header is row 1
        number = 0  # Excel number of the current part's first row; 0 before the first part
        while True:
            while len(buffer) < part_bytes and not eof:
                buffer += more()
            end = buffer.find(b"</sheetData>")
            last = 0 <= end <= part_bytes
            if last:
                stop = end
            else:
                if end < 0 and eof:
                    raise _Uncuttable()
                # the last row starting within part_bytes; a single longer row makes a part of its own
                stop = buffer.rfind(b"<row", 1, part_bytes)
                if stop <= 0:
                    stop = buffer.find(b"<row", 1)
                    if stop < 0 or (end >= 0 and stop > end):
                        stop, last = (end, True) if end >= 0 else (-1, False)
                if stop < 0:
                    buffer += more()
                    continue
            rows = buffer[:stop]
            if rows.strip():
                tag = _ROW_TAG.match(rows)
                if tag is None:
                    raise _Uncuttable()
                if number:
                    number = int(tag[1])
                    top = _HEADER_REF.sub(rb"\g<1>" + str(number - 1).encode() + b'"', header)
                else:
                    number, top = 2, header
                yield _package(others, path, b"".join((head, top, rows, tail))), number
            if last:
                return
            buffer = buffer[stop:]


# -- one part (worker process) -----------------------------------------------------------------------------


def _read_part(spec: SheetSpec, part: bytes, sheet: str, first: int, max_rows: int,
               maps: dict[str, dict[str, str]]) -> tuple[Any, ...]:
    """(numbers, text columns, value columns, reasons by row index, cpu s), or (None, cpu s) when refused.
    Columns travel as joined strings or date ordinals: pickling rows of objects costs more than reading them."""
    cpu = time.process_time()
    try:
        _, columns = read_sheet(spec, part, max_rows=max_rows, maps=maps, only_sheet=sheet, first_number=first,
                                columns=True)
    except UploadError:
        return None, time.process_time() - cpu
    values = [("=", None) if v == t else _pack(v) for v, t in zip(columns.values, columns.texts, strict=True)]
    return (array("q", columns.numbers), [_pack(c) for c in columns.texts], values, columns.reasons,
            time.process_time() - cpu)


def _pack(column: list[Any]) -> tuple[str, Any]:
    """("s", joined strings, "" for None), ("t", joined strings), ("d", date ordinals) or ("o", the list);
    a value column equal to its text column travels as ("=", None)."""
    kinds = set(map(type, column))
    if kinds <= {str, type(None)} and "" not in column:
        joined = _SEP.join([v if v is not None else "" for v in column])
        if joined.count(_SEP) == len(column) - 1:
            return "s", joined  # "" stands for None: a cleaned value is never empty
    elif kinds <= {date, type(None)}:
        return "d", array("l", [v.toordinal() if v is not None else 0 for v in column])
    if kinds == {str}:
        joined = _SEP.join(column)
        if joined.count(_SEP) == len(column) - 1:
            return "t", joined
    return "o", column


def _unpack(packed: tuple[str, Any], n: int) -> list[Any]:
    kind, payload = packed
    same: dict[str, str] = {}  # one object per distinct text, as the in-process read keeps them (_text_column)
    if kind == "s":
        return [same.setdefault(v, v) or None for v in payload.split(_SEP)] if n else []
    if kind == "t":
        return [same.setdefault(v, v) for v in payload.split(_SEP)] if n else []
    if kind == "d":
        return [date.fromordinal(o) if o else None for o in payload]
    return payload


def _join(spec: SheetSpec, results: list[tuple[Any, ...]]) -> list[RowResult]:
    build = row_builder(tuple(c.key for c in spec.columns))
    out: list[RowResult] = []
    with gc_paused():
        for numbers, texts, values, reasons, _ in results:
            n = len(numbers)
            start = len(out)
            texts = [_unpack(c, n) for c in texts]
            values = [texts[k] if kind == "=" else _unpack((kind, c), n) for k, (kind, c) in enumerate(values)]
            out += build(numbers, zip(*texts, strict=True), zip(*values, strict=True))
            for i, found in reasons.items():
                out[start + i].reasons = found
    return out


# -- the pool ----------------------------------------------------------------------------------------------


def _get_pool() -> ProcessPoolExecutor:
    """Started on first use (forkserver: workers fork from a clean server that has this module imported)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([__name__])
            _pool = ProcessPoolExecutor(max_workers=max(1, PARTS - 1), mp_context=context)
        return _pool


def shutdown_pool() -> None:
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


async def close_pool(app: Any) -> None:
    """Shutdown hook (the dataservices area's on_shutdown): the import worker processes."""
    await asyncio.to_thread(shutdown_pool)
