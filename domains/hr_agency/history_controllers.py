"""历史数据采集 (HRA-12), staff with `hra.manage` within their divisions: the list of imported agencies (each opens
in 机构管理, where it is edited and deleted), and the import on one page — ① 文件检查, ② 数据检查 with the row
table, ③ 确认导入. The upload is the staff member's own import job: another account's token answers 404."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from domains.hr_agency import grids, history
from domains.hr_agency.tables import Agency
from portal.areas import crumbs
from portal.auth.principal import staff_guard
from portal.dataservices import cleanup, imports
from portal.dataservices.export import grid_response
from portal.web import client_ip, redirect, render

GUARD = [staff_guard("hra.manage")]
NO_STORE = {"Cache-Control": "no-store"}
PAGE_SIZE = 50


@get("/history", name="hra_history", guards=GUARD)
async def history_list(request: Request) -> Response:
    """查询: the imported agencies of the staff member's divisions (deleted ones leave the list)."""
    scope = grids.staff_scope(request.user, Agency)
    scope = grids.Scope(f"({scope.sql}) AND hra_agency.source = 'history' AND hra_agency.status <> 'deleted'",
                        *scope.args)
    return await grid_response(request, grids.HISTORY, scope, "hr_agency/history_list.html", {
        "page_title": "历史数据采集", "breadcrumbs": crumbs(request, ("历史数据采集", ""))})


@get("/history/template.xlsx", name="hra_history_template", guards=GUARD)
async def history_template(request: Request) -> Response:
    return await imports.template_response(history.HISTORY)


def _step(job: dict | None) -> int:
    """The step the page is at: 1 before a file passed the file checks, 2 while checking and until confirmed."""
    if job is None or job["status"] == "failed":
        return 1
    return 3 if job["status"] == "done" else 2


async def _page(request: Request, job: dict | None = None, *, error: str = "", status_code: int = 200) -> Response:
    ctx: dict = {}
    if job is not None and job["status"] not in cleanup.ACTIVE_IMPORT:
        found = imports.rows_page(job, request.query_params, PAGE_SIZE, only_failed=job["status"] == "done")
        number, pages = found.number, found.pages
        base = request.app.route_reverse("hra_history_job", token=job["token"])

        def page_url(n: int, failed: bool = found.only_failed) -> str:
            return f"{base}?{urlencode({'p': n, **({'only': 'failed'} if failed else {})})}"

        ctx = {"rows": found.rows, "number": number, "pages": pages, "row_count": found.total,
               "only_failed": found.only_failed, "all_url": page_url(1, False), "failed_url": page_url(1, True),
               "prev_url": page_url(number - 1) if number > 1 else "",
               "next_url": page_url(number + 1) if number < pages else ""}
    recent = await imports.recent_imports(request.user, history.HISTORY, limit=5) if job is None else []
    title = "导入历史数据"
    return await render(request, "hr_agency/history_import.html", {
        "page_title": title, "job": job, "step": _step(job), "error": error, "spec": history.HISTORY,
        "running": job is not None and job["status"] in cleanup.ACTIVE_IMPORT, "recent": recent, **ctx,
        "breadcrumbs": crumbs(request, ("历史数据采集", request.app.route_reverse("hra_history")), (title, "")),
    }, block="steps", status_code=status_code, headers=NO_STORE)


@get("/history/import", name="hra_history_import", guards=GUARD)
async def history_import(request: Request) -> Response:
    return await _page(request)


@post("/history/import", name="hra_history_upload", guards=GUARD)
async def history_upload(request: Request) -> Response:
    """① 文件检查: a file refused as a whole stays at step ① with the reason beside the field; otherwise the job
    checks the rows (② 数据检查) and the page of the job shows them."""
    form = await request.form()
    upload = form.get("file")
    if upload is None or isinstance(upload, str) or not getattr(upload, "filename", ""):
        return await _page(request, error="请选择要上传的Excel文件（.xlsx）", status_code=400)
    try:
        job = await imports.start_import(request, history.HISTORY_IMPORT, upload)
    except imports.UploadError as exc:
        return await _page(request, error=exc.message, status_code=exc.status)
    return redirect(request, request.app.route_reverse("hra_history_job", token=job.token))


async def _job(request: Request, token: str) -> dict:
    job = await imports.job_for(token, request.user)
    if job is None or job["sheet_name"] != history.HISTORY.name:
        raise NotFoundException()
    return job


@get("/history/import/{token:str}", name="hra_history_job", guards=GUARD)
async def history_job(request: Request, token: FromPath[str]) -> Response:
    return await _page(request, await _job(request, token))


@post("/history/import/{token:str}/confirm", name="hra_history_confirm", guards=GUARD)
async def history_confirm(request: Request, token: FromPath[str]) -> Response:
    """③ 确认导入: the rows are checked again and written all or none; the page then shows the outcome."""
    await _job(request, token)
    await imports.confirm_import(token, history.HISTORY_IMPORT, request.user, client_ip(request))
    return redirect(request, request.app.route_reverse("hra_history_job", token=token))


ROUTES = [history_list, history_template, history_import, history_upload, history_job, history_confirm]
