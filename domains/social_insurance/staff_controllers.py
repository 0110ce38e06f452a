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
from portal.dataservices.imports import recent_imports, template_response, upload_response
from portal.web import client_ip

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

async def _payments_page(request: Request, error: str = "", status_code: int = 200) -> Response:
    recent = await recent_imports(request.user, sheets.PAYMENTS)
    return await page(request, "social_insurance/payments.html", {
        "page_title": "到账导入", "error": error, "recent": recent, "breadcrumbs": crumbs(request, ("到账导入", "")),
    }, status_code=status_code)


@get("/payments", name="si_payments", guards=ASSESS_GUARD)
async def payments_page(request: Request) -> Response:
    return await _payments_page(request)


@get("/payments/template.xlsx", name="si_payments_template", guards=ASSESS_GUARD)
async def payments_template(request: Request) -> Response:
    return await template_response(sheets.PAYMENTS)


@post("/payments", name="si_payments_upload", guards=ASSESS_GUARD)
async def payments_upload(request: Request) -> Response:
    return await upload_response(request, sheets.PAYMENTS_IMPORT,
                                 page=lambda error, status: _payments_page(request, error, status))


ROUTES = [assess_form, assess_run, persons, person_detail, employers, employer_detail, payments_page,
          payments_template, payments_upload]
