"""Use-cases of social-insurance records: 参保登记, 月度核定, 关账, and the scoped reads the pages need.

Every staff write checks its permission here (not only in the route) and is limited to the employers under the
staff member's division scopes; every applicant read is built from principal.employer_id / person_id.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from litestar.exceptions import NotFoundException, PermissionDeniedException
from piccolo.querystring import QueryString

from domains.employer import service as employer_service
from domains.social_insurance import rules
from domains.social_insurance.rules import Limits, Refused
from domains.social_insurance.tables import SiEnrolment, SiLimit, SiPeriod, SiRate, SiYearEnd
from portal import audit
from portal.auth.principal import Principal
from portal.db import bulk_insert, current_engine, is_sqlite, write_transaction

ASSESS_PERMISSION = "si.assess"
SETTLE_PERMISSION = "si.settle"
QUERY_PERMISSION = "si.query"
REFERENCE_PERMISSION = "si.reference"
PERMISSIONS = {ASSESS_PERMISSION: "社保月度核定与到账", QUERY_PERMISSION: "社保个人/单位综合查询",
               REFERENCE_PERMISSION: "社保费率与缴费基数上下限维护",
               SETTLE_PERMISSION: "养老保险个人账户年度结算"}
SAMPLE_MARK = "示例"  # a seed figure not yet replaced by the published one carries this in its source

AMOUNTS = tuple(c for c, _, _ in rules.AMOUNT_COLUMNS)


async def run(sql: str, *args) -> list[dict]:
    # Plain dicts on both engines (asyncpg's Records are read-only).
    return [dict(r) for r in await current_engine().run_querystring(QueryString(sql, *args))]


def staff_employer_clause(principal: Principal) -> QueryString:
    """`employer` rows under the staff member's division scopes, as SQL over the table named employer."""
    return employer_service.staff_scope_sql(principal)


def _require(principal: Principal, permission: str) -> None:
    if principal is None or not principal.is_staff or not principal.can(permission):
        raise PermissionDeniedException("没有办理该业务的权限")


# ---- reference data ---------------------------------------------------------------------------------------

async def limits_for(period: int, division: str = "") -> Limits:
    """The 缴费基数 floor/ceiling of a 结算期 for a division: its own, its city's, else the province's."""
    found = rules.division_limits(await SiLimit.select(), period, division)
    if found is None:
        raise Refused(f"{rules.period_label(period)}没有缴费基数上下限，请先维护参数", "period")
    return found


async def limits_by_division(period: int) -> dict[str, Limits]:
    """Division code → limits in force for the 结算期, for every division with figures of its own; '' is the
    province (required)."""
    rows = await SiLimit.select()
    found = {code: rules.division_limits(rows, period, code, fallback=False)
             for code in {r["division_code"] for r in rows}}
    found = {code: x for code, x in found.items() if x is not None}
    if "" not in found:
        raise Refused(f"{rules.period_label(period)}没有缴费基数上下限，请先维护参数", "period")
    return found


async def rates_for(period: int) -> dict[tuple[str, int], tuple[int, int]]:
    rates = rules.effective_rates(await SiRate.select(), period)
    missing = [rules.INSURANCE_LABELS[i] for i in rules.INSURANCES if i != "injury" and (i, 0) not in rates]
    if missing or not any(k[0] == "injury" for k in rates):
        raise Refused(f"{rules.period_label(period)}缺少费率：{'、'.join(missing) or '工伤保险'}", "period")
    return rates


async def reference_rows() -> dict[str, list[dict]]:
    """The admin page's lists: every limit row (newest first) and every rate row."""
    return {
        "limits": await SiLimit.select().order_by(SiLimit.division_code).order_by(SiLimit.effective_from,
                                                                                  ascending=False),
        "rates": await SiRate.select().order_by(SiRate.insurance).order_by(SiRate.risk_class)
        .order_by(SiRate.effective_from, ascending=False),
    }


async def add_limit(principal: Principal, cleaned: dict[str, Any], *, ip: str = "") -> None:
    """A new year's 缴费基数上下限 (and, for the province, 记账利率) of the province or of a city/county with its own
    figures, in force from January of that year; audited."""
    _require(principal, REFERENCE_PERMISSION)
    division = cleaned.get("division_code") or ""
    async with write_transaction():
        existing = {(r["division_code"], r["effective_from"] // 100)
                    for r in await SiLimit.select(SiLimit.division_code, SiLimit.effective_from)}
        errors = rules.limit_errors({**cleaned, "division_code": division}, existing)
        if errors:
            field, message = next(iter(errors.items()))
            raise Refused(message, field)
        row = {"division_code": division, "effective_from": cleaned["year"] * 100 + 1,
               "base_floor": cleaned["base_floor"], "base_ceiling": cleaned["base_ceiling"],
               "interest_rate": 0 if division else cleaned["interest_rate"], "source": cleaned["source"]}
        inserted = await SiLimit.insert(SiLimit(**row)).returning(SiLimit.id)
        await audit.record(category="social_insurance", action="limit.add", actor=principal, ip=ip,
                           object_type="si_limit", object_id=inserted[0]["id"], detail={"after": row})


async def add_rate(principal: Principal, cleaned: dict[str, Any], *, ip: str = "") -> None:
    """A new rate of one insurance (工伤: one risk class) from a 结算期 on; audited."""
    _require(principal, REFERENCE_PERMISSION)
    async with write_transaction():
        existing = {(r["insurance"], r["risk_class"], r["effective_from"]) for r in await SiRate.select(
            SiRate.insurance, SiRate.risk_class, SiRate.effective_from)}
        errors = rules.rate_errors(cleaned, existing)
        if errors:
            field, message = next(iter(errors.items()))
            raise Refused(message, field)
        row = {"insurance": cleaned["insurance"], "risk_class": cleaned["risk_class"] or 0,
               "effective_from": cleaned["effective_from"], "employer_rate": cleaned["employer_rate"],
               "personal_rate": cleaned["personal_rate"] or 0, "source": cleaned["source"]}
        inserted = await SiRate.insert(SiRate(**row)).returning(SiRate.id)
        await audit.record(category="social_insurance", action="rate.add", actor=principal, ip=ip,
                           object_type="si_rate", object_id=inserted[0]["id"], detail={"after": row})


async def _division_of(employer_id: int) -> str:
    rows = await run("SELECT division_code FROM employer WHERE id = {}", employer_id)
    return rows[0]["division_code"] if rows else ""


# ---- 参保登记 ---------------------------------------------------------------------------------------------

async def enrol(person_id: int, employer_id: int, insurance: str, *, base: int, start_period: int,
                identity: str = "11", status: str = "active") -> int:
    """Insert one 参保登记 inside the caller's transaction; the base must lie within its 结算期's limits.

    The partial unique index refuses a second record that is not 终止参保 for the same person and insurance."""
    refusal = rules.base_refusal(base, await limits_for(start_period, await _division_of(employer_id)))
    if refusal:
        raise Refused(refusal, "base")
    now = datetime.now(UTC)
    rows = await SiEnrolment.insert(SiEnrolment(
        person=person_id, employer=employer_id, insurance=insurance, status=status, identity=identity, base=base,
        start_period=start_period, created_at=now, updated_at=now,
    )).returning(SiEnrolment.id)
    return rows[0]["id"]


# ---- 月度核定 ---------------------------------------------------------------------------------------------

def _rates_cte(rates: dict[tuple[str, int], tuple[int, int]]) -> str:
    # Integers and the fixed insurance codes only (never user input), so literals are safe here.
    values = ", ".join(f"('{ins}', {int(risk)}, {int(er)}, {int(pr)})" for (ins, risk), (er, pr) in sorted(rates.items())
                       if ins in rules.INSURANCES)
    return f"rates (insurance, risk_class, employer_rate, personal_rate) AS (VALUES {values})"


def risk_sql() -> str:
    """工伤 行业风险类别 of the row of `employer` in the statement (rules.risk_class in SQL)."""
    cases = " ".join(f"WHEN '{code}' THEN {risk}" for code, risk in sorted(rules.INDUSTRY_RISK_CLASS.items()))
    return f"CASE substr(employer.industry, 1, 1) {cases} ELSE {rules.DEFAULT_RISK_CLASS} END"


def clamp_sql(base: str, floor: str, ceiling: str) -> str:
    # rules.clamp_base() in SQL; floor and ceiling are integer literals or columns, never user input.
    return f"(CASE WHEN {base} < {floor} THEN {floor} WHEN {base} > {ceiling} THEN {ceiling} ELSE {base} END)"


def due_sql(rate: str, base: str) -> str:
    """rules.due() in SQL: base × rate / 100000 rounded half up, in integers (BIGINT: base × rate exceeds 2^31)."""
    return f"((CAST({base} AS BIGINT) * {rate} + {rules.RATE_SCALE // 2}) / {rules.RATE_SCALE})"


def _pivot(base: str) -> str:
    parts = []
    for column, insurance, share in rules.AMOUNT_COLUMNS:
        rate = "r.employer_rate" if share == "单位" else "r.personal_rate"
        parts.append(f"MAX(CASE WHEN e.insurance = '{insurance}' THEN {due_sql(rate, base)} ELSE 0 END) AS {column}")
    return ",\n           ".join(parts)


def contribution_columns(rates: dict[tuple[str, int], tuple[int, int]], base: str, risk: str) -> dict[str, str]:
    """Column → SQL of one person insured for all five insurances (the scale seed's rows): the rates in force as
    literals, 工伤's by the risk class expression; the same rounding as 核定's pivot."""
    columns = {}
    for column, insurance, share in rules.AMOUNT_COLUMNS:
        pick = 0 if share == "单位" else 1
        if insurance == "injury":
            cases = " ".join(f"WHEN {int(k[1])} THEN {int(v[pick])}" for k, v in sorted(rates.items()) if k[0] == insurance)
            rate = f"(CASE {risk} {cases} ELSE 0 END)"
        else:
            rate = str(int(rates[(insurance, 0)][pick]))
        columns[column] = due_sql(rate, base)
    return columns


def _limits_cte(limits: dict[str, Limits]) -> str:
    values = ", ".join(f"('{code}', {int(x.base_floor)}, {int(x.base_ceiling)})" for code, x in sorted(limits.items()))
    return f"lim (division_code, base_floor, base_ceiling) AS (VALUES {values})"


def _limits_join(limits: dict[str, Limits]) -> tuple[str, str]:
    """(JOIN clauses, clamped base) of 核定: the employer's county's own limits, else its city's, else the
    province's (rules.division_limits in SQL)."""
    province = limits[""]
    if len(limits) == 1:
        return "", clamp_sql("e.base", str(province.base_floor), str(province.base_ceiling))
    joins = ("LEFT JOIN lim l1 ON l1.division_code = employer.division_code"
             " LEFT JOIN lim l2 ON l2.division_code = substr(employer.division_code, 1, 4) || '00'")
    floor = f"COALESCE(l1.base_floor, l2.base_floor, {int(province.base_floor)})"
    ceiling = f"COALESCE(l1.base_ceiling, l2.base_ceiling, {int(province.base_ceiling)})"
    return joins, clamp_sql("e.base", floor, ceiling)


async def period_state(period: int) -> str | None:
    row = await SiPeriod.select(SiPeriod.state).where(SiPeriod.period == period).first()
    return row["state"] if row else None


async def assess(principal: Principal, period: int, *, ip: str = "") -> dict:
    """月度核定: every active record of the employers in scope → that 结算期's contribution rows and summaries.

    Set-based (a handful of statements whatever the head count) and idempotent: a second run writes the same rows;
    rows already 已到账 are left as they are; persons no longer insured that month lose their unpaid row."""
    _require(principal, ASSESS_PERMISSION)
    scope = staff_employer_clause(principal)
    async with write_transaction():
        refusal = rules.assessment_refusal(await period_state(period))
        if refusal:
            raise Refused(refusal, "period")
        rates = await rates_for(period)
        limits = await limits_by_division(period)
        joins, base = _limits_join(limits)
        ctes = _rates_cte(rates) + (", " + _limits_cte(limits) if joins else "")
        now = datetime.now(UTC)
        if await period_state(period) is None:
            await SiPeriod.insert(SiPeriod(period=period, state="open"))
        active = ("e.status = 'active' AND e.start_period <= {} AND (e.end_period IS NULL OR e.end_period >= {})")
        amounts = ", ".join(AMOUNTS)
        await run(
            f"""WITH {ctes}
            INSERT INTO si_contribution (period, employer, person, base, {amounts}, total, paid_state)
            SELECT {{}}, x.employer, x.person, x.base, {', '.join('x.' + a for a in AMOUNTS)},
                   {' + '.join('x.' + a for a in AMOUNTS)}, 'due'
            FROM (
              SELECT e.employer, e.person, MAX({base}) AS base,
                     {_pivot(base)}
              FROM si_enrolment e
              JOIN employer ON employer.id = e.employer
              JOIN rates r ON r.insurance = e.insurance
                          AND r.risk_class = CASE WHEN e.insurance = 'injury' THEN {risk_sql()} ELSE 0 END
              {joins}
              WHERE {active} AND {{}}
              GROUP BY e.employer, e.person
            ) x WHERE 1 = 1
            ON CONFLICT (period, employer, person) DO UPDATE SET
              base = excluded.base, {', '.join(f'{a} = excluded.{a}' for a in AMOUNTS)}, total = excluded.total
            WHERE si_contribution.paid_state = 'due'""",
            period, period, period, scope,
        )
        # Unpaid rows of persons no longer insured that month (suspended, terminated, moved) go.
        await run(
            f"""DELETE FROM si_contribution WHERE period = {{}} AND paid_state = 'due'
            AND employer IN (SELECT employer.id FROM employer WHERE {{}})
            AND NOT EXISTS (SELECT 1 FROM si_enrolment e WHERE e.person = si_contribution.person
                            AND e.employer = si_contribution.employer AND {active})""",
            period, scope, period, period,
        )
        written = await summarise(period, scope)
        count = await run("SELECT COUNT(*) AS n FROM si_contribution WHERE period = {}", period)
        await SiPeriod.update({SiPeriod.assessed_at: now, SiPeriod.assessed_by: principal.audit_name,
                               SiPeriod.row_count: count[0]["n"]}).where(SiPeriod.period == period)
        await audit.record(category="social_insurance", action="assess", actor=principal, ip=ip,
                           object_type="si_period", object_id=period,
                           detail={"employers": written, "rows": count[0]["n"]})
    return {"period": period, "employers": written, "rows": count[0]["n"]}


def summary_sql(where: str) -> str:
    """INSERT of the per-employer summaries of the contribution rows `c` matching `where` (SQL with `{}`
    placeholders for the caller's QueryString, or literals), grouped by 结算期 and employer. Written in that order, so
    the ids do not depend on the plan (hash or sorted aggregate: the scale seed loads without the indexes)."""
    sums = ", ".join(f"SUM(c.{a})" for a in AMOUNTS)
    return (f"INSERT INTO si_employer_period (period, employer, headcount, {', '.join(AMOUNTS)}, total, paid)"
            f" SELECT c.period, c.employer, COUNT(*), {sums}, SUM(c.total),"
            " SUM(CASE WHEN c.paid_state = 'paid' THEN c.total ELSE 0 END)"
            f" FROM si_contribution c JOIN employer ON employer.id = c.employer WHERE {where}"
            " GROUP BY c.period, c.employer ORDER BY c.period, c.employer")


async def summarise(period: int, scope: QueryString) -> int:
    """Rewrite the per-employer summaries of a 结算期 for the employers in scope (inside the caller's transaction)."""
    await run("DELETE FROM si_employer_period WHERE period = {} AND employer IN (SELECT employer.id FROM employer"
              " WHERE {})", period, scope)
    await run(summary_sql("c.period = {} AND {}"), period, scope)
    rows = await run("SELECT COUNT(*) AS n FROM si_employer_period WHERE period = {}", period)
    return rows[0]["n"]


async def close_period(principal: Principal, period: int, *, ip: str = "") -> None:
    """关账: the 结算期's contributions become final; 核定 refuses it from now on."""
    _require(principal, ASSESS_PERMISSION)
    async with write_transaction():
        state = await period_state(period)
        if state is None:
            raise Refused("该结算期尚未核定，不能关账", "period")
        if state == "closed":
            raise Refused("该结算期已关账", "period")
        await SiPeriod.update({SiPeriod.state: "closed", SiPeriod.closed_at: datetime.now(UTC)}).where(
            SiPeriod.period == period)
        await audit.record(category="social_insurance", action="close_period", actor=principal, ip=ip,
                           object_type="si_period", object_id=period)


async def periods() -> list[dict]:
    return await SiPeriod.select().order_by(SiPeriod.period, ascending=False)


async def employer_or_404(employer_id: int) -> dict:
    row = await employer_service.get_employer(employer_id)
    if row is None:
        raise NotFoundException()
    return row


# ---- 年度结算 of the pension personal accounts ----------------------------------------------------------------

def interest_sql(carried: str, credited: str, rate: int) -> str:
    """rules.pension_interest() in SQL: (carried × rate × 2000 + credited × rate × 1083) / 200,000,000 rounded
    half up, in BIGINT (the products pass 2^31)."""
    scale = rules.RATE_SCALE * 2000
    return (f"((CAST({carried} AS BIGINT) * {int(rate)} * 2000 + CAST({credited} AS BIGINT) * {int(rate)} * 1083"
            f" + {scale // 2}) / {scale})")


def year_end_statements(year: int, rate: int) -> list[str]:
    """The two statements of 年度结算 for `year` at 记账利率 `rate` (integers only, so literals are safe): the
    year's account rows are rewritten — everyone with a balance the year before or a personal pension
    contribution of the year that reached the fund (已到账): 上年结转 = last year's 年末累计, 当年记账 = the sum of
    those contributions, 缴费月数 = their distinct 结算期, 利息 by rules.pension_interest."""
    year, first, last = int(year), int(year) * 100 + 1, int(year) * 100 + 12
    return [
        f"DELETE FROM si_pension_account WHERE year = {year}",
        "INSERT INTO si_pension_account (person, year, carried, credited, interest, balance, months)"
        f" SELECT v.person, {year}, v.carried, v.credited, v.interest, v.carried + v.credited + v.interest, v.months"
        f" FROM (SELECT u.person, u.carried, u.credited, u.months, {interest_sql('u.carried', 'u.credited', rate)}"
        " AS interest FROM (SELECT t.person, SUM(t.carried) AS carried, SUM(t.credited) AS credited,"
        " SUM(t.months) AS months FROM ("
        f"SELECT person, balance AS carried, 0 AS credited, 0 AS months FROM si_pension_account WHERE year = {year - 1}"
        " UNION ALL SELECT person, 0 AS carried, SUM(pension_personal) AS credited, COUNT(DISTINCT period) AS months"
        f" FROM si_contribution WHERE period >= {first} AND period <= {last} AND paid_state = 'paid'"
        " AND pension_personal > 0 GROUP BY person"
        ") t GROUP BY t.person) u) v ORDER BY v.person",
    ]


def year_end_totals_sql(year: int) -> str:
    """The result summary of a settled year from its account rows (persons and the four sums)."""
    return ("SELECT COUNT(*) AS persons, COALESCE(SUM(carried), 0) AS carried, COALESCE(SUM(credited), 0) AS credited,"
            " COALESCE(SUM(interest), 0) AS interest, COALESCE(SUM(balance), 0) AS balance"
            f" FROM si_pension_account WHERE year = {int(year)}")


async def interest_rate_of(year: int) -> int | None:
    """The province's 记账利率 in force in December of the year (None when no row is)."""
    row = rules.pick_effective([r for r in await SiLimit.select() if not r["division_code"]], year * 100 + 12)
    return None if row is None else row["interest_rate"]


async def settle_year(principal: Principal, year: int, *, ip: str = "", today: date | None = None) -> dict:
    """年度结算: every pension personal account of a closed year, set-based and idempotent (a re-run rewrites
    the same rows); refused by rules.year_end_refusal. Audited with the result summary."""
    _require(principal, SETTLE_PERMISSION)
    today = today or datetime.now(UTC).date()
    async with write_transaction():
        assessed = {r["period"] for r in await SiPeriod.select(SiPeriod.period).where(
            (SiPeriod.period >= year * 100 + 1) & (SiPeriod.period <= year * 100 + 12))}
        next_settled = bool(await SiYearEnd.count().where(SiYearEnd.year == year + 1))
        rate = await interest_rate_of(year)
        refusal = rules.year_end_refusal(
            year, today, assessed, next_settled=next_settled, rate_known=rate is not None,
            province=rules.is_province_scope(principal.scopes.get("division", ())))
        if refusal:
            raise Refused(*refusal)
        for sql in year_end_statements(year, rate):
            await run(sql)
        totals = {k: int(v) for k, v in (await run(year_end_totals_sql(year)))[0].items()}
        await SiYearEnd.delete().where(SiYearEnd.year == year)
        result = {"year": year, "interest_rate": rate, **totals, "run_at": datetime.now(UTC),
                  "run_by": principal.audit_name}
        await SiYearEnd.insert(SiYearEnd(**result))
        await audit.record(category="social_insurance", action="settle_year", actor=principal, ip=ip,
                           object_type="si_year_end", object_id=year,
                           detail={k: result[k] for k in ("interest_rate", "persons", "credited", "interest", "balance")})
    return result


async def year_end_runs() -> list[dict]:
    return await SiYearEnd.select().order_by(SiYearEnd.year, ascending=False)


# ---- 到账 -------------------------------------------------------------------------------------------------

async def refresh_paid(pairs: set[tuple[int, int]]) -> None:
    """Recompute 已到账 of the (结算期, employer) summaries after payments (inside the caller's transaction)."""
    for period, employer_id in sorted(pairs):
        await run("UPDATE si_employer_period SET paid = (SELECT COALESCE(SUM(c.total), 0) FROM si_contribution c"
                  " WHERE c.period = si_employer_period.period AND c.employer = si_employer_period.employer"
                  " AND c.paid_state = 'paid') WHERE period = {} AND employer = {}", period, employer_id)


async def mark_paid(period: int, employer_id: int, paid_on, person_ids: list[int] | None = None) -> int:
    """Mark a 结算期's unpaid contributions of an employer (or of some of its persons) 已到账 on `paid_on`."""
    where = "period = {} AND employer = {} AND paid_state = 'due'"
    args: list = [paid_on, period, employer_id]
    if person_ids is not None:
        if not person_ids:
            return 0
        where += f" AND person IN ({', '.join('{}' for _ in person_ids)})"
        args += list(person_ids)
    rows = await run(f"UPDATE si_contribution SET paid_state = 'paid', paid_on = {{}} WHERE {where} RETURNING id", *args)
    await refresh_paid({(period, employer_id)})
    return len(rows)


# ---- employer-side reads (always by principal.employer_id) -------------------------------------------------

async def payable(employer_id: int, period: int) -> dict | None:
    """SI-2: the employer's summary of a 结算期, written at 核定 time."""
    rows = await run("SELECT * FROM si_employer_period WHERE employer = {} AND period = {}", employer_id, period)
    return rows[0] if rows else None


async def benefit_totals(employer_id: int, insurance: str, period: int) -> list[dict]:
    """SI-3: one row per person with benefits of this insurance booked under the employer in the 结算期."""
    return await run(
        "SELECT b.person, p.name, p.id_number, COUNT(*) AS items, SUM(b.amount) AS total FROM si_benefit b"
        " JOIN person p ON p.id = b.person WHERE b.employer = {} AND b.insurance = {} AND b.period = {}"
        " GROUP BY b.person, p.name, p.id_number ORDER BY p.name, b.person", employer_id, insurance, period)


async def benefit_details(employer_id: int, insurance: str, period: int, person_id: int, item: str = "") -> list[dict]:
    """SI-3 drill-down; 404 for a person with no benefit of this kind under the employer (never theirs)."""
    if not await run("SELECT 1 AS x FROM si_benefit WHERE employer = {} AND insurance = {} AND person = {}",
                     employer_id, insurance, person_id):
        raise NotFoundException()
    sql = ("SELECT b.id, b.item, b.amount, b.paid_on, b.period, p.name, p.id_number FROM si_benefit b"
           " JOIN person p ON p.id = b.person WHERE b.employer = {} AND b.insurance = {} AND b.period = {}"
           " AND b.person = {}")
    args: list = [employer_id, insurance, period, person_id]
    if item:
        sql += " AND b.item LIKE {} ESCAPE '\\'"
        args.append("%" + item.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    return await run(sql + " ORDER BY b.paid_on, b.id", *args)


async def insured_persons(employer_id: int, *, id_number: str = "", name: str = "") -> list[dict]:
    """Persons this employer has ever insured, matching an exact ID number and/or a name (SI-4)."""
    sql = ("SELECT p.id, p.name, p.id_number FROM person p WHERE EXISTS (SELECT 1 FROM si_enrolment e"
           " WHERE e.person = p.id AND e.employer = {})")
    args: list = [employer_id]
    if id_number:
        sql += " AND p.id_number = {}"
        args.append(id_number)
    if name:
        sql += " AND p.name = {}"
        args.append(name)
    return await run(sql + " ORDER BY p.name, p.id LIMIT 50", *args)


async def pension_accounts(person_ids: list[int], year: int | None = None) -> list[dict]:
    if not person_ids:
        return []
    sql = (f"SELECT a.*, p.name, p.id_number FROM si_pension_account a JOIN person p ON p.id = a.person"
           f" WHERE a.person IN ({', '.join('{}' for _ in person_ids)})")
    args: list = list(person_ids)
    if year:
        sql += " AND a.year = {}"
        args.append(year)
    return await run(sql + " ORDER BY p.name, a.person, a.year DESC", *args)


async def employer_overview(employer_id: int) -> dict:
    """SI-6: 参保信息 (head count per insurance and status) and 缴费信息 (the last 12 结算期 summaries)."""
    counts = await run("SELECT insurance, status, COUNT(*) AS n FROM si_enrolment WHERE employer = {}"
                       " GROUP BY insurance, status", employer_id)
    table = {i: {s: 0 for s in rules.STATUS_LABELS} for i in rules.INSURANCES}
    for row in counts:
        table[row["insurance"]][row["status"]] = row["n"]
    periods = await run("SELECT * FROM si_employer_period WHERE employer = {} ORDER BY period DESC LIMIT 12",
                        employer_id)
    return {"enrolments": table, "periods": periods}


# ---- person-side reads (always by principal.person_id) -----------------------------------------------------

async def my_enrolments(person_id: int) -> list[dict]:
    """SI-7 我的参保信息: every 参保登记 of the person, with the employer's name."""
    return await run("SELECT e.*, employer.name AS employer_name FROM si_enrolment e JOIN employer ON employer.id ="
                     " e.employer WHERE e.person = {} ORDER BY e.start_period DESC, e.insurance", person_id)


async def my_contributions(person_id: int, year: int) -> list[dict]:
    """SI-7 缴费记录 of a year, month by month (one row per 结算期 and employer)."""
    return await run("SELECT c.*, employer.name AS employer_name FROM si_contribution c JOIN employer ON employer.id ="
                     " c.employer WHERE c.person = {} AND c.period >= {} AND c.period <= {} ORDER BY c.period, c.id",
                     person_id, year * 100 + 1, year * 100 + 12)


async def my_contribution_years(person_id: int) -> list[int]:
    rows = await run("SELECT DISTINCT period / 100 AS year FROM si_contribution WHERE person = {} ORDER BY year DESC",
                     person_id)
    return [int(r["year"]) for r in rows]


async def my_pension_accounts(person_id: int) -> list[dict]:
    """The person's account by year, newest first; `settled_rate` is the 记账利率 of a year computed by 年度结算
    (None for a year carried over from before the portal)."""
    return await run("SELECT a.*, y.interest_rate AS settled_rate FROM si_pension_account a LEFT JOIN si_year_end y"
                     " ON y.year = a.year WHERE a.person = {} ORDER BY a.year DESC", person_id)


def insured_months(enrolments: list[dict], insurance: str, until: int) -> tuple[int, int | None]:
    """(累计参保月数, first 结算期) of one insurance from the person's records; a month counts once."""
    months: set[int] = set()
    for e in enrolments:
        if e["insurance"] != insurance or e["status"] == "suspended":
            continue
        period, end = e["start_period"], e["end_period"] or until
        while period <= min(end, until):
            months.add(period)
            period = rules.add_months(period, 1)
    return len(months), (min(months) if months else None)


# ---- lookups of the 到账 import (chunks of 500 values) ------------------------------------------------------

def _chunks(values, size: int = 500):
    values = sorted(values)
    for i in range(0, len(values), size):
        yield values[i:i + size]


def _in(values) -> str:
    return ", ".join("{}" for _ in values)


async def employers_in_scope(principal: Principal, usccs: set[str]) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for chunk in _chunks(usccs):
        rows = await run(f"SELECT employer.id, employer.uscc FROM employer WHERE employer.uscc IN ({_in(chunk)})"
                         " AND {}", *chunk, staff_employer_clause(principal))
        found.update({r["uscc"]: r for r in rows})
    return found


async def persons_by_id_number(id_numbers: set[str]) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for chunk in _chunks(id_numbers):
        rows = await run(f"SELECT id, id_number FROM person WHERE id_number IN ({_in(chunk)})", *chunk)
        found.update({r["id_number"]: r for r in rows})
    return found


async def contributions_of(person_ids: list[int]) -> dict[tuple[int, int, int], dict]:
    found: dict[tuple[int, int, int], dict] = {}
    for chunk in _chunks(set(person_ids)):
        rows = await run(f"SELECT id, period, employer, person, total, paid_state FROM si_contribution"
                         f" WHERE person IN ({_in(chunk)})", *chunk)
        found.update({(r["period"], r["employer"], r["person"]): r for r in rows})
    return found


async def record_payments(items: list[tuple[dict, Any]]) -> int:
    """Mark contributions 已到账 (inside the import's transaction) and refresh their summaries."""
    done = 0
    for contribution, paid_on in items:
        rows = await run("UPDATE si_contribution SET paid_state = 'paid', paid_on = {} WHERE id = {}"
                         " AND paid_state = 'due' RETURNING id", paid_on, contribution["id"])
        done += len(rows)
    await refresh_paid({(c["period"], c["employer"]) for c, _ in items})
    return done


# ---- staff queries (si.query), within the staff member's divisions -------------------------------------------

async def staff_find_persons(principal: Principal, q: str) -> list[dict]:
    """SI-5: persons insured by an employer in scope, by exact ID number or by name (whole name or its first
    characters, such as the surname: a range on the person.name index, where `LIKE '%…%'` read a million names)."""
    _require(principal, QUERY_PERMISSION)
    scope = staff_employer_clause(principal)
    base = ("SELECT p.id, p.name, p.id_number, p.gender FROM person p WHERE EXISTS (SELECT 1 FROM si_enrolment e"
            " JOIN employer ON employer.id = e.employer WHERE e.person = p.id AND {})")
    if len(q) == 18 and q[:17].isdigit():
        return await run(base + " AND p.id_number = {}", scope, q)
    return await run(base + " AND p.name >= {} AND p.name < {} ORDER BY p.name, p.id LIMIT 50", scope, q,
                     q + "\U0010ffff")


async def staff_person(principal: Principal, person_id: int) -> tuple[dict, list[dict]]:
    """SI-5 detail: the person and their records at employers in scope; 404 when none is."""
    _require(principal, QUERY_PERMISSION)
    rows = await run("SELECT e.*, employer.name AS employer_name FROM si_enrolment e JOIN employer ON employer.id ="
                     " e.employer WHERE e.person = {} AND {} ORDER BY e.insurance, e.start_period DESC",
                     person_id, staff_employer_clause(principal))
    if not rows:
        raise NotFoundException()
    person = (await run("SELECT * FROM person WHERE id = {}", person_id))[0]
    return person, rows


async def staff_find_employers(principal: Principal, q: str) -> list[dict]:
    _require(principal, QUERY_PERMISSION)
    needle = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return await run("SELECT employer.id, employer.name, employer.uscc, employer.division_code FROM employer"
                     " WHERE (employer.uscc = {} OR employer.name LIKE {} ESCAPE '\\') AND {}"
                     " ORDER BY employer.name, employer.id LIMIT 50", q.upper(), needle, staff_employer_clause(principal))


async def staff_employer(principal: Principal, employer_id: int) -> dict:
    """SI-6 for staff: an employer in scope (404 otherwise)."""
    _require(principal, QUERY_PERMISSION)
    rows = await run("SELECT * FROM employer WHERE employer.id = {} AND {}", employer_id,
                     staff_employer_clause(principal))
    if not rows:
        raise NotFoundException()
    return rows[0]


async def employer_roster(employer_id: int, limit: int = 100) -> list[dict]:
    # The SI-1 grid's order (newest records first, on the employer's start_period index): no sort of every record.
    return await run("SELECT e.insurance, e.status, e.base, e.start_period, p.name, p.id_number FROM si_enrolment e"
                     " JOIN person p ON p.id = e.person WHERE e.employer = {} ORDER BY e.start_period DESC, e.id DESC"
                     " LIMIT {}", employer_id, limit)


# ---- for 人员增减员 (domains.personnel_change): reads of the records and the two writes an approval makes ----

parse_period = rules.parse_period
period_label = rules.period_label


async def records_by_id_number(id_numbers: set[str]) -> dict[str, list[dict]]:
    """Every 参保登记 of these persons (any employer), with the employer's name; one query per 500 ID numbers."""
    found: dict[str, list[dict]] = {}
    for chunk in _chunks(id_numbers):
        rows = await run(
            "SELECT e.id, e.employer, e.insurance, e.status, e.start_period, e.end_period, e.base, e.identity,"
            f" p.id_number, p.id AS person, employer.name AS employer_name FROM si_enrolment e JOIN person p ON"
            f" p.id = e.person JOIN employer ON employer.id = e.employer WHERE p.id_number IN ({_in(chunk)})"
            " ORDER BY e.start_period, e.id", *chunk)
        for row in rows:
            found.setdefault(row["id_number"], []).append(row)
    return found


async def employer_first_period(employer_id: int) -> int:
    """The employer's first 结算期: its earliest record's, or the month it registered when that is earlier."""
    rows = await run("SELECT MIN(start_period) AS first FROM si_enrolment WHERE employer = {}", employer_id)
    employer = await employer_or_404(employer_id)
    registered = rules.period_of(employer["created_at"].date()) if employer.get("created_at") else None
    candidates = [p for p in (rows[0]["first"], registered) if p]
    return min(candidates) if candidates else 0


async def closed_periods() -> set[int]:
    return {r["period"] for r in await SiPeriod.select(SiPeriod.period).where(SiPeriod.state == "closed")}


async def base_refusal(base: int, period: int, employer_id: int | None = None) -> str | None:
    """缴费基数 against the floor/ceiling in force for the 结算期 in the employer's division (SI reference data)."""
    division = await _division_of(employer_id) if employer_id is not None else ""
    return rules.base_refusal(base, await limits_for(period, division))


async def all_limits(employer_id: int | None = None) -> list[dict]:
    """The floor/ceiling rows that apply to the employer — its county's, its city's, the province's, each with
    its `rank` in that order (0, 1, 2) — or, without an employer, the province's; for set-based checks of a whole
    upload (pick with limits_in_force)."""
    chain = rules.division_chain(await _division_of(employer_id) if employer_id is not None else "")
    rows = await SiLimit.select()
    return [{**r, "rank": chain.index(r["division_code"])} for r in rows if r["division_code"] in chain]


def limits_in_force(rows: list[dict], period: int) -> Limits | None:
    """The limits of the 结算期 from all_limits() rows: the most specific division with a row in force."""
    for rank in sorted({r["rank"] for r in rows}):
        row = rules.pick_effective([r for r in rows if r["rank"] == rank], period)
        if row is not None:
            return Limits(base_floor=row["base_floor"], base_ceiling=row["base_ceiling"])
    return None


base_outside = rules.base_refusal


async def end_record(record_id: int, employer_id: int, end_period: int, *, status: str = "terminated",
                     from_statuses: tuple[str, ...] = ("active", "suspended")) -> None:
    """End (or suspend) a record with a conditional UPDATE inside the caller's transaction: only while it is still
    the employer's and in one of `from_statuses`. When another change got there first (a 调入 and a 减员 of the
    same person approved at once) nothing matches and the caller's change is refused — exactly one wins.
    A record already suspended keeps the 结算期 its payments stopped."""
    placeholders = ", ".join("{}" for _ in from_statuses)
    rows = await run(
        f"UPDATE si_enrolment SET status = {{}}, end_period = COALESCE(end_period, {{}}), updated_at = {{}} WHERE id = {{}} AND employer = {{}}"
        f" AND status IN ({placeholders}) RETURNING id",
        status, end_period, datetime.now(UTC), record_id, employer_id, *from_statuses)
    if not rows:
        raise Refused("该人员的参保关系已发生变化（可能已被其他单位调入或已减员），请核实后重新申报", "period")


async def start_record(person_id: int, employer_id: int, insurance: str, *, base: int, start_period: int,
                       identity: str) -> int:
    """A new active record (inside the caller's transaction); refused when a live one exists for the person."""
    live = await run("SELECT id FROM si_enrolment WHERE person = {} AND insurance = {} AND status <> 'terminated'",
                     person_id, insurance)
    if live:
        raise Refused(f"该人员{rules.INSURANCE_LABELS.get(insurance, insurance)}已有有效的参保登记，请核实后重新申报",
                      "period")
    return await enrol(person_id, employer_id, insurance, base=base, start_period=start_period, identity=identity)


# ---- set-based forms of the above, for approvals of many changes at once (domains.personnel_change) -------------

async def records_for_update(id_numbers: set[str]) -> list[dict]:
    """Every 参保登记 of these persons (id, person, id_number, employer, insurance, status), locked until the
    caller's transaction ends on PostgreSQL (SQLite's writer is already alone): decided on, then written, unchanged."""
    lock = "" if is_sqlite(current_engine()) else " FOR UPDATE OF e"
    rows: list[dict] = []
    for chunk in _chunks(id_numbers):
        rows += await run(
            "SELECT e.id, e.person, p.id_number, e.employer, e.insurance, e.status FROM si_enrolment e JOIN person p"
            f" ON p.id = e.person WHERE p.id_number IN ({_in(chunk)}) ORDER BY e.id{lock}", *chunk)
    return rows


async def end_records(ends: list[tuple[int, int, int, str, tuple[str, ...]]]) -> set[int]:
    """end_record() for many (record id, employer, end 结算期, new status, from statuses): one conditional UPDATE
    per (employer, end, status) group; returns the ids it ended (a caller compares them with what it asked)."""
    groups: dict[tuple, list[int]] = {}
    for record_id, employer_id, end_period, status, from_statuses in ends:
        groups.setdefault((employer_id, end_period, status, from_statuses), []).append(record_id)
    ended: set[int] = set()
    now = datetime.now(UTC)
    for (employer_id, end_period, status, from_statuses), ids in groups.items():
        for chunk in _chunks(ids):
            rows = await run(
                f"UPDATE si_enrolment SET status = {{}}, end_period = COALESCE(end_period, {{}}), updated_at = {{}}"
                f" WHERE id IN ({_in(chunk)}) AND employer = {{}} AND status IN ({_in(from_statuses)}) RETURNING id",
                status, end_period, now, *chunk, employer_id, *from_statuses)
            ended.update(r["id"] for r in rows)
    return ended


async def start_records(starts: list[dict]) -> None:
    """start_record() for many, already checked by the caller against records_for_update() and the limits:
    dicts of person, employer, insurance, base, start_period, identity; one multi-row INSERT (SI's partial unique
    index still refuses a second live record)."""
    now = datetime.now(UTC)
    await bulk_insert(SiEnrolment, [{"person": r["person"], "employer": r["employer"], "insurance": r["insurance"],
                                     "status": "active", "identity": r["identity"], "base": r["base"],
                                     "start_period": r["start_period"], "created_at": now, "updated_at": now}
                                    for r in starts])


# ---- for 劳动保障监察 (domains.labor_inspection) ----------------------------------------------------------------

async def insured_id_numbers(employer_id: int) -> set[str]:
    """ID numbers of the persons with at least one insurance in 参保缴费 at this employer."""
    rows = await run("SELECT DISTINCT p.id_number FROM si_enrolment e JOIN person p ON p.id = e.person"
                     " WHERE e.employer = {} AND e.status = 'active'", employer_id)
    return {r["id_number"] for r in rows}


# ---- 工伤 cover, for the work-injury domain (工伤快报 rule, 工伤保险单位证明) ---------------------------------------

async def injury_records(employer_id: int, person_ids: list[int]) -> dict[int, list[dict]]:
    """The 工伤 参保登记 of these persons at one employer, oldest first: person id → records (start_period,
    end_period, status). A person never insured there for 工伤 is absent."""
    found: dict[int, list[dict]] = {}
    for chunk in _chunks(set(person_ids)):
        rows = await run(f"SELECT person, start_period, end_period, status FROM si_enrolment WHERE employer = {{}}"
                         f" AND insurance = 'injury' AND person IN ({_in(chunk)}) ORDER BY person, start_period",
                         employer_id, *chunk)
        for row in rows:
            found.setdefault(row["person"], []).append(row)
    return found


async def injury_employers(person_id: int) -> list[dict]:
    """Employers a person was ever insured with for 工伤 (id, name, uscc, division_code), by name."""
    return await run("SELECT DISTINCT employer.id, employer.name, employer.uscc, employer.division_code FROM si_enrolment e"
                     " JOIN employer ON employer.id = e.employer WHERE e.person = {} AND e.insurance = 'injury'"
                     " ORDER BY employer.name, employer.id", person_id)


async def injury_paid_months(person_id: int, employer_id: int) -> int:
    """结算期 with a 工伤 contribution for the person under the employer that reached the fund (已到账)."""
    rows = await run("SELECT COUNT(*) AS n FROM si_contribution WHERE person = {} AND employer = {}"
                     " AND injury_employer > 0 AND paid_state = 'paid'", person_id, employer_id)
    return int(rows[0]["n"])
