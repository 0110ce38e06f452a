"""Staff pages of social-insurance records: 月度核定, 关账 and 到账 (si.assess); SI-5 and SI-6 (si.query)."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromPath

from domains.social_insurance import rules, service, sheets
from domains.social_insurance.pages import page, period_param
from domains.social_insurance.rules import Refused
from portal import validators
from portal.areas import crumbs
from portal.auth.principal import staff_guard
from portal.dataservices.export import XLSX_TYPE, attachment_headers, owner_key
from portal.dataservices.imports import start_import
from portal.dataservices.spreadsheets import UploadError
from portal.dataservices.tables import ImportJob
from portal.dataservices.workbooks import template_bytes
from portal.web import client_ip, redirect

ASSESS_GUARD = [staff_guard(service.ASSESS_PERMISSION)]


async def _assess_page(request: Request, period_text: str, *, error: str = "", notice: str = "",
                       status_code: int = 200) -> Response:
    rows = [{**p, "label": rules.period_label(p["period"])} for p in await service.periods()]
    return await page(request, "social_insurance/assess.html", {
        "page_title": "月度核定", "period_text": period_text, "error": error, "notice": notice, "periods": rows,
        "breadcrumbs": crumbs(request, ("月度核定", "")),
    }, block="assess_panel", status_code=status_code)


@get("/assess", name="si_assess", guards=ASSESS_GUARD)
async def assess_form(request: Request) -> Response:
    _, text, _ = period_param(request.query_params.get("period"))
    return await _assess_page(request, text)


@post("/assess", name="si_assess_run", guards=ASSESS_GUARD)
async def assess_run(request: Request) -> Response:
    """Run 核定 for a 结算期 over the employers in the staff member's divisions; a closed period is refused."""
    data = await request.form()
    period, text, error = period_param(data.get("period") or "-")
    if error:
        return await _assess_page(request, text, error=error)
    try:
        if data.get("action") == "close":
            await service.close_period(request.user, period, ip=client_ip(request))
            return await _assess_page(request, text, notice=f"{rules.period_label(period)}已关账，不能再重新核定。")
        result = await service.assess(request.user, period, ip=client_ip(request))
    except Refused as exc:
        return await _assess_page(request, text, error=exc.message)
    return await _assess_page(
        request, text,
        notice=f"{rules.period_label(period)}核定完成：{result['employers']} 家单位，本结算期共 {result['rows']} 条缴费记录。")



# ---- SI-5 个人综合查询, SI-6 单位综合查询 (si.query) ----------------------------------------------------------

QUERY_GUARD = [staff_guard(service.QUERY_PERMISSION)]


@get("/persons", name="si_staff_persons", guards=QUERY_GUARD)
async def persons(request: Request) -> Response:
    q = validators.normalise(request.query_params.get("q") or "")[:40]
    rows = await service.staff_find_persons(request.user, q) if q else []
    return await page(request, "social_insurance/staff_persons.html", {
        "page_title": "个人综合查询", "q": q, "rows": rows, "breadcrumbs": crumbs(request, ("个人综合查询", "")),
    }, block="results")


@get("/persons/{person_id:int}", name="si_staff_person", guards=QUERY_GUARD)
async def person_detail(request: Request, person_id: FromPath[int]) -> Response:
    person, rows = await service.staff_person(request.user, person_id)
    return await page(request, "social_insurance/staff_person.html", {
        "page_title": f"个人综合查询：{person['name']}", "person": person, "rows": rows,
        "labels": rules.INSURANCE_LABELS, "statuses": rules.STATUS_LABELS,
        "breadcrumbs": crumbs(request, ("个人综合查询", request.app.route_reverse("si_staff_persons")), (person["name"], "")),
    })


@get("/employers", name="si_staff_employers", guards=QUERY_GUARD)
async def employers(request: Request) -> Response:
    q = (request.query_params.get("q") or "").strip()[:60]
    rows = await service.staff_find_employers(request.user, q) if q else []
    return await page(request, "social_insurance/staff_employers.html", {
        "page_title": "单位综合查询", "q": q, "rows": rows, "breadcrumbs": crumbs(request, ("单位综合查询", "")),
    }, block="results")


@get("/employers/{employer_id:int}", name="si_staff_employer", guards=QUERY_GUARD)
async def employer_detail(request: Request, employer_id: FromPath[int]) -> Response:
    employer = await service.staff_employer(request.user, employer_id)
    return await page(request, "social_insurance/overview.html", {
        "page_title": f"单位综合查询：{employer['name']}", "employer": employer,
        **await service.employer_overview(employer["id"]), "roster": await service.employer_roster(employer["id"]),
        "labels": rules.INSURANCE_LABELS, "statuses": rules.STATUS_LABELS,
        "roster_url": "", "breadcrumbs": crumbs(request, ("单位综合查询", request.app.route_reverse("si_staff_employers")),
                                                (employer["name"], "")),
    })


# ---- 到账 import (si.assess) -----------------------------------------------------------------------------------

async def _payments_page(request: Request, *, error: str = "", status_code: int = 200) -> Response:
    recent = await ImportJob.select(
        ImportJob.token, ImportJob.file_name, ImportJob.total, ImportJob.ok_count, ImportJob.failed_count,
        ImportJob.message, ImportJob.created_at,
    ).where((ImportJob.owner_key == owner_key(request.user)) & (ImportJob.sheet_name == sheets.PAYMENTS.name)).order_by(
        ImportJob.id, ascending=False).limit(10)
    return await page(request, "social_insurance/payments.html", {
        "page_title": "到账导入", "error": error, "recent": recent, "breadcrumbs": crumbs(request, ("到账导入", "")),
    }, status_code=status_code)


@get("/payments", name="si_payments", guards=ASSESS_GUARD)
async def payments_page(request: Request) -> Response:
    return await _payments_page(request)


@get("/payments/template.xlsx", name="si_payments_template", guards=ASSESS_GUARD)
async def payments_template(request: Request) -> Response:
    return Response(content=await template_bytes(sheets.PAYMENTS), media_type=XLSX_TYPE,
                    headers=attachment_headers(f"{sheets.PAYMENTS.title}.xlsx"))


@post("/payments", name="si_payments_upload", guards=ASSESS_GUARD)
async def payments_upload(request: Request) -> Response:
    form = await request.form()
    upload = form.get("file")
    if upload is None or isinstance(upload, str) or not getattr(upload, "filename", ""):
        return await _payments_page(request, error="请选择要上传的Excel文件（.xlsx）")
    try:
        job = await start_import(request, sheets.PAYMENTS, upload, write=sheets.write_payments,
                                 row_check=sheets.payments_check(request.user))
    except UploadError as exc:
        return await _payments_page(request, error=exc.message, status_code=exc.status)
    return redirect(request, request.app.route_reverse("import_result", token=job.token))


ROUTES = [assess_form, assess_run, persons, person_detail, employers, employer_detail, payments_page,
          payments_template, payments_upload]
