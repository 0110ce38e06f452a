"""年度结算 of the pension personal accounts: the interest rule exact to the 分 against hand-computed cases, the
set-based run (上年结转, 当年记账 from paid personal pension contributions, 缴费月数), idempotence, refusals, the
staff page (si.settle) and the person's 养老账户 page."""

from __future__ import annotations

from datetime import date

import pytest
from litestar.exceptions import PermissionDeniedException

from domains.social_insurance import rules, service
from domains.social_insurance.rules import Refused
from domains.social_insurance.tables import SiContribution, SiPensionAccount, SiPeriod, SiYearEnd
from portal.core.tables import AuditLog
from tests.social_insurance.support import assessor
from tests.support.factories import make_employer, make_person
from tests.support.urls import url_for

TODAY = date(2026, 12, 5)
SETTLE = (service.SETTLE_PERMISSION,)


@pytest.mark.parametrize(
    ("carried", "credited", "rate", "interest"),
    [
        # 10,000.00 × 2.62% = 262.00; 4,800.00 × 2.62% × 1.083 / 2 = 68.09904; 330.09904 元 → 330.10
        (1_000_000, 480_000, 2620, 33010),
        # 4,000.00 × 2.62% × 1.083 / 2 = 56.74920 元 → 56.75
        (0, 400_000, 2620, 5675),
        (200_000, 0, 2620, 5240),  # 2,000.00 × 2.62% = 52.40
        (50, 0, 1000, 1),  # 0.50 分 rounds half up
        (49, 0, 1000, 0),  # 0.49 分 rounds down
        # 2016 at 8.31%: 35,000.00 × 8.31% = 2,908.50; 7,200.00 × 8.31% × 0.5415 = 323.99028 → 3,232.49
        (3_500_000, 720_000, 8310, 323249),
    ],
)
def test_interest_by_the_national_rule(carried, credited, rate, interest):
    assert rules.pension_interest(carried, credited, rate) == interest
    year = rules.pension_year(carried, credited, rate, 12)
    assert year["balance"] == carried + credited + interest


@pytest.mark.parametrize(
    ("year", "assessed", "kw", "fragment"),
    [
        (2026, set(range(202601, 202613)), {}, "2026年尚未结束"),
        (2025, set(range(202501, 202513)) - {202507}, {}, "2025年7月共1个结算期尚未核定"),
        (2025, set(), {}, "1月、2月、3月、4月、5月、6月等共12个结算期尚未核定"),
        (2025, set(range(202501, 202513)), {"next_settled": True}, "2026年已结算，不能再重新结算2025年"),
        (2025, set(range(202501, 202513)), {"province": False}, "需要全省范围的经办权限"),
        (2025, set(range(202501, 202513)), {"rate_known": False}, "没有2025年的养老个人账户记账利率"),
        (2025, set(range(202501, 202513)), {}, None),
    ],
)
def test_year_end_refusals(year, assessed, kw, fragment):
    args = {"next_settled": False, "province": True, "rate_known": True, **kw}
    refusal = rules.year_end_refusal(year, TODAY, assessed, **args)
    assert (refusal is None) if fragment is None else (fragment in refusal[0])


@pytest.mark.parametrize(
    ("codes", "province"),
    [(("460000",), True), (("46",), True), (("460100",), False), (("460105", "460000"), True), ((), False)],
)
def test_province_scope(codes, province):
    assert rules.is_province_scope(codes) is province


async def _year_assessed(year: int) -> None:
    for month in range(1, 13):
        await SiPeriod.insert(SiPeriod(period=year * 100 + month, state="closed"))


async def _contribution(employer, person, period: int, personal: int, paid: bool = True) -> None:
    await SiContribution.insert(
        SiContribution(
            period=period,
            employer=employer["id"],
            person=person["id"],
            base=personal * 100 // 8,
            pension_personal=personal,
            total=personal,
            paid_state="paid" if paid else "due",
            paid_on=date(period // 100, period % 100, 15) if paid else None,
        )
    )


async def world() -> dict:
    """Four persons with 2025 hand-computable: 2025's 记账利率 is 2.62% (seed limits)."""
    a, b = await make_employer(division_code="460105"), await make_employer(division_code="460202")
    full, partial, idle, two = [await make_person(name=n) for n in ("全年", "十个月", "停缴", "两单位")]
    await _year_assessed(2025)
    await SiPensionAccount.insert(
        SiPensionAccount(
            person=full["id"], year=2024, carried=0, credited=0, interest=0, balance=1_000_000, months=12
        ),
        SiPensionAccount(
            person=idle["id"], year=2024, carried=0, credited=0, interest=0, balance=200_000, months=12
        ),
    )
    for month in range(1, 13):
        await _contribution(a, full, 202500 + month, 40_000)  # 5,000.00 × 8%
        await _contribution(a, partial, 202500 + month, 40_000, paid=month <= 10)  # Nov, Dec in arrears
    await _contribution(a, two, 202503, 30_000)  # two employers in March: one month, both credited
    await _contribution(b, two, 202503, 10_000)
    await _contribution(b, two, 202504, 0)  # no personal pension that month (e.g. 工伤 only): not a month
    await _contribution(a, full, 202601, 40_000)  # another year: not counted
    return {"full": full, "partial": partial, "idle": idle, "two": two}


def _account(row: dict) -> tuple:
    return row["carried"], row["credited"], row["interest"], row["balance"], row["months"]


async def test_settle_year_exact_to_the_fen_and_idempotent():
    w = await world()
    principal = assessor(permissions=SETTLE)
    result = await service.settle_year(principal, 2025, today=TODAY)
    rows = {r["person"]: r for r in await SiPensionAccount.select().where(SiPensionAccount.year == 2025)}
    assert _account(rows[w["full"]["id"]]) == (1_000_000, 480_000, 33010, 1_513_010, 12)
    assert _account(rows[w["partial"]["id"]]) == (0, 400_000, 5675, 405_675, 10)
    assert _account(rows[w["idle"]["id"]]) == (200_000, 0, 5240, 205_240, 0)
    # 400.00 × 2.62% × 1.083 / 2 = 5.67492 元 → 5.67
    assert _account(rows[w["two"]["id"]]) == (0, 40_000, 567, 40_567, 1)
    assert len(rows) == 4
    assert (result["persons"], result["credited"], result["interest"], result["interest_rate"]) == (
        4,
        920_000,
        33010 + 5675 + 5240 + 567,
        2620,
    )
    assert result["balance"] == 1_513_010 + 405_675 + 205_240 + 40_567

    before = sorted((r["person"], *_account(r)) for r in await SiPensionAccount.select())
    await service.settle_year(principal, 2025, today=TODAY)
    after = sorted((r["person"], *_account(r)) for r in await SiPensionAccount.select())
    assert after == before
    assert await SiYearEnd.count() == 1
    assert await AuditLog.count().where(AuditLog.action == "settle_year") == 2

    # the arrears arrive: a re-run credits them (2026 not yet settled)
    await SiContribution.update(
        {SiContribution.paid_state: "paid", SiContribution.paid_on: date(2026, 1, 10)}
    ).where(SiContribution.person == w["partial"]["id"])
    await service.settle_year(principal, 2025, today=TODAY)
    row = (
        await SiPensionAccount.select()
        .where((SiPensionAccount.person == w["partial"]["id"]) & (SiPensionAccount.year == 2025))
        .first()
    )
    assert _account(row) == (0, 480_000, 6810, 486_810, 12)  # 4,800.00 × 2.62% × 0.5415 = 68.09904 → 68.10


async def test_settle_year_refusals():
    await world()
    principal = assessor(permissions=SETTLE)
    with pytest.raises(Refused, match="2026年尚未结束"):
        await service.settle_year(principal, 2026, today=TODAY)
    with pytest.raises(Refused, match="需要全省范围"):
        await service.settle_year(assessor(division="460100", permissions=SETTLE), 2025, today=TODAY)
    with pytest.raises(PermissionDeniedException):
        await service.settle_year(assessor(), 2025, today=TODAY)  # si.assess alone is not enough
    await SiPeriod.delete().where(SiPeriod.period == 202507)
    with pytest.raises(Refused, match="2025年7月共1个结算期尚未核定"):
        await service.settle_year(principal, 2025, today=TODAY)
    await SiPeriod.insert(SiPeriod(period=202507, state="open"))  # assessed, not yet closed: enough
    await service.settle_year(principal, 2025, today=TODAY)
    await SiYearEnd.insert(SiYearEnd(year=2026, interest_rate=2620, run_at=TODAY))
    with pytest.raises(Refused, match="2026年已结算"):
        await service.settle_year(principal, 2025, today=TODAY)
    assert await SiPensionAccount.count().where(SiPensionAccount.year == 2025) == 4


async def test_year_end_page(app, client):
    w = await world()
    await client.sign_in_staff("jiesuan", permissions=list(SETTLE))
    page = await client.page(url_for("si_year_end"))
    assert page.select_one("#f-year")["value"].isdigit()
    assert "尚未进行年度结算" in page.select_one("[data-testid=year-end-runs]").get_text()
    bad = await client.post_form(url_for("si_year_end_run"), {"year": "二〇二五"})
    assert "年度应为四位数字年份" in bad.text and 'value="二〇二五"' in bad.text
    future = await client.post_form(url_for("si_year_end_run"), {"year": "2099"})
    assert "2099年尚未结束" in future.text
    done = await client.post_form(url_for("si_year_end_run"), {"year": "2025"}, htmx=True)
    assert 'id="year-end-panel"' in done.text and "<html" not in done.text
    assert "2025年度结算完成：4 个个人账户" in done.text and "利息 444.92 元" in done.text
    runs = (await client.page(url_for("si_year_end"))).select_one("[data-testid=year-end-runs]").get_text()
    assert "2.62%" in runs and "21,644.92" in runs

    await client.sign_in_person(w["full"])
    mine = (await client.page(url_for("si_my_pension"))).select_one("[data-testid=my-pension]")
    first = [td.get_text(strip=True) for td in mine.select("tbody tr")[0].select("td")]
    assert first == ["2025", "10,000.00", "4,800.00", "330.10", "15,130.10", "12", "2.62%", "年度结算"]
    second = [td.get_text(strip=True) for td in mine.select("tbody tr")[1].select("td")]
    assert second[0] == "2024" and second[-1] == "历史记录"


async def test_year_end_page_needs_its_permission(app, client):
    await client.sign_in_staff(
        "hedingyuan3", permissions=[service.ASSESS_PERMISSION, service.QUERY_PERMISSION]
    )
    assert (await client.get(url_for("si_year_end"))).status_code == 403
    assert (await client.post_form(url_for("si_year_end_run"), {"year": "2025"})).status_code == 403
    employer = await make_employer()
    await client.sign_in_employer(employer)
    assert (await client.get(url_for("si_year_end"))).status_code in (401, 403)
    person = await make_person()
    await client.sign_in_person(person)
    assert (await client.get(url_for("si_year_end"))).status_code in (401, 403)
    assert await SiYearEnd.count() == 0
