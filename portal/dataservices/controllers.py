"""HTTP handlers of portal/dataservices: certificate verification, export and import progress, downloads."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from functools import reduce
from pathlib import Path
from urllib.parse import urlencode

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from portal.auth.principal import PUBLIC, Principal, _division_prefix, authenticated_guard
from portal.dataservices import certificates, imports
from portal.dataservices.export import XLSX_TYPE, attachment_headers, owner_key
from portal.dataservices.spreadsheets import spec_by_name
from portal.dataservices.tables import ExportJob, StoredDocument
from portal.dataservices.workbooks import template_bytes
from portal.web import render

RESULT_PAGE_SIZE = 50
NO_STORE = {"Cache-Control": "no-store"}


@get("/verify/{code:str}", name="verify_certificate", opt=PUBLIC)
async def verify_certificate(request: Request, code: FromPath[str]) -> Response:
    """Public: anyone holding the paper scans the QR code; personal data is masked, status is explicit."""
    found = await certificates.verification(code)
    return await render(
        request, "dataservices/verify.html",
        {"page_title": "证明核验", "cert": found, "code": code[:40]},
        status_code=200 if found else 404,
        headers={**NO_STORE, "X-Robots-Tag": "noindex"},
    )


async def _export_job(request: Request, token: str) -> dict:
    job = await ExportJob.select().where(
        (ExportJob.token == token) & (ExportJob.owner_key == owner_key(request.user))
    ).first()
    if job is None:
        raise NotFoundException()
    return job


@get("/exports/{token:str}", name="export_status", guards=[authenticated_guard])
async def export_status(request: Request, token: FromPath[str]) -> Response:
    job = await _export_job(request, token)
    return await render(request, "dataservices/export_status.html", {"job": job, "page_title": "导出进度"},
                        block="progress", headers=NO_STORE)


@get("/exports/{token:str}/download", name="export_download", guards=[authenticated_guard])
async def export_download(request: Request, token: FromPath[str]) -> Response:
    job = await _export_job(request, token)
    if job["status"] != "done" or not job["storage_path"]:
        raise NotFoundException()
    try:
        data = await asyncio.to_thread(Path(job["storage_path"]).read_bytes)
    except OSError as exc:
        raise NotFoundException() from exc
    return Response(content=data, media_type=XLSX_TYPE, headers=attachment_headers(job["file_name"]))


async def _import_job(request: Request, token: str) -> dict:
    job = await imports.job_for(token, request.user)
    if job is None:
        raise NotFoundException()
    return job


@get("/imports/{token:str}", name="import_result", guards=[authenticated_guard])
async def import_result(request: Request, token: FromPath[str]) -> Response:
    """LC-6 result: progress while running, then the summary and a paged table of every row."""
    job = await _import_job(request, token)
    spec = spec_by_name(job["sheet_name"])
    only_failed = request.query_params.get("only") == "failed"
    rows = imports.job_rows(job)
    if only_failed:
        rows = [r for r in rows if r.reasons]
    try:
        number = max(1, int(request.query_params.get("p") or 1))
    except ValueError:
        number = 1
    pages = max(1, -(-len(rows) // RESULT_PAGE_SIZE))
    number = min(number, pages)
    base = request.url.path

    def page_url(n: int) -> str:
        params = {"p": n, **({"only": "failed"} if only_failed else {})}
        return f"{base}?{urlencode(params)}"

    ctx = {
        "page_title": "上传结果", "job": job, "spec": spec, "only_failed": only_failed,
        "rows": rows[(number - 1) * RESULT_PAGE_SIZE: number * RESULT_PAGE_SIZE],
        "number": number, "pages": pages, "row_count": len(rows),
        "prev_url": page_url(number - 1) if number > 1 else "",
        "next_url": page_url(number + 1) if number < pages else "",
        "running": job["status"] not in {"done", "failed"},
    }
    block = "progress" if request.headers.get("hx-target") == "import-progress" else "results"
    return await render(request, "dataservices/import_result.html", ctx, block=block, headers=NO_STORE)


@get("/imports/{token:str}/failed", name="import_failed_rows", guards=[authenticated_guard])
async def import_failed_rows(request: Request, token: FromPath[str]) -> Response:
    """The failed rows in the same template with 失败原因 filled in: fix and upload again."""
    job = await _import_job(request, token)
    spec = spec_by_name(job["sheet_name"])
    if spec is None or job["status"] != "done":
        raise NotFoundException()
    data = await template_bytes(spec, imports.failed_rows(job), with_reasons=True)
    name = f"{spec.title}_失败数据_{datetime.now(UTC):%Y%m%d%H%M}.xlsx"
    return Response(content=data, media_type=XLSX_TYPE, headers=attachment_headers(name))


def document_scope(principal: Principal):
    """Applicants: their own documents; staff: documents of divisions within their jurisdiction."""
    if not principal.is_staff:
        return certificates.applicant_scope(principal)
    prefixes = [_division_prefix(c) for c in principal.scopes.get("division", ())]
    if not prefixes:
        return None
    clauses = [StoredDocument.division_code.like(f"{p}%") for p in prefixes]
    return reduce(lambda a, b: a | b, clauses)


@get("/documents/{token:str}", name="document_download", guards=[authenticated_guard])
async def document_download(request: Request, token: FromPath[str]) -> Response:
    return await certificates.document_response(token, document_scope(request.user))


ROUTES = [verify_certificate, export_status, export_download, import_result, import_failed_rows, document_download]
