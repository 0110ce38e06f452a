"""Staff pages of social-insurance records: 月度核定 and 关账 (si.assess)."""

from __future__ import annotations

from litestar import Request, Response, get, post

from domains.social_insurance import rules, service
from domains.social_insurance.pages import page, period_param
from domains.social_insurance.rules import Refused
from portal.areas import crumbs
from portal.auth.principal import staff_guard
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


ROUTES = [assess_form, assess_run]
