"""Staff page of rates and limits (si.reference): list them, add a new year's 缴费基数上下限 or a new rate.

Rules live in rules.limit_errors / rules.rate_errors (run as form checks so one answer lists every problem, and
again in the service inside the write); 月度核定 reads what is entered here."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post

from domains.social_insurance import rules, service
from domains.social_insurance.pages import page, this_period
from portal.areas import crumbs
from portal.auth.principal import staff_guard
from portal.core import dictionary
from portal.forms import ChoiceField, Field, FieldError, Form, IntField, MoneyField, MonthField, TextField
from portal.web import client_ip, redirect

GUARD = [staff_guard(service.REFERENCE_PERMISSION)]
PROVINCE, PROVINCE_DIRECT = "460000", "469000"  # 海南省; 省直辖县级行政单位 (a grouping, not a city)
RISK_CHOICES = [(str(n), f"{n}类") for n in range(1, 9)]


class RateField(Field):
    async def clean(self, raw: str) -> Any:
        units, reason = rules.rate_or_reason(raw, self.label)
        if reason:
            raise FieldError(reason)
        return units


async def division_choices() -> list[tuple[str, str]]:
    """Cities and counties that may have 上下限 of their own: 海口市, 海口市秀英区, …, 五指山市 (省直辖)."""
    found: list[tuple[str, str]] = []
    for city in await dictionary.children("division", PROVINCE):
        if city.code != PROVINCE_DIRECT:
            found.append((city.code, city.label))
        prefix = "" if city.code == PROVINCE_DIRECT else city.label
        found += [(c.code, prefix + c.label) for c in await dictionary.children("division", city.code)
                  if len(c.code) == 6]
    return found


def limit_form(data: Any = None, existing: set[tuple[str, int]] | None = None,
               divisions: list[tuple[str, str]] | None = None) -> Form:
    return Form(fields=[
        ChoiceField("division_code", "适用地区", choices=divisions or [], required=False),
        IntField("year", "年度", min_value=1990, max_value=2100),
        MoneyField("base_floor", "缴费基数下限（元）"),
        MoneyField("base_ceiling", "缴费基数上限（元）"),
        RateField("interest_rate", "养老个人账户记账利率（%）", required=False),
        TextField("limit_source", "依据（文件名称和文号）", max_len=300),
    ], data=data or {}, checks=[lambda v: rules.limit_errors({**v, "division_code": v.get("division_code") or ""},
                                                             existing or set())])


def rate_form(data: Any = None, existing: set | None = None) -> Form:
    return Form(fields=[
        ChoiceField("insurance", "险种", choices=list(rules.INSURANCE_LABELS.items())),
        ChoiceField("risk_class", "行业风险类别（仅工伤保险）", choices=RISK_CHOICES, required=False),
        MonthField("effective_from", "起始结算期"),
        RateField("employer_rate", "单位费率（%）"),
        RateField("personal_rate", "个人费率（%）", required=False),
        TextField("rate_source", "依据（文件名称和文号）", max_len=300),
    ], data=data or {}, checks=[lambda v: rules.rate_errors(
        {**v, "risk_class": int(v["risk_class"]) if v.get("risk_class") else 0}, existing or set())])


async def _page(request: Request, *, limit: Form | None = None, rate: Form | None = None,
                status_code: int = 200) -> Response:
    rows = await service.reference_rows()
    now = this_period()
    in_force = rules.pick_effective([r for r in rows["limits"] if not r["division_code"]], now)
    divisions = await division_choices()
    return await page(request, "social_insurance/reference.html", {
        "page_title": "费率与基数", "limits": rows["limits"], "rates": rows["rates"], "in_force": in_force,
        "sample": service.SAMPLE_MARK, "labels": rules.INSURANCE_LABELS, "rate_text": rules.rate_text,
        "limit_form": limit or limit_form({"year": str(now // 100 + 1)}, divisions=divisions),
        "division_choices": divisions, "division_labels": dict(divisions),
        "rate_form": rate or rate_form({"effective_from": rules.period_input(rules.add_months(now, 1))}),
        "risk_choices": RISK_CHOICES, "insurance_choices": list(rules.INSURANCE_LABELS.items()),
        "saved": {"limit": "缴费基数上下限已保存。", "rate": "费率已保存。"}.get(request.query_params.get("saved", ""), ""),
        "breadcrumbs": crumbs(request, ("费率与基数", "")),
    }, status_code=status_code)


@get("/reference", name="si_reference", guards=GUARD)
async def reference(request: Request) -> Response:
    return await _page(request)


@post("/reference/limits", name="si_reference_limit_add", guards=GUARD)
async def limit_add(request: Request) -> Response:
    existing = {(r["division_code"], r["effective_from"] // 100) for r in (await service.reference_rows())["limits"]}
    form = limit_form(await request.form(), existing, await division_choices())
    if await form.validate():
        with form.refusals():
            await service.add_limit(request.user, {**form.cleaned, "source": form.cleaned["limit_source"]},
                                    ip=client_ip(request))
            return redirect(request, request.app.route_reverse("si_reference") + "?saved=limit")
    return await _page(request, limit=form, status_code=400)


@post("/reference/rates", name="si_reference_rate_add", guards=GUARD)
async def rate_add(request: Request) -> Response:
    existing = {(r["insurance"], r["risk_class"], r["effective_from"]) for r in (await service.reference_rows())["rates"]}
    form = rate_form(await request.form(), existing)
    if await form.validate():
        form.cleaned["risk_class"] = int(form.cleaned["risk_class"]) if form.cleaned.get("risk_class") else 0
        with form.refusals():
            await service.add_rate(request.user, {**form.cleaned, "source": form.cleaned["rate_source"]},
                                   ip=client_ip(request))
            return redirect(request, request.app.route_reverse("si_reference") + "?saved=rate")
    return await _page(request, rate=form, status_code=400)


ROUTES = [reference, limit_add, rate_add]
