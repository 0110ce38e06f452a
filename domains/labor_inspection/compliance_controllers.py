"""Employer pages of the 劳动用工合规证明 (INS-5) under /labor-inspection: 合规证明登记, 合规证明办事进度查询 and the
certificate's download. The squad decides in the workbench (matters.COMPLIANCE)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath

from domains.employer import service as employer_service
from domains.labor_inspection import compliance
from domains.labor_inspection import compliance_rules as rules
from portal.areas import crumbs
from portal.dataservices.certificates import applicant_scope, document_response, public_base
from portal.forms import ChoiceField, Form, MobileField, MonthField, TextField
from portal.web import client_ip, redirect, render
from portal.workflow.errors import DuplicateSubmission
from portal.workflow.kinds import get_kind
from portal.workflow.views import form_id

NO_STORE = {"Cache-Control": "no-store"}
APPLY_TITLE = "合规证明登记"
PROGRESS_TITLE = "合规证明办事进度查询"


def _checks(v: dict[str, Any]) -> dict[str, str]:
    return {**rules.period_errors(v["start_month"], v["end_month"], compliance.this_month()),
            **rules.purpose_errors(v["purpose"], v["purpose_other"])}


def apply_form(data: Any) -> Form:
    return Form([
        ChoiceField("purpose", "用途", choices=rules.PURPOSES),
        TextField("purpose_other", "具体用途", required=False, max_len=100),
        MonthField("start_month", "起始年月", help="如 2024-01"),
        MonthField("end_month", "截止年月", help="不晚于本月，如 2026-11"),
        TextField("contact_name", "联系人", max_len=40),
        MobileField("contact_phone", "联系电话", landline_ok=True, help="手机号或区号-号码"),
    ], data, checks=(_checks,))


async def _apply_page(request: Request, form: Form, status_code: int = 200) -> Response:
    return await render(request, "labor_inspection/compliance_apply.html", {
        "page_title": APPLY_TITLE, "form": form, "purposes": rules.PURPOSES, "max_months": rules.MAX_MONTHS,
        "form_id": form_id(), "breadcrumbs": crumbs(request, (APPLY_TITLE, "")),
    }, headers=NO_STORE, status_code=status_code)


@get("/compliance", name="ins_cert_apply")
async def apply_page(request: Request) -> Response:
    employer = await employer_service.get_employer(request.user.employer_id) or {}
    # The employer's registered contact, changeable: the squad calls whoever is named here.
    return await _apply_page(request, apply_form({"contact_name": employer.get("contact_name") or "",
                                                  "contact_phone": employer.get("contact_phone") or ""}))


@post("/compliance", name="ins_cert_apply_submit")
async def apply_submit(request: Request) -> Response:
    data = await request.form()
    form = apply_form(data)
    if await form.validate():
        with form.refusals():
            try:
                matter = await compliance.apply(request.user, form.cleaned, form_token=data.get("form_id") or None,
                                                ip=client_ip(request))
            except DuplicateSubmission:
                return redirect(request, request.app.route_reverse("ins_cert_progress"))
            return redirect(request, request.app.route_reverse("matter_submitted", matter_id=matter["id"]))
    return await _apply_page(request, form)


@get("/compliance/progress", name="ins_cert_progress")
async def progress(request: Request) -> Response:
    return await render(request, "labor_inspection/compliance_progress.html", {
        "page_title": PROGRESS_TITLE, "rows": await compliance.applications_of(request.user),
        "kind": get_kind(compliance.KIND), "breadcrumbs": crumbs(request, (PROGRESS_TITLE, "")),
    }, headers=NO_STORE)


@get("/compliance/{compliance_id:int}/certificate.pdf", name="ins_cert_download")
async def download(request: Request, compliance_id: FromPath[int]) -> Response:
    """The issued certificate (made on the first download); 404 unless it is this employer's and issued."""
    token = await compliance.certificate_token(request.user, compliance_id, public_base(request))
    return await document_response(token, applicant_scope(request.user), inline=False)


ROUTES = [apply_page, apply_submit, progress, download]
