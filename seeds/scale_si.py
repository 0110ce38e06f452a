"""Social-insurance scale data (part of `python -m seeds scale`): 参保登记 of the persons, N assessed 结算期,
per-employer summaries, pension accounts and some benefit payments — generated in the database, set-based.

Python draws one line per person (employer, 缴费基数, start, status) into a temporary table; everything else is
INSERT … SELECT over it: five 参保登记 per person, one contribution row per person per 结算期 (the five insurances
as columns, the amounts by the same integer formula as 月度核定), the summaries, and the pension accounts (the
year before the window as 上年结转, then the window's full year through 年度结算's own SQL).
"""

from __future__ import annotations

import random
from typing import Any

from domains.social_insurance import rules
from domains.social_insurance import service as si
from seeds.scale import NOW

# The window ends with the last full year before the seed's TODAY (2026-11-23), so 年度结算 2025 can run on it.
LAST_PERIOD = 202512
DEFAULT_PERIODS = 12
IDENTITIES = (("11", 80), ("12", 12), ("13", 5), ("21", 3))


def window(periods: int) -> list[int]:
    return [rules.add_months(LAST_PERIOD, -k) for k in range(periods - 1, -1, -1)]


def _lines(seed: int, persons: list[int], employers: list[int], limits: rules.Limits, first: int):
    """One line per insured person: (person, employer, base, start_period, end_period, status, identity)."""
    rng = random.Random(f"{seed}:si")
    size_rng = random.Random(f"{seed}:si-sizes")
    # Heavy-tailed head counts, as the contract chains: most employers small, a few with tens of thousands.
    weights = [size_rng.paretovariate(1.2) for _ in employers]
    chosen = rng.choices(employers, weights=weights, k=len(persons))
    codes, identity_weights = zip(*IDENTITIES, strict=True)
    identities = rng.choices(codes, weights=identity_weights, k=len(persons))
    steps = (limits.base_ceiling - limits.base_floor) // 10_000  # bases in whole 100 元
    for person, employer, identity in zip(persons, chosen, identities, strict=True):
        if rng.random() < 0.08:
            continue  # not insured
        base = limits.base_floor + 10_000 * min(steps, int(rng.expovariate(1 / (steps * 0.25))))
        start = rules.add_months(
            201501, rng.randrange(rules.add_months(LAST_PERIOD, 0) // 100 * 12 - 2015 * 12 + 12)
        )
        r = rng.random()
        if r < 0.04:
            status, end = "suspended", rules.add_months(LAST_PERIOD, -rng.randrange(1, 24))
        elif r < 0.09:
            status, end = "terminated", rules.add_months(LAST_PERIOD, -rng.randrange(1, 24))
        else:
            status, end = "active", None
        if end is not None and end < start:
            start = end
        yield person, employer, base, start, end, status, identity


async def load_si(
    bulk: Any,
    seed: int,
    person_ids: tuple[int, int],
    employer_ids: tuple[int, int],
    *,
    periods: int = DEFAULT_PERIODS,
    say=print,
) -> dict[str, Any]:
    """Insure the persons with ids in `person_ids` (inclusive) at the employers in `employer_ids`; skipped when
    the first of them is already insured (the data for this seed is there)."""
    import time

    from domains.social_insurance.tables import (
        SiBenefit,
        SiContribution,
        SiEmployerPeriod,
        SiEnrolment,
        SiPensionAccount,
    )

    stats: dict[str, Any] = {"si_periods": periods}
    lo, hi = person_ids
    if await bulk.scalar(f"SELECT COUNT(*) FROM si_enrolment WHERE person = {int(lo)}"):
        say("scale: social insurance for this seed is already loaded")
        return {**stats, "si_skipped": True}
    t = time.perf_counter()
    months = window(periods)
    first, last = months[0], months[-1]
    limits = rules.Limits(
        **{k: v for k, v in (await _limit_row(bulk, last)).items() if k.startswith("base_")}
    )
    employers = [
        int(r)
        for r in await _column(
            bulk,
            f"SELECT id FROM employer WHERE id BETWEEN {int(employer_ids[0])}"
            f" AND {int(employer_ids[1])} AND filing_approved ORDER BY id",
        )
    ]
    persons = list(range(lo, hi + 1))
    tables = (SiEnrolment, SiContribution, SiEmployerPeriod, SiBenefit, SiPensionAccount)
    # Unique indexes and PostgreSQL's foreign keys too: their per-row checks were most of the PostgreSQL load
    # (bench/README.md, SI section); restore_indexes() checks every row once at the end.
    await bulk.defer_indexes(tables, constraints=True)
    await bulk.execute(
        "CREATE TEMP TABLE si_seed (person INTEGER PRIMARY KEY, employer INTEGER, base INTEGER,"
        " start_period INTEGER, end_period INTEGER, status VARCHAR(12), identity VARCHAR(10),"
        " risk INTEGER)"
    )
    columns = ("person", "employer", "base", "start_period", "end_period", "status", "identity")
    await bulk.insert("si_seed", columns, list(_lines(seed, persons, employers, limits, first)))
    await bulk.execute(
        f"UPDATE si_seed SET risk = (SELECT {si.risk_sql()} FROM employer"
        " WHERE employer.id = si_seed.employer)"
    )
    await bulk.execute("CREATE INDEX si_seed_employer ON si_seed (employer, person)")
    stats["si_lines_s"] = round(time.perf_counter() - t, 2)

    t = time.perf_counter()
    now = f"'{NOW.isoformat(sep=' ')}'"
    insurances = " UNION ALL ".join(f"SELECT '{i}' AS insurance" for i in rules.INSURANCES)
    await bulk.execute(
        "INSERT INTO si_enrolment (person, employer, insurance, status, identity, base, start_period, end_period,"
        f" created_at, updated_at) SELECT s.person, s.employer, i.insurance, s.status, s.identity, s.base,"
        f" s.start_period, s.end_period, {now}, {now} FROM si_seed s CROSS JOIN ({insurances}) i"
        " ORDER BY s.person, i.insurance"
    )
    stats["si_enrolments"] = await bulk.scalar("SELECT COUNT(*) FROM si_enrolment")
    stats["si_enrolments_s"] = round(time.perf_counter() - t, 2)

    t = time.perf_counter()
    for period in months:
        await bulk.execute(await _contributions_sql(bulk, period, last))
    stats["si_contributions"] = await bulk.scalar(
        f"SELECT COUNT(*) FROM si_contribution WHERE period >= {first}"
    )
    stats["si_contributions_s"] = round(time.perf_counter() - t, 2)

    t = time.perf_counter()
    e0, e1 = int(employer_ids[0]), int(employer_ids[1])
    await bulk.execute(
        si.summary_sql(f"c.period BETWEEN {first} AND {last} AND c.employer BETWEEN {e0} AND {e1}")
    )
    for period in months:
        state = "open" if period == last else "closed"
        await bulk.execute(f"DELETE FROM si_period WHERE period = {period}")  # another seed's load: recounted
        await bulk.execute(
            "INSERT INTO si_period (period, state, assessed_at, assessed_by, row_count, closed_at) SELECT"
            f" {period}, '{state}', {now}, 'seeds.scale', COUNT(*), {now if state == 'closed' else 'NULL'}"
            f" FROM si_contribution WHERE period = {period}"
        )
    stats["si_summaries_s"] = round(time.perf_counter() - t, 2)

    t = time.perf_counter()
    await _benefits(bulk, months, now)
    await _pension_accounts(bulk, first, last)
    stats["si_benefits"] = await bulk.scalar("SELECT COUNT(*) FROM si_benefit")
    stats["si_pension_accounts"] = await bulk.scalar("SELECT COUNT(*) FROM si_pension_account")
    stats["si_accounts_s"] = round(time.perf_counter() - t, 2)
    await bulk.execute("DROP TABLE si_seed")
    t = time.perf_counter()
    await bulk.restore_indexes()
    stats["si_indexes_s"] = round(time.perf_counter() - t, 2)
    say(
        f"scale: {stats['si_enrolments']} 参保登记, {stats['si_contributions']} contribution rows in {periods} 结算期"
    )
    return stats


async def _column(bulk: Any, sql: str) -> list:
    if bulk.sqlite:
        return [r[0] for r in bulk.conn.execute(sql).fetchall()]
    return [r[0] for r in await bulk.conn.fetch(sql)]


async def _rows(bulk: Any, sql: str) -> list[dict]:
    if bulk.sqlite:
        cur = bulk.conn.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    return [dict(r) for r in await bulk.conn.fetch(sql)]


async def _limit_row(bulk: Any, period: int) -> dict:
    """The province's limits in force for the 结算期 (read on the loader's own connection)."""
    rows = await _rows(bulk, "SELECT * FROM si_limit WHERE division_code = ''")
    row = rules.pick_effective(rows, period)
    if row is None:
        raise RuntimeError(f"no 缴费基数上下限 for {period}: load the reference data first")
    return row


async def _contributions_sql(bulk: Any, period: int, last: int) -> str:
    """One 结算期's rows for every line insured that month, by 核定's formula (service.contribution_columns).
    Paid on the 15th of the next month, except the last 结算期 for one employer in ten and the last three for
    one employer in fifty (arrears)."""
    rates = rules.effective_rates(await _rows(bulk, "SELECT * FROM si_rate"), period)
    limits = rules.Limits(
        **{k: v for k, v in (await _limit_row(bulk, period)).items() if k.startswith("base_")}
    )
    base = (
        f"(CASE WHEN s.base < {limits.base_floor} THEN {limits.base_floor} WHEN s.base > {limits.base_ceiling}"
        f" THEN {limits.base_ceiling} ELSE s.base END)"
    )
    amounts = si.contribution_columns(rates, base, "s.risk")
    names = ", ".join(amounts)
    exprs = ", ".join(f"{sql} AS {name}" for name, sql in amounts.items())
    hashed = "((s.employer * 2654435761) % 100)"
    due = (
        f"({period} = {last} AND {hashed} < 10) OR ({period} > {rules.add_months(last, -3)} AND {hashed} < 2)"
    )
    paid_on = rules.payment_deadline(rules.add_months(period, 1)).replace(day=15).isoformat()
    paid_on = (
        f"'{paid_on}'" if bulk.sqlite else f"DATE '{paid_on}'"
    )  # a CASE of bare literals is text on PostgreSQL
    return (
        f"INSERT INTO si_contribution (period, employer, person, base, {names}, total, paid_state, paid_on)"
        f" SELECT {period}, x.employer, x.person, x.base, {', '.join('x.' + n for n in amounts)},"
        f" {' + '.join('x.' + n for n in amounts)}, CASE WHEN x.due THEN 'due' ELSE 'paid' END,"
        f" CASE WHEN x.due THEN NULL ELSE {paid_on} END FROM ("
        f"SELECT s.employer, s.person, {base} AS base, {exprs}, ({due}) AS due FROM si_seed s"
        f" WHERE s.start_period <= {period} AND (s.end_period IS NULL OR s.end_period >= {period})"
        f" ORDER BY s.employer, s.person) x"
    )


async def _benefits(bulk: Any, months: list[int], now: str) -> None:
    """待遇支付 under the employers: a monthly 基本养老金 for one line in 300, a 生育津贴 once for one in 500, a
    工伤 一次性伤残补助金 once for one in 700."""
    for i, period in enumerate(months):
        day = f"'{rules.payment_deadline(period).replace(day=20).isoformat()}'"
        parts = [("pension", "基本养老金", "s.person % 300 = 7", "(s.base * 6 / 10)")]
        parts.append(
            ("maternity", "生育津贴", f"s.person % 500 = 11 AND s.person % {len(months)} = {i}", "s.base * 4")
        )
        parts.append(
            (
                "injury",
                "一次性伤残补助金",
                f"s.person % 700 = 13 AND s.person % {len(months)} = {i}",
                "s.base * 7",
            )
        )
        for insurance, item, where, amount in parts:
            await bulk.execute(
                "INSERT INTO si_benefit (period, employer, person, insurance, item, amount, paid_on)"
                f" SELECT {period}, s.employer, s.person, '{insurance}', '{item}', {amount}, {day} FROM si_seed s"
                f" WHERE {where} AND s.start_period <= {period}"
            )


async def _pension_accounts(bulk: Any, first: int, last: int) -> None:
    """The year before the window's first full year as 上年结转 (a balance of the months insured until then at
    8 % of the base), then every full year of the window through 年度结算's statements."""
    years = [y for y in range(first // 100, last // 100 + 1) if y * 100 + 1 >= first and y * 100 + 12 <= last]
    if not years:
        return
    before = years[0] - 1
    months = f"(({before} - s.start_period / 100) * 12 + 13 - s.start_period % 100)"
    await bulk.execute(
        "INSERT INTO si_pension_account (person, year, carried, credited, interest, balance, months)"
        f" SELECT s.person, {before}, 0, {months} * (s.base * 8 / 100), 0, {months} * (s.base * 8 / 100),"
        f" {months} FROM si_seed s WHERE s.start_period <= {before * 100 + 12} ORDER BY s.person"
    )
    for year in years:
        rate = (await _limit_row(bulk, year * 100 + 12))["interest_rate"]
        for sql in si.year_end_statements(year, rate):
            await bulk.execute(sql)
        await bulk.execute(f"DELETE FROM si_year_end WHERE year = {year}")
        await bulk.execute(
            "INSERT INTO si_year_end (year, interest_rate, persons, carried, credited, interest, balance, run_at,"
            f" run_by) SELECT {year}, {int(rate)}, t.persons, t.carried, t.credited, t.interest, t.balance,"
            f" '{NOW.isoformat(sep=' ')}', 'seeds.scale' FROM ({si.year_end_totals_sql(year)}) t"
        )
