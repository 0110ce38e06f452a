"""Employer pages of social-insurance records (SPEC SI-1 … SI-4, SI-6): every query by principal.employer_id."""

from __future__ import annotations

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from domains.social_insurance import grids, rules, service
from domains.social_insurance.pages import page, period_param, this_period, today
from portal import validators
from portal.areas import crumbs
from portal.dataservices.export import grid_response

BENEFIT_KINDS = {"pension": "养老支付明细", "maternity": "生育支付明细", "injury": "工伤支付明细"}


@get("/", name="si_home")
async def home(request: Request) -> Response:
    return await page(request, "social_insurance/home.html", {"page_title": "社保查询", "breadcrumbs": crumbs(request)})


@get("/staff", name="si_roster")
async def roster(request: Request) -> Response:
    """SI-1 参保职工名单: 个人参保状态, 个人缴费状态, 参保身份 (and 险种, 身份证号, 姓名); 导出Excel."""
    return await grid_response(
        request, grids.roster(this_period()), grids.enrolment_scope(request.user), "social_insurance/roster.html",
        {"page_title": "参保职工名单", "breadcrumbs": crumbs(request, ("参保职工名单", ""))},
    )


@get("/payable", name="si_payable")
async def payable(request: Request) -> Response:
    """SI-2 社保应付信息查询: 结算期 as 年月 (default this month); every fee cell opens its detail."""
    period, text, error = period_param(request.query_params.get("period"))
    summary = None if error else await service.payable(request.user.employer_id, period)
    late_fee = rules.late_fee(summary["total"] - summary["paid"], period, today()) if summary else 0
    return await page(request, "social_insurance/payable.html", {
        "page_title": "社保应付信息查询", "period": period, "period_text": text, "error": error, "summary": summary,
        "late_fee": late_fee,
        "period_label": rules.period_label(period), "columns": rules.AMOUNT_COLUMNS, "labels": rules.INSURANCE_LABELS,
        "breadcrumbs": crumbs(request, ("社保应付信息查询", "")),
    }, block="results")


@get("/payable/{period:int}/{insurance:str}", name="si_payable_detail")
async def payable_detail(request: Request, period: FromPath[int], insurance: FromPath[str]) -> Response:
    if insurance not in grids.FEE_GRIDS or not 199001 <= period <= 210012 or not 1 <= period % 100 <= 12:
        raise NotFoundException()
    title = f"{rules.period_label(period)}{rules.INSURANCE_LABELS[insurance]}应缴明细"
    return await grid_response(
        request, grids.FEE_GRIDS[insurance], grids.fee_scope(request.user, period, insurance),
        "social_insurance/payable_detail.html",
        {"page_title": title, "period": period, "breadcrumbs": crumbs(
            request, ("社保应付信息查询", request.app.route_reverse("si_payable") + f"?period={rules.period_input(period)}"),
            (title, ""))},
    )


def _benefit_kind(insurance: str) -> str:
    if insurance not in BENEFIT_KINDS:
        raise NotFoundException()
    return BENEFIT_KINDS[insurance]


async def _benefits(request: Request, insurance: str) -> Response:
    """SI-3 养老 / 生育 / 工伤 支付明细 by 结算期: a total per person, drilling down to the detail rows."""
    title = _benefit_kind(insurance)
    period, text, error = period_param(request.query_params.get("period"))
    rows = [] if error else await service.benefit_totals(request.user.employer_id, insurance, period)
    return await page(request, "social_insurance/benefits.html", {
        "page_title": title, "insurance": insurance, "period": period, "period_text": text, "error": error,
        "rows": rows, "grand_total": sum(r["total"] for r in rows), "period_label": rules.period_label(period),
        "breadcrumbs": crumbs(request, (title, "")),
    }, block="results")


@get("/benefits/pension", name="si_benefits_pension")
async def benefits_pension(request: Request) -> Response:
    return await _benefits(request, "pension")


@get("/benefits/maternity", name="si_benefits_maternity")
async def benefits_maternity(request: Request) -> Response:
    return await _benefits(request, "maternity")


@get("/benefits/injury", name="si_benefits_injury")
async def benefits_injury(request: Request) -> Response:
    return await _benefits(request, "injury")


@get("/benefits/{insurance:str}/{period:int}/{person_id:int}", name="si_benefit_detail")
async def benefit_detail(request: Request, insurance: FromPath[str], period: FromPath[int],
                         person_id: FromPath[int]) -> Response:
    title = _benefit_kind(insurance)
    item = (request.query_params.get("item") or "").strip()[:40]
    rows = await service.benefit_details(request.user.employer_id, insurance, period, person_id, item)
    back = request.app.route_reverse(f"si_benefits_{insurance}") + f"?period={rules.period_input(period)}"
    return await page(request, "social_insurance/benefit_detail.html", {
        "page_title": f"{title} · 明细", "insurance": insurance, "period": period, "person_id": person_id,
        "item": item, "rows": rows, "period_label": rules.period_label(period), "back": back, "title": title,
        "breadcrumbs": crumbs(request, (title, back), ("明细", "")),
    }, block="detail")


@get("/pension-accounts", name="si_pension_accounts")
async def pension_accounts(request: Request) -> Response:
    """SI-4 个人养老账户: by ID number, name and year, for the employer's own insured staff only (404 otherwise)."""
    params = request.query_params
    id_number = validators.normalise(params.get("id_number") or "")
    name = (params.get("name") or "").strip()[:40]
    year_text = (params.get("year") or "").strip()
    errors: dict[str, str] = {}
    year = None
    if year_text:
        if year_text.isdigit() and 1990 <= int(year_text) <= 2100:
            year = int(year_text)
        else:
            errors["year"] = "年度应为四位数字，如 2025"
    if id_number and (problem := validators.id_number_error(id_number)):
        errors["id_number"] = problem
    asked = bool(id_number or name)
    rows: list[dict] = []
    if asked and not errors:
        persons = await service.insured_persons(request.user.employer_id, id_number=id_number, name=name)
        if id_number and not persons:
            raise NotFoundException()  # never insured here: the same answer as a person who does not exist
        rows = await service.pension_accounts([p["id"] for p in persons], year)
    return await page(request, "social_insurance/pension_accounts.html", {
        "page_title": "个人养老账户查询", "values": {"id_number": params.get("id_number") or "", "name": name,
                                                "year": year_text},
        "errors": errors, "asked": asked, "rows": rows, "breadcrumbs": crumbs(request, ("个人养老账户查询", "")),
    }, block="results")


@get("/overview", name="si_employer_overview")
async def employer_overview(request: Request) -> Response:
    """SI-6 单位综合查询: 基本信息, 参保信息, 缴费信息; 员工花名册 is SI-1."""
    employer = await service.employer_or_404(request.user.employer_id)
    return await page(request, "social_insurance/overview.html", {
        "page_title": "单位综合查询", "employer": employer, **await service.employer_overview(employer["id"]),
        "labels": rules.INSURANCE_LABELS, "statuses": rules.STATUS_LABELS,
        "roster_url": request.app.route_reverse("si_roster"), "breadcrumbs": crumbs(request, ("单位综合查询", "")),
    })


ROUTES = [home, roster, payable, payable_detail, benefits_pension, benefits_maternity, benefits_injury,
          benefit_detail, pension_accounts, employer_overview]
