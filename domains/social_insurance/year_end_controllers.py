"""Staff page of 年度结算 (si.settle): run the year-end of the pension personal accounts, see each year's result."""

from __future__ import annotations

from litestar import Request, Response, get, post

from domains.social_insurance import rules, service
from domains.social_insurance.pages import page, today
from domains.social_insurance.rules import Refused
from portal.areas import crumbs
from portal.auth.principal import staff_guard
from portal.web import client_ip

GUARD = [staff_guard(service.SETTLE_PERMISSION)]


def _year(raw: str | None) -> tuple[int | None, str, str]:
    """(年度, text to redisplay, Chinese error or ''); empty → last year."""
    text = (raw or "").strip().removesuffix("年")
    if not text:
        year = today().year - 1
        return year, str(year), ""
    if not text.isdigit() or not 1990 <= int(text) <= 2100:
        return None, raw or "", "年度应为四位数字年份，如 2025"
    return int(text), text, ""


async def _page(request: Request, year_text: str, *, error: str = "", result: dict | None = None) -> Response:
    return await page(
        request,
        "social_insurance/year_end.html",
        {
            "page_title": "养老账户年度结算",
            "year_text": year_text,
            "error": error,
            "result": result,
            "runs": await service.year_end_runs(),
            "rate_text": rules.rate_text,
            "breadcrumbs": crumbs(request, ("养老账户年度结算", "")),
        },
        block="year_end_panel",
    )


@get("/year-end", name="si_year_end", guards=GUARD)
async def year_end_form(request: Request) -> Response:
    _, text, _ = _year(request.query_params.get("year"))
    return await _page(request, text)


@post("/year-end", name="si_year_end_run", guards=GUARD)
async def year_end_run(request: Request) -> Response:
    """Settle a closed year for every account (province-wide); refusals are shown beside the form."""
    year, text, error = _year((await request.form()).get("year") or "-")
    if error or year is None:
        return await _page(request, text, error=error)
    try:
        result = await service.settle_year(request.user, year, ip=client_ip(request), today=today())
    except Refused as exc:
        return await _page(request, text, error=exc.message)
    return await _page(request, text, result=result)


ROUTES = [year_end_form, year_end_run]
