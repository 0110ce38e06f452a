"""批量增员报盘 / 批量减员报盘 (PC-2, PC-5): template, upload, the generic per-row result and failed-rows workbook."""

from __future__ import annotations

from litestar import Request, Response, get, post

from domains.personnel_change import sheets
from portal.areas import crumbs
from portal.dataservices.export import XLSX_TYPE, attachment_headers, owner_key
from portal.dataservices.imports import start_import
from portal.dataservices.spreadsheets import UploadError
from portal.dataservices.tables import ImportJob
from portal.dataservices.workbooks import template_bytes
from portal.web import client_ip, redirect, render

BATCHES = {
    "enrol": (sheets.ENROL, "批量增员报盘", "pc_enrol_confirm"),
    "withdraw": (sheets.WITHDRAW, "批量减员报盘", "pc_withdraw_confirm"),
}


async def _upload_page(request: Request, direction: str, *, error: str = "", status_code: int = 200) -> Response:
    spec, title, confirm_route = BATCHES[direction]
    recent = await ImportJob.select(
        ImportJob.token, ImportJob.file_name, ImportJob.status, ImportJob.total, ImportJob.ok_count,
        ImportJob.failed_count, ImportJob.created_at,
    ).where((ImportJob.owner_key == owner_key(request.user)) & (ImportJob.sheet_name == spec.name)).order_by(
        ImportJob.id, ascending=False).limit(10)
    return await render(request, "personnel_change/batch.html", {
        "page_title": title, "direction": direction, "spec": spec, "error": error, "recent": recent,
        "confirm_route": confirm_route, "breadcrumbs": crumbs(request, (title, "")),
    }, status_code=status_code, headers={"Cache-Control": "no-store"})


def _handlers(direction: str) -> list:
    spec = BATCHES[direction][0]
    name = f"pc_{direction}_batch"
    path = f"/{direction}/batch"

    @get(path, name=name)
    async def upload_page(request: Request) -> Response:
        return await _upload_page(request, direction)

    @get(f"{path}/template.xlsx", name=f"{name}_template")
    async def template(request: Request) -> Response:
        return Response(content=await template_bytes(spec), media_type=XLSX_TYPE,
                        headers=attachment_headers(f"{spec.title}.xlsx"))

    @post(path, name=f"{name}_upload")
    async def upload(request: Request) -> Response:
        form = await request.form()
        upload_file = form.get("file")
        if upload_file is None or isinstance(upload_file, str) or not getattr(upload_file, "filename", ""):
            return await _upload_page(request, direction, error="请选择要上传的Excel文件（.xlsx）", status_code=400)
        try:
            job = await start_import(request, spec, upload_file,
                                     write=sheets.writer(request.user, direction, client_ip(request)),
                                     row_check=sheets.checker(request.user, direction))
        except UploadError as exc:
            return await _upload_page(request, direction, error=exc.message, status_code=exc.status)
        return redirect(request, request.app.route_reverse("import_result", token=job.token))

    return [upload_page, template, upload]


ROUTES = [*_handlers("enrol"), *_handlers("withdraw")]
