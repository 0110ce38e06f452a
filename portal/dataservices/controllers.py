"""HTTP handlers of portal/dataservices: certificate verification and 证书管理, export and import progress, downloads."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from portal import audit
from portal.auth.principal import PUBLIC, Principal, authenticated_guard, staff_guard
from portal.core import dictionary
from portal.dataservices import certificates, cleanup, document_access, imports
from portal.dataservices.export import XLSX_TYPE, attachment_headers, grid_response, owner_key
from portal.dataservices.spreadsheets import spec_by_name
from portal.dataservices.tables import ExportJob, StoredDocument
from portal.dataservices.workbooks import template_bytes
from portal.forms import Form, TextField
from portal.web import client_ip, redirect, render

REVOKE_PERMISSION = "certificate.revoke"

RESULT_PAGE_SIZE = 50
NO_STORE = {"Cache-Control": "no-store"}


VERIFY_HEADERS = {**NO_STORE, "X-Robots-Tag": "noindex"}


async def _verify_page(request: Request, *, cert: dict | None = None, code: str = "", check=None, error: str = "",
                       status_code: int = 200) -> Response:
    max_mb = request.app.state.settings.seals.upload_max_bytes // (1024 * 1024)
    return await render(
        request, "dataservices/verify.html",
        {"page_title": "证明核验", "cert": cert, "code": code[:40], "check": check, "error": error, "max_mb": max_mb},
        status_code=status_code, headers=VERIFY_HEADERS,
    )


@get("/verify/{code:str}", name="verify_certificate", opt=PUBLIC)
async def verify_certificate(request: Request, code: FromPath[str]) -> Response:
    """Public: anyone holding the paper scans the QR code; personal data is masked, status is explicit."""
    found = await certificates.verification(code)
    if found:
        # Only what the public page shows: never the staff member's revocation reason or the document token.
        found = {k: found[k] for k in ("title", "code", "issued_at", "facts", "valid", "revoked_at", "withdrawn_verb")}
    return await _verify_page(request, cert=found, code=code, status_code=200 if found else 404)


@get("/verify", name="verify_start", opt=PUBLIC)
async def verify_start(request: Request) -> Response:
    """Public: the upload form alone, for whoever received the PDF file rather than the paper."""
    return await _verify_page(request)


@post("/verify", name="verify_upload", opt=PUBLIC)
async def verify_upload(request: Request) -> Response:
    """Public: an uploaded PDF is the issued original (有效 / 已撤销), a changed copy of one (文件被改动) or not ours
    (不是本厅签发). The file is read into memory, checked and dropped: nothing is stored."""
    limit = request.app.state.settings.seals.upload_max_bytes
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        return await _verify_page(request, error="请选择要核验的PDF文件")
    data = await upload.read(limit + 1)
    if len(data) > limit:
        return await _verify_page(request, error=f"文件大小超过{limit // (1024 * 1024)}MB的上限", status_code=413)
    if not data:
        return await _verify_page(request, error="上传的文件是空的，请重新选择")
    if b"%PDF-" not in data[:1024]:
        return await _verify_page(request, error="上传的文件不是PDF文件，请选择PDF格式的证明文件")
    check = await certificates.check_upload(data)
    return await _verify_page(request, check=check)


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
    if job["status"] == "expired":
        # An old download link: the status page says 文件已过期，请重新导出.
        return redirect(request, request.app.route_reverse("export_status", token=token))
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
    if job["status"] == "expired":
        return await render(request, "dataservices/import_expired.html",
                            {"page_title": "上传结果", "job": job, "spec": spec}, headers=NO_STORE)
    found = imports.rows_page(job, request.query_params, RESULT_PAGE_SIZE)
    only_failed, number, pages = found.only_failed, found.number, found.pages
    base = request.url.path

    def page_url(n: int) -> str:
        params = {"p": n, **({"only": "failed"} if only_failed else {})}
        return f"{base}?{urlencode(params)}"

    ctx = {
        "page_title": "上传结果", "job": job, "spec": spec, "only_failed": only_failed,
        "rows": found.rows, "number": number, "pages": pages, "row_count": found.total,
        "prev_url": page_url(number - 1) if number > 1 else "",
        "next_url": page_url(number + 1) if number < pages else "",
        "running": job["status"] in cleanup.ACTIVE_IMPORT,
    }
    block = "progress" if request.headers.get("hx-target") == "import-progress" else "results"
    return await render(request, "dataservices/import_result.html", ctx, block=block, headers=NO_STORE)


@get("/imports/{token:str}/failed", name="import_failed_rows", guards=[authenticated_guard])
async def import_failed_rows(request: Request, token: FromPath[str]) -> Response:
    """The failed rows in the same template with 失败原因 filled in: fix and upload again."""
    job = await _import_job(request, token)
    spec = spec_by_name(job["sheet_name"])
    if job["status"] == "expired":
        return redirect(request, request.app.route_reverse("import_result", token=token))
    if spec is None or job["status"] not in ("done", imports.CHECKED):
        raise NotFoundException()
    data = await template_bytes(spec, imports.failed_rows(job), with_reasons=True)
    name = f"{spec.title}_失败数据_{datetime.now(UTC):%Y%m%d%H%M}.xlsx"
    return Response(content=data, media_type=XLSX_TYPE, headers=attachment_headers(name))


@get("/documents/{token:str}", name="document_download", guards=[authenticated_guard])
async def document_download(request: Request, token: FromPath[str]) -> Response:
    """Applicants: their own documents. Staff: the document's domain permission and division, and every
    download (or refusal of an existing document) is an audit row: rosters hold whole ID numbers."""
    principal = request.user
    if not principal.is_staff:
        return await certificates.document_response(token, certificates.applicant_scope(principal))
    try:
        row, data = await certificates.load_document(token, document_access.staff_scope(principal))
    except NotFoundException:
        if existing := await StoredDocument.select(StoredDocument.id).where(StoredDocument.token == token).first():
            await audit.record(category="security", action="document_denied", actor=principal, result="denied",
                               ip=client_ip(request), object_type="document", object_id=existing["id"])
        raise
    await audit.record(category="privacy", action="document_download", actor=principal, ip=client_ip(request),
                       object_type="document", object_id=row["id"], detail={"kind": row["kind"], "title": row["title"]})
    return certificates.pdf_response(data, f"{row['title']}.pdf")


# -- 证书管理: staff list, detail and revocation, within the staff member's division scopes -------------------

CERT_GUARD = [staff_guard(REVOKE_PERMISSION)]
REVOKE_FIELDS = [TextField("reason", "撤销原因", max_len=200)]


@get("/certificates", name="certificate_list", guards=CERT_GUARD)
async def certificate_list(request: Request) -> Response:
    return await grid_response(request, certificates.GRID, certificates.staff_scope(request.user),
                               "dataservices/certificate_list.html",
                               {"page_title": "证书管理", "breadcrumbs": [("证书管理", "")]})


async def _detail_page(request: Request, cert: dict, form: Form, *, confirming: bool = False,
                       notice: str = "", status_code: int = 200) -> Response:
    ctx = {
        "page_title": f"证书详情 · {cert['title']}", "cert": cert, "form": form, "confirming": confirming,
        "notice": notice, "division_label": await dictionary.label("division", cert["division_code"]),
        "breadcrumbs": [("证书管理", request.app.route_reverse("certificate_list")), ("证书详情", "")],
    }
    return await render(request, "dataservices/certificate_detail.html", ctx, block="revoke_panel",
                        status_code=status_code, headers=NO_STORE)


@get("/certificates/{cid:int}", name="certificate_detail", guards=CERT_GUARD)
async def certificate_detail(request: Request, cid: FromPath[int]) -> Response:
    cert = await certificates.staff_certificate(request.user, cid)
    notice = "证明已撤销，核验页面现显示“已撤销”。" if request.query_params.get("revoked") == "1" else ""
    return await _detail_page(request, cert, Form(REVOKE_FIELDS, {}), notice=notice)


@post("/certificates/{cid:int}/revoke", name="certificate_revoke", guards=CERT_GUARD)
async def certificate_revoke(request: Request, cid: FromPath[int]) -> Response:
    """Two steps: the reason (checked), then an explicit confirmation carrying the same reason."""
    principal: Principal = request.user
    cert = await certificates.staff_certificate(principal, cid)
    data = await request.form()
    form = Form(REVOKE_FIELDS, data)
    if not cert["valid"]:
        form.add_error("reason", "该证明已撤销，无需重复撤销")
        return await _detail_page(request, cert, form)
    if not await form.validate() or data.get("back") == "1":
        return await _detail_page(request, cert, form)
    if data.get("confirm") != "1":
        return await _detail_page(request, cert, form, confirming=True)
    done = await certificates.revoke_certificate(cert["code"], form.cleaned["reason"], actor=principal,
                                                 ip=client_ip(request))
    if not done:  # revoked by someone else between the page and this request
        cert = await certificates.staff_certificate(principal, cid)
        form.add_error("reason", "该证明已撤销，无需重复撤销")
        return await _detail_page(request, cert, form)
    return redirect(request, request.app.route_reverse("certificate_detail", cid=cid) + "?revoked=1")


ROUTES = [verify_certificate, verify_start, verify_upload, export_status, export_download, import_result, import_failed_rows, document_download,
          certificate_list, certificate_detail, certificate_revoke]
