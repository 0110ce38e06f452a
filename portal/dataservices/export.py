"""Grid → xlsx export (X-3): streamed sheet XML (xlsxstream), formulas neutralised; big ones as background jobs."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from litestar import Request, Response

from portal import jobs
from portal.auth.principal import Principal
from portal.core import dictionary
from portal.dataservices.grid import (
    Grid,
    GridPage,
    _as_date,
    audit_full_view,
    display,
    is_registered,
    registered_grid,
    scope_from_json,
    scope_to_json,
)
from portal.dataservices.tables import ExportJob
from portal.dataservices.xlsxstream import DATE, HEADER, MONEY, NUMBER, TEXT, SheetStream
from portal.values import yuan_decimal

log = logging.getLogger("portal.export")

INLINE_MAX_ROWS = 10_000
# Rows read and written per step. Every step's rows (dicts of small objects) and sheet XML are garbage a moment
# later; at 2,000 four concurrent exports left the worker's allocator a high-water mark that kept rising over a
# soak (issue #16, bench/README.md). 500 keeps each step's garbage small for the cost of more, cheap keyset reads.
BATCH = 500
# The job's progress row is written about this often (a write per step would be four times as many).
PROGRESS_EVERY = 2_000
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(text: str) -> str:
    """A text cell that a spreadsheet could read as a formula gets a leading apostrophe (SECURITY 18). A text
    that already starts with apostrophes before such a character gets one more, so that the import, which
    removes exactly one (spreadsheets._unquote), gives back the literal text ('=x stays '=x)."""
    if text.lstrip("'")[:1] in DANGEROUS_PREFIXES:
        return "'" + text
    return text


def owner_key(principal: Principal) -> str:
    """Whose job or lock this is: the employer for employer sessions (all its agents share it), else the account."""
    if principal.is_employer:
        return f"employer:{principal.employer_id}"
    if principal.is_person:
        return f"person:{principal.person_id}"
    return f"staff:{principal.account_id}"


def _cell(column: Any, row: dict, labels: Mapping[str, str] | None) -> tuple[Any, int]:
    value = row.get(column.key)
    if value is None:
        return None, TEXT
    kind = column.kind
    if kind == "money":
        return yuan_decimal(int(value)), MONEY
    if kind == "int":
        return int(value), NUMBER
    if kind == "date":
        return _as_date(value), DATE
    # Everything else is text as shown on screen (masked, labelled); ID numbers stay text, never 1.10105E+17.
    return neutralise(display(column, row, labels).text), TEXT


class XlsxWriter:
    """One sheet streamed to `path`: header, then rows appended in batches (constant memory)."""

    def __init__(self, grid: Grid, labels: Mapping[str, Mapping[str, str]], path: Path) -> None:
        self.labels = labels
        self.columns = [c for c in grid.columns if c.export]
        self.sheet = SheetStream(path, grid.title or grid.name, [20] * len(self.columns))
        self.sheet.rows([[(neutralise(c.label), HEADER) for c in self.columns]])

    def append(self, rows: list[dict]) -> None:
        columns = [(c, self.labels.get(c.key)) for c in self.columns]
        self.sheet.rows([[_cell(c, row, labels) for c, labels in columns] for row in rows])

    def save(self) -> None:
        self.sheet.close()

    def abort(self) -> None:
        self.sheet.abort()


async def write_export(grid: Grid, params: Mapping[str, str], scope: Any, path: Path, job_id: int | None = None) -> int:
    """Write the whole filtered, scoped result to `path`; rows fetched by keyset in batches. Returns the count."""
    query = await grid.parse(params)
    labels = {c.key: await dictionary.labels(c.category) for c in grid.columns if c.category}
    writer = await asyncio.to_thread(XlsxWriter, grid, labels, path)
    after = None
    written = 0
    try:
        while True:
            rows = await grid.walk(scope, query, after, True, BATCH)
            if not rows:
                break
            await asyncio.to_thread(writer.append, rows)
            before, written = written, written + len(rows)
            if job_id is not None and written // PROGRESS_EVERY > before // PROGRESS_EVERY:
                await ExportJob.update({ExportJob.done: written}).where(ExportJob.id == job_id)
            if len(rows) < BATCH:
                break
            after = grid.cursor(rows[-1], query)
        await asyncio.to_thread(writer.save)
    except BaseException:
        writer.abort()
        raise
    return written


def export_dir(request_or_app: Any) -> Path:
    app = getattr(request_or_app, "app", request_or_app)
    path = Path(app.state.settings.storage_dir) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _file_name(grid: Grid) -> str:
    return f"{grid.title or grid.name}_{datetime.now(UTC):%Y%m%d%H%M%S}.xlsx"


def attachment_headers(file_name: str) -> dict[str, str]:
    from urllib.parse import quote

    return {"Content-Disposition": f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(file_name)}",
            "Cache-Control": "no-store"}


async def export_response(request: Request, grid: Grid, scope: Any) -> Response:
    """The export of the page's current filters: the file itself up to 10,000 rows (settings), else a background job
    whose progress component (dataservices/export_status.html) polls and turns into the download link."""
    from portal.web import render

    query = await grid.parse(request.query_params)
    total = await grid.count(scope, query)
    await audit_full_view(request, grid, total, action="grid.full_export")
    directory = export_dir(request)
    if total <= request.app.state.settings.export_inline_max_rows:
        return await _inline(grid, request, scope, directory)
    if request.user is None or not is_registered(grid.name):
        # Only a grid an Area declares can be found again by a worker, and a job has an owner; a public list
        # (the HR-agency register, a few hundred rows) is written here rather than refused.
        log.warning("grid %s is not declared in an Area: %s rows exported inline", grid.name, total)
        return await _inline(grid, request, scope, directory)
    principal: Principal = request.user
    queue = jobs.jobs_of(request)
    job = ExportJob(
        token=secrets.token_urlsafe(24), owner_key=owner_key(principal), grid_name=grid.name,
        file_name=_file_name(grid), status="queued", total=total, created_at=datetime.now(UTC),
        queue_key=queue.key_for(EXPORT_TASK),
    )
    await job.save()
    await queue.enqueue(EXPORT_TASK, key=job.queue_key, job_id=job.id, grid=grid.name,
                        params=dict(request.query_params), scope=scope_to_json(scope))
    return await render(request, "dataservices/export_status.html", {"job": job, "page_title": "导出进度"})


async def _inline(grid: Grid, request: Request, scope: Any, directory: Path) -> Response:
    path = directory / f"{secrets.token_hex(16)}.xlsx"
    try:
        await write_export(grid, request.query_params, scope, path)
        data = path.read_bytes()
    finally:
        path.unlink(missing_ok=True)
    return Response(content=data, media_type=XLSX_TYPE, headers=attachment_headers(_file_name(grid)))


EXPORT_TASK = "dataservices.export"


async def export_task(ctx: dict, *, job_id: int, grid: str, params: dict, scope: Any) -> None:
    """The job (portal.jobs task "dataservices.export"): the whole filtered, scoped result to a file."""
    found = await registered_grid(grid)
    directory = Path(ctx["settings"].storage_dir) / "exports"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{secrets.token_hex(16)}.xlsx"
    # Each transition is conditional on the state this job left: if the recovery took the job for dead
    # meanwhile (the engine aborted it), its "服务中断" verdict stands and the file is dropped.
    running = (ExportJob.id == job_id) & (ExportJob.status == "running")
    try:
        started = await ExportJob.update(
            {ExportJob.status: "running", ExportJob.storage_path: str(path)}
        ).where((ExportJob.id == job_id) & (ExportJob.status == "queued")).returning(ExportJob.id)
        if not started:
            return
        if found is None:
            raise LookupError(f"no grid {grid!r} in this worker")
        count = await write_export(found, params, scope_from_json(scope), path, job_id=job_id)
        finished = await ExportJob.update(
            {ExportJob.status: "done", ExportJob.done: count, ExportJob.finished_at: datetime.now(UTC)}
        ).where(running).returning(ExportJob.id)
        if not finished:
            path.unlink(missing_ok=True)
    except Exception:
        log.exception("export job %s failed", job_id)
        path.unlink(missing_ok=True)
        await ExportJob.update(
            {ExportJob.status: "failed", ExportJob.message: "导出失败，请稍后重试", ExportJob.finished_at: datetime.now(UTC)}
        ).where(running)


def wants_export(request: Request) -> bool:
    return request.query_params.get("export") == "xlsx"


def export_url(request: Request, route: str = "") -> str:
    """The page's own URL with its filters and export=xlsx: the 导出Excel link of a list (X-3). A page rendered
    by a POST (a form's answer) names its list's GET `route` instead."""
    from urllib.parse import urlencode

    if route:
        return f"{request.app.route_reverse(route)}?export=xlsx"
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("export", "page", "after")]
    return f"{request.url.path}?{urlencode([*params, ('export', 'xlsx')])}"


async def rows_export_response(
    request: Request, title: str, columns: Sequence[tuple[str, str]], rows: Iterable[Mapping[str, Any]]
) -> Response:
    """X-3 for a list that is not a Grid (short, already scoped and capped by its page): the rows the page shows,
    as the same kind of sheet a grid exports. `columns` are (表头, key); values are written as shown (text, with
    formulas neutralised), dates as dates, ints as numbers. The page masks ID numbers before handing rows here."""
    path = export_dir(request) / f"{secrets.token_hex(16)}.xlsx"

    def cell(value: Any) -> tuple[Any, int]:
        if value is None or value == "":
            return None, TEXT
        if isinstance(value, bool):
            return ("是" if value else "否"), TEXT
        if isinstance(value, int):
            return value, NUMBER
        if isinstance(value, datetime):
            from portal.filters import local_time

            return local_time(value), TEXT
        if isinstance(value, date):
            return value, DATE
        return neutralise(str(value)), TEXT

    def write() -> bytes:
        sheet = SheetStream(path, title, [20] * len(columns))
        try:
            sheet.rows([[(neutralise(label), HEADER) for label, _ in columns]])
            sheet.rows([[cell(row.get(key)) for _, key in columns] for row in rows])
            sheet.close()
            return path.read_bytes()
        except BaseException:
            sheet.abort()
            raise
        finally:
            path.unlink(missing_ok=True)

    data = await asyncio.to_thread(write)
    file_name = f"{title}_{datetime.now(UTC):%Y%m%d%H%M%S}.xlsx"
    return Response(content=data, media_type=XLSX_TYPE, headers=attachment_headers(file_name))


def grid_macros(request: Request) -> dict[str, Any]:
    """The grid macros as context variables: an htmx block render skips the template's top-level imports."""
    module = request.app.template_engine.engine.get_template("components/grid.html").module
    return {name: getattr(module, name) for name in ("grid_table", "grid_filters", "grid_rows", "grid_pager")}


async def grid_response(
    request: Request, grid: Grid, scope: Any, template: str, context: dict | None = None, *, block: str = "results",
    adjust: Callable[[GridPage], Any] | None = None,
) -> Response:
    """The whole list page in one call: `?export=xlsx` exports, htmx gets the `results` block, else the page.

    The template puts `{% block results %}{{ grid_table(grid_page) }}{% endblock %}` where the table goes.
    `adjust(page)` may change the page's cells before rendering (a value computed per view, e.g. days left)."""
    from portal.web import render

    if request.query_params.get("export") == "xlsx":
        return await export_response(request, grid, scope)
    page = await grid.page(request.query_params, scope, path=request.url.path)
    if adjust is not None:
        adjust(page)
    await audit_full_view(request, grid, len(page.rows))
    ctx = {"grid_page": page, **grid_macros(request), **(context or {})}
    return await render(request, template, ctx, block=block, headers={"Cache-Control": "no-store"})
