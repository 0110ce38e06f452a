"""Person pages (SI-7): 我的参保信息, 缴费记录, 养老账户 and the 参保证明 PDF. Every query by principal.person_id."""

from __future__ import annotations

from litestar import Request, Response, get, post

from domains.person import service as persons
from domains.social_insurance import rules, service
from domains.social_insurance.pages import page, this_period
from portal.areas import crumbs
from portal.dataservices.certificates import Fact, issue_certificate, public_base
from portal.dataservices.charts import Chart, Series
from portal.web import redirect

CERTIFICATE_KIND = "si_proof"


@get("/", name="si_my")
async def my_insurance(request: Request) -> Response:
    rows = await service.my_enrolments(request.user.person_id)
    return await page(request, "social_insurance/my.html", {
        "page_title": "我的参保信息", "rows": rows, "labels": rules.INSURANCE_LABELS, "statuses": rules.STATUS_LABELS,
        "breadcrumbs": crumbs(request),
    })


@get("/contributions", name="si_my_contributions")
async def my_contributions(request: Request) -> Response:
    """缴费记录: a year at a glance, month by month (the table is the accessible form)."""
    years = await service.my_contribution_years(request.user.person_id)
    raw = request.query_params.get("year") or ""
    year = int(raw) if raw.isdigit() and int(raw) in years else (years[0] if years else this_period() // 100)
    rows = await service.my_contributions(request.user.person_id, year)
    for row in rows:
        row["personal"] = sum(row[c] for c, _, share in rules.AMOUNT_COLUMNS if share == "个人")
        row["employer_part"] = sum(row[c] for c, _, share in rules.AMOUNT_COLUMNS if share == "单位")
    return await page(request, "social_insurance/my_contributions.html", {
        "page_title": "缴费记录", "rows": rows, "year": year, "years": years,
        "chart": contributions_chart(year, rows),
        "personal_total": sum(r["personal"] for r in rows), "employer_total": sum(r["employer_part"] for r in rows),
        "breadcrumbs": crumbs(request, ("缴费记录", "")),
    })


def contributions_chart(year: int, rows: list[dict]) -> Chart:
    """Month by month, the personal and employer shares stacked (a month with two employers sums both)."""
    personal, employer = [0] * 12, [0] * 12
    for row in rows:
        personal[row["period"] % 100 - 1] += row["personal"]
        employer[row["period"] % 100 - 1] += row["employer_part"]
    return Chart(key="si-contributions", title=f"{year}年每月缴费", unit="元", money=True,
                 categories=[f"{m}月" for m in range(1, 13)],
                 series=[Series("个人缴费", personal, stack="paid"), Series("单位缴费", employer, stack="paid")])


@get("/pension", name="si_my_pension")
async def my_pension(request: Request) -> Response:
    rows = await service.my_pension_accounts(request.user.person_id)
    return await page(request, "social_insurance/my_pension.html", {
        "page_title": "我的养老账户", "rows": rows, "rate_text": rules.rate_text,
        "breadcrumbs": crumbs(request, ("我的养老账户", "")),
    })


@get("/certificate", name="si_my_certificate")
async def certificate_page(request: Request) -> Response:
    return await page(request, "social_insurance/my_certificate.html", {
        "page_title": "参保证明", "breadcrumbs": crumbs(request, ("参保证明", "")),
    })


async def issue_proof(person_id: int, base_url: str) -> dict:
    """参保证明: per insurance the first 结算期 and the months insured; verification code and QR code (the page's
    POST, and bench/social_insurance.py times it)."""
    person = await persons.get_person(person_id)
    enrolments = await service.my_enrolments(person["id"])
    now = this_period()
    facts = [Fact("姓名", person["name"], "name"), Fact("身份证号", person["id_number"], "id_number")]
    for insurance in rules.INSURANCES:
        months, first = service.insured_months(enrolments, insurance, now)
        active = any(e["insurance"] == insurance and e["status"] == "active" for e in enrolments)
        if first is None:
            text = "未参保"
        else:
            text = f"自{rules.period_label(first)}起累计参保{months}个月，{'现参保缴费' if active else '现未参保缴费'}"
        facts.append(Fact(rules.INSURANCE_LABELS[insurance], text))
    facts.append(Fact("统计截至", rules.period_label(now)))
    return await issue_certificate(
        kind=CERTIFICATE_KIND, title="社会保险参保证明", facts=facts, base_url=base_url,
        owner_person_id=person["id"], division_code=person["division_code"],
        paragraphs=["兹证明下列人员在本省参加社会保险情况如下（按险种统计参保月数，暂停缴费期间不计）。"],
    )


@post("/certificate", name="si_my_certificate_issue")
async def certificate_issue(request: Request) -> Response:
    cert = await issue_proof(request.user.person_id, public_base(request))
    return redirect(request, request.app.route_reverse("document_download", token=cert["document_token"]))


ROUTES = [my_insurance, my_contributions, my_pension, certificate_page, certificate_issue]
