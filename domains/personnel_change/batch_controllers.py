"""批量增员报盘 / 批量减员报盘 (PC-2, PC-5): template, upload, the generic per-row result and failed-rows workbook."""

from __future__ import annotations

from litestar import Request, Response, get, post

from domains.personnel_change import sheets
from portal.areas import crumbs
from portal.dataservices.imports import recent_imports, template_response, upload_response
from portal.web import render

BATCHES = {
    "enrol": (sheets.ENROL_IMPORT, "批量增员报盘", "pc_enrol_confirm"),
    "withdraw": (sheets.WITHDRAW_IMPORT, "批量减员报盘", "pc_withdraw_confirm"),
}


async def _upload_page(request: Request, direction: str, error: str = "", status_code: int = 200) -> Response:
    importer, title, confirm_route = BATCHES[direction]
    spec = importer.spec
    return await render(request, "personnel_change/batch.html", {
        "page_title": title, "direction": direction, "spec": spec, "error": error,
        "recent": await recent_imports(request.user, spec), "confirm_route": confirm_route,
        "breadcrumbs": crumbs(request, (title, "")),
    }, status_code=status_code, headers={"Cache-Control": "no-store"})


def _handlers(direction: str) -> list:
    importer = BATCHES[direction][0]
    spec = importer.spec
    name = f"pc_{direction}_batch"
    path = f"/{direction}/batch"

    @get(path, name=name)
    async def upload_page(request: Request) -> Response:
        return await _upload_page(request, direction)

    @get(f"{path}/template.xlsx", name=f"{name}_template")
    async def template(request: Request) -> Response:
        return await template_response(spec)

    @post(path, name=f"{name}_upload")
    async def upload(request: Request) -> Response:
        return await upload_response(
            request, importer, page=lambda error, status: _upload_page(request, direction, error, status))

    return [upload_page, template, upload]


ROUTES = [*_handlers("enrol"), *_handlers("withdraw")]
