"""HTTP handlers of the batch filings (LC-6 新订/续订, LC-7 解除/终止): template, upload, result via dataservices."""

from __future__ import annotations

from litestar import Request, Response, get, post

from domains.labor_contract import sheets
from domains.labor_contract.pages import page
from portal.areas import crumbs
from portal.dataservices.imports import recent_imports, template_response, upload_response

BATCHES = {
    "new-renew": (sheets.NEW_RENEW_IMPORT, "合同新订(续订)备案批量", "新签、续签最好分两个模板分别上传；上传后可在劳动合同综合查询中按“未审核”查出导入的数据。"),
    "terminate": (sheets.TERMINATE_IMPORT, "合同解除(终止)备案批量", "审核通过后，请通过实时名册打印生成解除(终止)证明书和解除(终止)备案名册。"),
}


async def _upload_page(request: Request, batch: str, error: str = "", status_code: int = 200) -> Response:
    importer, title, hint = BATCHES[batch]
    spec = importer.spec
    return await page(request, "labor_contract/batch.html", {
        "page_title": title, "batch": batch, "spec": spec, "hint": hint, "error": error,
        "recent": await recent_imports(request.user, spec), "breadcrumbs": crumbs(request, (title, "")),
    }, status_code=status_code)


def _handlers(batch: str, name: str):
    importer = BATCHES[batch][0]
    spec = importer.spec
    path = f"/batch/{batch}"

    @get(path, name=name)
    async def upload_page(request: Request) -> Response:
        return await _upload_page(request, batch)

    @get(f"{path}/template.xlsx", name=f"{name}_template")
    async def template(request: Request) -> Response:
        return await template_response(spec)

    @post(path, name=f"{name}_upload")
    async def upload(request: Request) -> Response:
        """Upload: the whole file is refused with a reason beside the field, or every row gets a result."""
        return await upload_response(request, importer,
                                     page=lambda error, status: _upload_page(request, batch, error, status))

    return [upload_page, template, upload]


ROUTES = [*_handlers("new-renew", "lc_batch_new_renew"), *_handlers("terminate", "lc_batch_terminate")]
