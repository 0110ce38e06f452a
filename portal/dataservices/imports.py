"""Validated batch imports (LC-6, LC-7, PC-2, INS-1, HRA-12): check, lock, read in parts, check rows, prepare, then
publish all or none: in one short transaction, or staged hidden in chunks and made visible at once (docs/IMPORTS.md)."""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from litestar import Request

from portal import jobs
from portal.auth.principal import Principal
from portal.dataservices import cleanup, parallel, staging
from portal.dataservices.export import owner_key
from portal.dataservices.spreadsheets import (
    RowResult,
    SheetSpec,
    UploadError,
    check_budget,
    check_upload,
    column_cleaner,
    read_rows,
)
from portal.dataservices.tables import ImportJob, ImportLock
from portal.dataservices.workbooks import choice_map
from portal.db import write_transaction

log = logging.getLogger("portal.imports")

BatchCheck = Callable[[list[RowResult]], Awaitable[None]]


@dataclass(frozen=True)
class WholeFile:
    """A row check that sees the whole file: passed as `row_check=WholeFile(fn)` it is the same as
    `batch_check=fn` (so a domain's check factory can switch to one query per chunk of rows by itself)."""

    check: BatchCheck


@dataclass(frozen=True)
class Staged:
    """A writer in two steps (issue #12 item 14). `prepare(valid_rows)` does the CPU work (rows built, payloads
    serialised) outside any transaction: it may read, and it yields to the event loop between chunks.
    `publish(prepared)` only inserts, in the import's one write_transaction, so SQLite's single writer is
    held for the inserts and not for the Python work (which took ~1 ms a row). All or nothing as before."""

    prepare: Callable[[list[RowResult]], Awaitable[Any]]
    publish: Callable[[Any], Awaitable[Any]]


# Valid rows per chunk of a Chunked writer: ~25 ms of SQLite's writer for LC filings on an idle machine. With the
# machine at load ~16, 500-row chunks held it up to 1.3 s and pushed other writers' p95 to 1 s (bench/README.md).
CHUNK_ROWS = 200


@dataclass(frozen=True)
class Chunked:
    """A writer that never holds the writer long (issue #12 item 14, docs/IMPORTS.md §4). For each chunk of
    `size` valid rows: `prepare(rows)` outside any transaction, then `stage(batch, rows, prepared)` inside one
    short write_transaction: it checks the rows again against what is committed now (a row that has become
    invalid gets its reason and is left out) and inserts the rest hidden through `batch.insert()`
    (portal.dataservices.staging). One last short transaction publishes every chunk at once; if anything fails
    the hidden rows are deleted. All or nothing for the rows that passed."""

    prepare: Callable[[list[RowResult]], Awaitable[Any]]
    stage: Callable[[staging.Batch, list[RowResult], Any], Awaitable[None]]
    size: int = 0  # 0: CHUNK_ROWS


RowCheck = Callable[[RowResult], Sequence[str] | Awaitable[Sequence[str]]] | WholeFile
# A plain writer runs whole inside the transaction (fine for small, cheap writes); Staged prepares outside it;
# a big one is Chunked.
Writer = Callable[[list[RowResult]], Awaitable[Any]] | Staged | Chunked

# Uploads above this size answer at once with a progress component (about 5,000 rows); smaller ones wait for
# their job (WAIT_S) and answer with the result.
BACKGROUND_BYTES = 256 * 1024


async def validate_rows(spec: SheetSpec, rows: list[RowResult], row_check: RowCheck | None = None,
                        progress: Callable[[int], Awaitable[None]] | None = None,
                        batch_check: BatchCheck | None = None) -> list[RowResult]:
    """Types, required, lengths, ID/USCC check digits, dates, dictionary labels (rows from read_rows), then
    check_rows(): duplicates inside the file and the domain's checks."""
    maps = await choice_maps(spec)
    for column in spec.columns:
        key = column.key
        values, reasons = column_cleaner(column, maps.get(key, {}))([r.values[key] for r in rows],
                                                                    [r.data[key] for r in rows])
        for row, value, reason in zip(rows, values, reasons, strict=True):
            row.data[key] = value
            if reason:
                row.reasons.append(reason)
    return await check_rows(spec, rows, row_check, progress, batch_check)


async def choice_maps(spec: SheetSpec) -> dict[str, dict[str, str]]:
    return {c.key: await choice_map(c) for c in spec.columns if c.type == "choice"}


async def check_rows(spec: SheetSpec, rows: list[RowResult], row_check: RowCheck | None = None,
                     progress: Callable[[int], Awaitable[None]] | None = None,
                     batch_check: BatchCheck | None = None) -> list[RowResult]:
    """After the per-cell checks: duplicates inside the file, then the domain's `row_check(row) -> [reasons]`
    (sync or async) for each row that passed the generic checks, then `await batch_check(rows)` once with
    those same rows (it appends to `row.reasons`; one query per chunk of rows instead of one per row)."""
    if isinstance(row_check, WholeFile):
        if batch_check is not None:
            raise TypeError("give either batch_check or row_check=WholeFile(...), not both")
        row_check, batch_check = None, row_check.check
    for keys in spec.unique:
        labels = "、".join(spec.column(k).label for k in keys)
        if len(keys) == 1:
            found = [row.data.get(keys[0]) for row in rows]
        else:
            found = [tuple(row.data.get(k) for k in keys) for row in rows]
            found = [None if None in key else key for key in found]
        seen: dict[Any, int] = {}
        for row, key in zip(rows, found, strict=True):
            if key is None:
                continue
            first = seen.setdefault(key, row.number)
            if first != row.number:
                row.reasons.append(f"{labels}与第{first}行重复")
    passed = [row for row in rows if row.ok] if batch_check is not None else []
    if row_check is not None:
        is_async = inspect.iscoroutinefunction(row_check)
        for i, row in enumerate(rows):
            if row.ok:
                reasons = row_check(row)
                if is_async or inspect.isawaitable(reasons):
                    reasons = await reasons
                row.reasons.extend(reasons)
            if progress is not None and i % 1000 == 999:
                await progress(i + 1)
    if batch_check is not None and passed:
        await batch_check(passed)
    return rows


async def parse_upload(spec: SheetSpec, data: bytes, *, max_bytes: int, max_rows: int) -> list[RowResult]:
    """Checks, then calamine in a worker thread so the event loop keeps serving other requests (raw rows)."""
    check_upload(data, max_bytes=max_bytes)
    await asyncio.to_thread(check_budget, spec, data, max_rows=max_rows)
    return await asyncio.to_thread(read_rows, spec, data, max_rows=max_rows)


async def parse_clean(spec: SheetSpec, data: bytes, *, max_bytes: int, max_rows: int) -> list[RowResult]:
    """parse_upload() plus the per-cell checks, as an import reads (bench, tests)."""
    check_upload(data, max_bytes=max_bytes)
    await asyncio.to_thread(check_budget, spec, data, max_rows=max_rows)
    return await read_checked(spec, data, max_rows=max_rows)


async def read_checked(spec: SheetSpec, data: bytes, *, max_rows: int) -> list[RowResult]:
    """Rows of an upload that check_upload() and check_budget() passed, with the per-cell checks: large files
    are split over worker processes (parallel.py), others are read in a thread, a big sheet part by part."""
    maps = await choice_maps(spec)
    rows = await parallel.read_clean_parallel(spec, data, max_rows=max_rows, maps=maps)
    if rows is None:
        rows = await asyncio.to_thread(parallel.read_clean_in_parts, spec, data, max_rows=max_rows, maps=maps)
    return rows


async def _try_lock(key: str, token: str) -> bool:
    # ON CONFLICT: two uploads racing on PostgreSQL get one lock and one refusal, not a unique-key error.
    async with write_transaction():
        taken = await ImportLock.insert(ImportLock(owner_key=key, job_token=token, acquired_at=datetime.now(UTC))) \
            .on_conflict(target=ImportLock.owner_key, action="DO NOTHING").returning(ImportLock.id)
    return bool(taken)


async def _acquire_lock(request: Request, key: str, token: str) -> None:
    if await _try_lock(key, token):
        return
    # The holder may be a job whose worker died: the job queue says so (a live long import keeps its lock).
    await cleanup.fail_dead_imports(jobs.jobs_of(request), owner_key=key)
    if not await _try_lock(key, token):
        raise UploadError("已有一个批量导入正在处理，请等待其完成后再上传", status=409)


async def _release_lock(key: str, token: str) -> None:
    async with write_transaction():
        await ImportLock.delete().where((ImportLock.owner_key == key) & (ImportLock.job_token == token))


@dataclass(frozen=True)
class ImportSteps:
    """What a domain does with an upload's rows: `write(valid_rows)` inside ONE write_transaction(), and the
    checks that add its reasons to rows that passed the generic ones (see check_rows)."""

    write: Writer
    row_check: RowCheck | None = None
    batch_check: BatchCheck | None = None


@dataclass(frozen=True)
class Importer:
    """A batch import a worker can run (declared in an Area's `importers`): its sheet, and
    `prepare(principal, ip)` → ImportSteps for the owner who uploaded (the job carries the principal and the
    client address across to the worker as JSON, and the worker rebuilds the steps with them)."""

    name: str
    spec: SheetSpec
    prepare: Callable[[Principal, str], ImportSteps]
    # Check only: the job stops at status "checked" with every row kept; confirm_import() writes later (HRA-12).
    confirm: bool = False


_IMPORTERS: dict[str, Importer] = {}


def register_importer(importer: Importer) -> None:
    _IMPORTERS[importer.name] = importer


# A small upload's page waits this long for its job to end and shows the result; a longer job answers with
# its result page, which follows the progress.
WAIT_S = 20.0
IMPORT_TASK = "dataservices.import"


async def start_import(request: Request, importer: Importer, upload: Any, *,
                       background: bool | None = None) -> ImportJob:
    """Accept an upload (a Litestar UploadFile or bytes) for the signed-in owner and process it as a job.

    Raises UploadError (show `.message` next to the file field, respond with `.status`) when the file is
    refused as a whole or another import of the same owner is running. Otherwise returns the ImportJob;
    redirect to `url_for("import_result", token=job.token)`. The importer's write runs inside ONE
    write_transaction(), or a `Staged(prepare, publish)` writer prepares outside it and only publishes inside: if
    it raises, nothing is written and the result page says so. Every upload is a job on the queue (portal.jobs);
    for a small one (or background=False) this waits for the job to end. docs/IMPORTS.md."""
    from portal.web import client_ip

    settings = request.app.state.settings
    spec = importer.spec
    data = upload if isinstance(upload, bytes) else await upload.read()
    file_name = "" if isinstance(upload, bytes) else (getattr(upload, "filename", "") or "")[:200]
    try:
        check_upload(data, max_bytes=settings.upload_max_bytes)
        # before a job exists: a file over the template's budget or row limit is refused beside the field
        await asyncio.to_thread(check_budget, spec, data, max_rows=settings.import_max_rows)
    except UploadError as exc:
        from portal.audit import security_event

        # SECURITY 21: rejected uploads (oversize, not a workbook, macros, links, zip bombs) are logged.
        await security_event(request.scope, "upload_rejected", object_type=spec.name, reason=exc.message,
                             size=len(data))
        raise
    principal: Principal = request.user
    key = owner_key(principal)
    token = secrets.token_urlsafe(24)
    await _acquire_lock(request, key, token)
    queue = jobs.jobs_of(request)
    try:
        # The checked bytes go to the worker (maybe another process) as a private file it reads once and deletes;
        # the worker does not check them again.
        directory = Path(settings.storage_dir) / "imports"
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{secrets.token_hex(16)}.xlsx"
        path.write_bytes(data)
        path.chmod(0o600)
        queue_key = queue.key_for(IMPORT_TASK)
        job = ImportJob(token=token, owner_key=key, sheet_name=spec.name, file_name=file_name, status="queued",
                        created_at=datetime.now(UTC), storage_path=str(path), queue_key=queue_key)
        await job.save()
        await queue.enqueue(IMPORT_TASK, key=queue_key, job_id=job.id, importer=importer.name,
                            principal=principal.snapshot(), ip=client_ip(request))
    except BaseException:
        await _release_lock(key, token)
        raise
    if not (background if background is not None else len(data) > BACKGROUND_BYTES):
        await queue.wait(queue_key, WAIT_S)
    await job.refresh()
    return job


async def import_task(ctx: dict, *, job_id: int, importer: str, principal: dict, ip: str) -> None:
    """The job (portal.jobs task "dataservices.import"): runs in a worker, or in the web process on SQLite."""
    job = await ImportJob.select().where(ImportJob.id == job_id).first()
    if job is None or job["status"] not in cleanup.ACTIVE_IMPORT:
        return  # already failed by the recovery (the engine took its worker for dead)
    settings = ctx["settings"]
    found = _IMPORTERS.get(importer)
    if job["status"] != "queued" or found is None:
        # A second attempt: the first was cancelled by a worker's shutdown and its file is gone; or a worker of
        # another version. Fail it visibly rather than leave the owner locked out.
        log.error("import job %s: %s", job_id, "interrupted" if found else f"no importer {importer!r} here")
        await cleanup.fail_import(job)
        return
    steps = found.prepare(Principal.from_snapshot(principal), ip)
    await _run(job_id, found.spec, Path(job["storage_path"]), job["owner_key"], job["token"],
               None if found.confirm else steps.write, (steps.row_check, steps.batch_check), settings.import_max_rows)


async def _set(job_id: int, **values: Any) -> None:
    await ImportJob.update({getattr(ImportJob, k): v for k, v in values.items()}).where(ImportJob.id == job_id)


async def _run(job_id: int, spec: SheetSpec, path: Path, key: str, token: str, write: Writer | None,
               checks: tuple[RowCheck | None, BatchCheck | None], max_rows: int) -> None:
    """Read, check and write (or, with write=None, stop at "checked" for confirm_import())."""
    rows: list[RowResult] = []
    try:
        await _set(job_id, status="parsing")
        try:
            data = await asyncio.to_thread(path.read_bytes)
            rows = await read_checked(spec, data, max_rows=max_rows)
        except UploadError as exc:
            await _set(job_id, status="failed", message=exc.message, finished_at=datetime.now(UTC))
            return
        del data
        await _set(job_id, status="validating", total=len(rows))

        async def progress(n: int) -> None:
            await _set(job_id, processed=n)

        await check_rows(spec, rows, checks[0], progress, checks[1])
        valid = [r for r in rows if r.ok]
        failed = len(rows) - len(valid)
        if write is None and rows:
            await _set(job_id, status=CHECKED, ok_count=len(valid), failed_count=failed, processed=len(rows),
                       message=checked_message(len(rows), len(valid)), results=results_json(rows, written=False),
                       finished_at=datetime.now(UTC))
            return
        await _set(job_id, status="writing", processed=len(rows))
        written = False
        if not rows:
            message = "文件中没有数据行，请从第2行起填写后上传"
        elif valid:
            try:
                await _write(write, valid, job_id)
                valid = [r for r in valid if r.ok]  # a Chunked writer's second check may have refused rows
                failed = len(rows) - len(valid)
                written = bool(valid)
                message = f"共{len(rows)}行，成功导入{len(valid)}行" + (f"，{failed}行未通过，请下载失败数据修改后重新上传" if failed else "")
                if warned := sum(1 for r in valid if r.warnings):
                    message += f"；其中{warned}行有提示，请查看下表"
            except Exception:
                log.exception("import job %s: write failed", job_id)
                message = "写入数据时出错，本次上传的数据均未导入（全部回滚），请稍后重新上传"
            if not valid:
                message = f"共{len(rows)}行，全部未通过校验，未导入任何数据，请下载失败数据修改后重新上传"
        else:
            message = f"共{len(rows)}行，全部未通过校验，未导入任何数据，请下载失败数据修改后重新上传"
        results = results_json(rows, written=written)
        ok_count = len(valid) if written else 0
        del rows[:], valid[:]
        await _set(
            job_id, status="done", written=written, ok_count=ok_count,
            failed_count=failed, message=message, results=results,
            finished_at=datetime.now(UTC),
        )
    except Exception:
        log.exception("import job %s failed", job_id)
        await _set(job_id, status="failed", message="处理文件时出错，未导入任何数据，请稍后重新上传",
                   finished_at=datetime.now(UTC))
    finally:
        path.unlink(missing_ok=True)  # noqa: ASYNC240 - one unlink, no I/O wait worth a thread
        await _release_lock(key, token)


async def _write(write: Writer, valid: list[RowResult], job_id: int) -> None:
    """All valid rows or none: a Staged writer prepares first and holds the transaction only to publish; a
    Chunked one stages hidden chunks and publishes them together."""
    if isinstance(write, Chunked):
        await _write_chunked(write, valid, job_id)
    elif isinstance(write, Staged):
        prepared = await write.prepare(valid)
        async with write_transaction():
            await write.publish(prepared)
    else:
        async with write_transaction():
            await write(valid)


async def _write_chunked(write: Chunked, valid: list[RowResult], job_id: int) -> None:
    batch = staging.Batch(job_id)
    size = write.size or CHUNK_ROWS
    try:
        for start in range(0, len(valid), size):
            rows = valid[start:start + size]
            prepared = await write.prepare(rows)
            batch.next_chunk()
            async with write_transaction():
                await write.stage(batch, rows, prepared)
        async with write_transaction():
            # The recovery fails a job it takes for dead (and deletes its rows): such a job must not publish.
            mine = await ImportJob.update({ImportJob.written: True}).where(
                (ImportJob.id == job_id) & (ImportJob.status == "writing")).returning(ImportJob.id)
            if not mine:
                raise RuntimeError(f"import job {job_id} is no longer writing: not published")
            await batch.publish()
    except BaseException:
        # Also when cancelled (a worker's shutdown, the engine's abort). If this fails too, the recovery's
        # pass deletes the rows of a job that is no longer active.
        try:
            await staging.discard(job_id)
        except Exception:
            log.exception("import job %s: deleting its hidden rows failed (the recovery will)", job_id)
        raise


CHECKED = "checked"


def checked_message(total: int, ok: int) -> str:
    if not ok:
        return f"数据检查完成：共{total}行，全部未通过，请下载失败数据修改后重新上传"
    failed = f"，{total - ok}行未通过（确认导入时不导入这些行，可下载失败数据修改后另行上传）" if total > ok else ""
    return f"数据检查完成：共{total}行，{ok}行通过{failed}。请核对后确认导入"


async def confirm_import(token: str, importer: Importer, principal: Principal, ip: str = "") -> dict:
    """Step ③ of a check-only import (`Importer(confirm=True)`): inside one write_transaction, check the kept rows
    again (the data may have changed since; on SQLite the held writer makes the check and the write one step),
    then write the rows that pass, all or none, and move the job from "checked" to "done" (a second confirmation
    finds no checked job). Rows that fail now stay on the job with their reasons and nothing is written: the
    owner sees them and confirms again. Returns the job; raises LookupError when the owner has no such job."""
    job = await job_for(token, principal)
    if job is None or job["sheet_name"] != importer.spec.name:
        raise LookupError(token)
    if job["status"] != CHECKED or not job["ok_count"]:
        return job
    steps = importer.prepare(principal, ip)
    kept = job_rows(job)
    rows = [RowResult(number=r.number, values=r.values, data=dict(r.values)) for r in kept if r.ok]
    async with write_transaction():
        await validate_rows(importer.spec, rows, steps.row_check, batch_check=steps.batch_check)
        if newly := {r.number: r for r in rows if r.reasons}:
            merged = [newly.get(r.number, r) for r in kept]
            ok = sum(1 for r in merged if r.ok)
            await _set(job["id"], ok_count=ok, failed_count=len(merged) - ok,
                       results=results_json(merged, written=False),
                       message=f"确认导入前重新检查，又有{len(newly)}行未通过，未导入任何数据。" + checked_message(len(merged), ok))
        else:
            failed = job["failed_count"]
            claimed = await ImportJob.update({
                ImportJob.status: "done", ImportJob.written: True, ImportJob.finished_at: datetime.now(UTC),
                ImportJob.message: f"已确认导入{len(rows)}行" + (f"，{failed}行未通过，未导入" if failed else ""),
                ImportJob.results: results_json(kept, written=True),  # the rows to fix, as a written job keeps
            }).where((ImportJob.id == job["id"]) & (ImportJob.status == CHECKED)).returning(ImportJob.id)
            if claimed:
                write = steps.write
                if isinstance(write, Chunked):  # its hidden chunks belong to a job that is "writing"
                    raise TypeError("confirm_import() takes a plain or Staged writer")
                if isinstance(write, Staged):
                    await write.publish(await write.prepare(rows))
                else:
                    await write(rows)
    return await job_for(token, principal)


def results_json(rows: list[RowResult], *, written: bool) -> str:
    """What a job keeps: the rows to fix or to look at (every row when nothing was written), as [number, values,
    reasons] plus the row's warnings when it has any. The result page and the failed-rows workbook need nothing
    else; keeping every accepted row's values made a 45,000-row upload 450 MB of JSON (issue #12)."""
    # row by row: one dumps() of the whole list holds its pieces (~4 × the text) before joining them
    dump = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    return "[" + ",".join([dump([r.number, r.values, r.reasons, *([r.warnings] if r.warnings else [])])
                           for r in rows if r.reasons or r.warnings or not written]) + "]"


async def job_for(token: str, principal: Principal) -> dict | None:
    """The job if it belongs to the signed-in owner, else None (the caller answers 404)."""
    return await ImportJob.select().where(
        (ImportJob.token == token) & (ImportJob.owner_key == owner_key(principal))
    ).first()


def job_rows(job: dict) -> list[RowResult]:
    if not job.get("results"):
        return []
    return [RowResult(number=n, values=v, reasons=list(r), warnings=list(w[0]) if w else [])
            for n, v, r, *w in json.loads(job["results"])]


@dataclass(frozen=True)
class RowsPage:
    rows: list[RowResult]  # the page's rows
    number: int  # 1 … pages
    pages: int
    total: int  # rows in the (filtered) table
    only_failed: bool


def rows_page(job: dict, params: Any, size: int, *, only_failed: bool = False) -> RowsPage:
    """One page of a job's result table: `?only=failed` (or only_failed) keeps the rows to fix; `?p=` is clamped."""
    only_failed = only_failed or params.get("only") == "failed"
    rows = job_rows(job)
    if only_failed:
        rows = [r for r in rows if r.reasons]
    try:
        number = max(1, int(params.get("p") or 1))
    except ValueError:
        number = 1
    pages = max(1, -(-len(rows) // size))
    number = min(number, pages)
    return RowsPage(rows[(number - 1) * size: number * size], number, pages, len(rows), only_failed)


def failed_rows(job: dict) -> list[RowResult]:
    """Rows to fix and upload again: the failed ones, or every row when the write was rolled back."""
    rows = job_rows(job)
    if job["written"] or job["status"] == CHECKED:
        return [r for r in rows if r.reasons]
    for r in rows:
        if not r.reasons:
            r.reasons.append("本次写入失败，该行未导入，可直接重新上传")
    return rows


async def upload_response(
    request: Request,
    importer: Importer,
    *,
    page: Callable[[str, int], Awaitable[Any]],
) -> Any:
    """The POST of every batch page: read the file field, start_import(), then the result page — or the upload
    page again (`await page(error, status_code)`) with the reason beside the file field."""
    from portal.web import redirect

    form = await request.form()
    upload = form.get("file")
    if upload is None or isinstance(upload, str) or not getattr(upload, "filename", ""):
        return await page("请选择要上传的Excel文件（.xlsx）", 400)
    try:
        job = await start_import(request, importer, upload)
    except UploadError as exc:
        return await page(exc.message, exc.status)
    return redirect(request, request.app.route_reverse("import_result", token=job.token))


async def recent_imports(principal: Principal, spec: SheetSpec, limit: int = 10) -> list[dict[str, Any]]:
    """The owner's last uploads of a template, newest first (the batch pages' 最近的上传)."""
    return await ImportJob.select(
        ImportJob.token, ImportJob.file_name, ImportJob.status, ImportJob.total, ImportJob.ok_count,
        ImportJob.failed_count, ImportJob.message, ImportJob.created_at,
    ).where((ImportJob.owner_key == owner_key(principal)) & (ImportJob.sheet_name == spec.name)).order_by(
        ImportJob.id, ascending=False).limit(limit)


async def template_response(spec: SheetSpec) -> Any:
    """The template download (instructions sheet, drop-downs) named after the spec's title."""
    from litestar import Response

    from portal.dataservices.export import XLSX_TYPE, attachment_headers
    from portal.dataservices.workbooks import template_bytes

    return Response(content=await template_bytes(spec), media_type=XLSX_TYPE,
                    headers=attachment_headers(f"{spec.title}.xlsx"))
