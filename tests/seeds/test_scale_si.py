"""The social-insurance part of `python -m seeds scale` (seeds/scale_si.py), on the suite's engine: its rows are
what 月度核定 and 年度结算 compute, the period count is a parameter, and it tops up a data set loaded without it."""

from __future__ import annotations

from datetime import date

from domains.social_insurance import service
from domains.social_insurance.tables import (
    SiBenefit,
    SiContribution,
    SiEmployerPeriod,
    SiEnrolment,
    SiPensionAccount,
    SiPeriod,
    SiYearEnd,
)
from portal.db import current_engine, fetch, is_sqlite
from seeds.scale import load_scale
from seeds.scale_si import LAST_PERIOD, window
from tests.social_insurance.support import assessor
from tests.support.db import schema_snapshot

SI_TABLES = ("si_enrolment", "si_contribution", "si_employer_period", "si_benefit", "si_pension_account",
             "si_period", "si_year_end")
PRINCIPAL = assessor(permissions=(service.ASSESS_PERMISSION, service.SETTLE_PERMISSION))


async def _rows(sql: str) -> list[tuple]:
    return [tuple(r.values()) for r in await fetch(sql)]


async def test_scale_si_rows_are_what_assessment_and_year_end_compute():
    stats = await load_scale(employers=40, persons=600, seed=31, quiet=True)
    insured = stats["si_enrolments"] // 5
    assert 450 < insured < 600 and stats["si_enrolments"] == await SiEnrolment.count()
    assert stats["si_contributions"] == await SiContribution.count() > 11 * 400
    periods = await SiPeriod.select().order_by(SiPeriod.period)
    assert [p["period"] for p in periods] == window(12) and periods[-1]["period"] == LAST_PERIOD == 202512
    assert [p["state"] for p in periods] == ["closed"] * 11 + ["open"]
    counts = [await SiContribution.count().where(SiContribution.period == p["period"]) for p in periods]
    assert [p["row_count"] for p in periods] == counts
    # The summaries are the sums of the rows.
    sums = await _rows(
        "SELECT period, employer, COUNT(*), SUM(total), SUM(CASE WHEN paid_state = 'paid' THEN total"
        " ELSE 0 END) FROM si_contribution GROUP BY period, employer ORDER BY period, employer"
    )
    assert sums == await _rows(
        "SELECT period, employer, headcount, total, paid FROM si_employer_period ORDER BY period, employer"
    )
    assert await SiContribution.exists().where(SiContribution.paid_state == "due")
    assert await SiBenefit.count() > 0 and await SiEmployerPeriod.count() > 0

    # 核定 of the open 结算期 writes exactly the rows the seed wrote.
    contribution = (
        "SELECT period, employer, person, base, pension_employer, pension_personal, medical_employer,"
        " medical_personal, injury_employer, unemployment_employer, unemployment_personal,"
        " maternity_employer, total, paid_state, paid_on FROM si_contribution WHERE period = 202512"
        " ORDER BY employer, person"
    )
    before = await _rows(contribution)
    await service.assess(PRINCIPAL, 202512)
    assert await _rows(contribution) == before

    # 2025 is the window's full year: its accounts came through 年度结算, so a re-run changes nothing.
    accounts = "SELECT person, year, carried, credited, interest, balance, months FROM si_pension_account ORDER BY person, year"
    seeded = await _rows(accounts)
    assert {r[1] for r in seeded} == {2024, 2025}
    assert (await SiYearEnd.select().first())["year"] == 2025
    await service.settle_year(PRINCIPAL, 2025, today=date(2026, 12, 5))
    assert await _rows(accounts) == seeded
    # everyone insured, less those who joined late in 2025 at an employer whose contributions are still due
    assert 0.9 * insured < await SiPensionAccount.count().where(SiPensionAccount.year == 2025) <= insured


async def test_period_count_is_a_parameter_and_tops_up_an_earlier_load():
    plain = await load_scale(employers=20, persons=200, seed=32, quiet=True, si_periods=0)
    assert "si_enrolments" not in plain and await SiEnrolment.count() == 0
    topped = await load_scale(employers=20, persons=200, seed=32, quiet=True, si_periods=3)
    assert topped["skipped"] is True and topped["si_periods"] == 3 and topped["si_enrolments"] > 0
    assert [p["period"] for p in await SiPeriod.select().order_by(SiPeriod.period)] == [
        202510,
        202511,
        202512,
    ]
    assert await SiYearEnd.count() == 0  # no full year in three 结算期
    again = await load_scale(employers=20, persons=200, seed=32, quiet=True, si_periods=3)
    assert again["si_skipped"] is True


async def test_the_load_ends_with_the_migrated_indexes_and_constraints():
    """The loader drops the SI tables' indexes, unique indexes and (PostgreSQL) foreign keys for the load: every
    one is back afterwards, as the migrations made it (and checked: not NOT VALID)."""
    migrated = await schema_snapshot(SI_TABLES)
    names = {r[1] for r in migrated}
    assert {"si_enrolment_one_active", "si_contribution_key", "si_contribution_due", "si_pension_account_key"} <= names
    if not is_sqlite(current_engine()):
        assert sum(r[0] == "constraint f" for r in migrated) == 8  # the SI tables' keys to employer and person
    stats = await load_scale(employers=20, persons=200, seed=33, quiet=True, si_periods=3)
    assert stats["si_contributions"] > 0
    assert await schema_snapshot(SI_TABLES) == migrated
