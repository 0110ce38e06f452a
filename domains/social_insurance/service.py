"""Use-cases of social-insurance records: 参保登记, 月度核定, 关账, and the scoped reads the pages need.

Every staff write checks its permission here (not only in the route) and is limited to the employers under the
staff member's division scopes; every applicant read is built from principal.employer_id / person_id.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar.exceptions import NotFoundException, PermissionDeniedException
from piccolo.querystring import QueryString

from domains.employer import service as employer_service
from domains.social_insurance import rules
from domains.social_insurance.rules import Limits, Refused
from domains.social_insurance.tables import SiEnrolment, SiLimit, SiPeriod, SiRate
from portal import audit
from portal.auth.principal import Principal
from portal.db import bulk_insert, current_engine, is_sqlite, write_transaction

ASSESS_PERMISSION = "si.assess"
QUERY_PERMISSION = "si.query"
REFERENCE_PERMISSION = "si.reference"
PERMISSIONS = {ASSESS_PERMISSION: "社保月度核定与到账", QUERY_PERMISSION: "社保个人/单位综合查询",
               REFERENCE_PERMISSION: "社保费率与缴费基数上下限维护"}
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

async def limits_for(period: int) -> Limits:
    row = rules.pick_effective(await SiLimit.select(), period)
    if row is None:
        raise Refused(f"{rules.period_label(period)}没有缴费基数上下限，请先维护参数", "period")
    return Limits(base_floor=row["base_floor"], base_ceiling=row["base_ceiling"])


async def rates_for(period: int) -> dict[tuple[str, int], tuple[int, int]]:
    rates = rules.effective_rates(await SiRate.select(), period)
    missing = [rules.INSURANCE_LABELS[i] for i in rules.INSURANCES if i != "injury" and (i, 0) not in rates]
    if missing or not any(k[0] == "injury" for k in rates):
        raise Refused(f"{rules.period_label(period)}缺少费率：{'、'.join(missing) or '工伤保险'}", "period")
    return rates


async def reference_rows() -> dict[str, list[dict]]:
    """The admin page's lists: every limit row (newest first) and every rate row."""
    return {
        "limits": await SiLimit.select().order_by(SiLimit.effective_from, ascending=False),
        "rates": await SiRate.select().order_by(SiRate.insurance).order_by(SiRate.risk_class)
        .order_by(SiRate.effective_from, ascending=False),
    }


async def add_limit(principal: Principal, cleaned: dict[str, Any], *, ip: str = "") -> None:
    """A new year's 缴费基数上下限 and 记账利率, in force from January of that year; audited."""
    _require(principal, REFERENCE_PERMISSION)
    async with write_transaction():
        years = {r["effective_from"] // 100 for r in await SiLimit.select(SiLimit.effective_from)}
        errors = rules.limit_errors(cleaned, years)
        if errors:
            field, message = next(iter(errors.items()))
            raise Refused(message, field)
        row = {"effective_from": cleaned["year"] * 100 + 1, "base_floor": cleaned["base_floor"],
               "base_ceiling": cleaned["base_ceiling"], "interest_rate": cleaned["interest_rate"],
               "source": cleaned["source"]}
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


# ---- 参保登记 ---------------------------------------------------------------------------------------------

async def enrol(person_id: int, employer_id: int, insurance: str, *, base: int, start_period: int,
                identity: str = "11", status: str = "active") -> int:
    """Insert one 参保登记 inside the caller's transaction; the base must lie within its 结算期's limits.

    The partial unique index refuses a second record that is not 终止参保 for the same person and insurance."""
    refusal = rules.base_refusal(base, await limits_for(start_period))
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


def _risk_sql() -> str:
    cases = " ".join(f"WHEN '{code}' THEN {risk}" for code, risk in sorted(rules.INDUSTRY_RISK_CLASS.items()))
    return f"CASE substr(employer.industry, 1, 1) {cases} ELSE {rules.DEFAULT_RISK_CLASS} END"


def _base_sql(limits: Limits) -> str:
    # rules.clamp_base(): the 结算期's floor and ceiling (integers from the reference table, never user input).
    floor, ceiling = int(limits.base_floor), int(limits.base_ceiling)
    return f"(CASE WHEN e.base < {floor} THEN {floor} WHEN e.base > {ceiling} THEN {ceiling} ELSE e.base END)"


def _due_sql(rate: str, base: str) -> str:
    # rules.due(): base × rate / 100000 rounded half up, in integers (BIGINT: base × rate exceeds 2^31).
    return f"(CAST({base} AS BIGINT) * r.{rate} + {rules.RATE_SCALE // 2}) / {rules.RATE_SCALE}"


def _pivot(base: str) -> str:
    parts = []
    for column, insurance, share in rules.AMOUNT_COLUMNS:
        rate = "employer_rate" if share == "单位" else "personal_rate"
        parts.append(f"MAX(CASE WHEN e.insurance = '{insurance}' THEN {_due_sql(rate, base)} ELSE 0 END) AS {column}")
    return ",\n           ".join(parts)


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
        base = _base_sql(await limits_for(period))
        now = datetime.now(UTC)
        if await period_state(period) is None:
            await SiPeriod.insert(SiPeriod(period=period, state="open"))
        active = ("e.status = 'active' AND e.start_period <= {} AND (e.end_period IS NULL OR e.end_period >= {})")
        amounts = ", ".join(AMOUNTS)
        await run(
            f"""WITH {_rates_cte(rates)}
            INSERT INTO si_contribution (period, employer, person, base, {amounts}, total, paid_state)
            SELECT {{}}, x.employer, x.person, x.base, {', '.join('x.' + a for a in AMOUNTS)},
                   {' + '.join('x.' + a for a in AMOUNTS)}, 'due'
            FROM (
              SELECT e.employer, e.person, MAX({base}) AS base,
                     {_pivot(base)}
              FROM si_enrolment e
              JOIN employer ON employer.id = e.employer
              JOIN rates r ON r.insurance = e.insurance
                          AND r.risk_class = CASE WHEN e.insurance = 'injury' THEN {_risk_sql()} ELSE 0 END
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


async def summarise(period: int, scope: QueryString) -> int:
    """Rewrite the per-employer summaries of a 结算期 for the employers in scope (inside the caller's transaction)."""
    await run("DELETE FROM si_employer_period WHERE period = {} AND employer IN (SELECT employer.id FROM employer"
              " WHERE {})", period, scope)
    sums = ", ".join(f"SUM(c.{a})" for a in AMOUNTS)
    await run(
        f"""INSERT INTO si_employer_period (period, employer, headcount, {', '.join(AMOUNTS)}, total, paid)
        SELECT {{}}, c.employer, COUNT(*), {sums}, SUM(c.total),
               SUM(CASE WHEN c.paid_state = 'paid' THEN c.total ELSE 0 END)
        FROM si_contribution c JOIN employer ON employer.id = c.employer
        WHERE c.period = {{}} AND {{}} GROUP BY c.employer""",
        period, period, scope,
    )
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
    return await run("SELECT * FROM si_pension_account WHERE person = {} ORDER BY year DESC", person_id)


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
    """SI-5: persons insured by an employer in scope, by exact ID number or by name (exact, then contains)."""
    _require(principal, QUERY_PERMISSION)
    scope = staff_employer_clause(principal)
    base = ("SELECT p.id, p.name, p.id_number, p.gender FROM person p WHERE EXISTS (SELECT 1 FROM si_enrolment e"
            " JOIN employer ON employer.id = e.employer WHERE e.person = p.id AND {})")
    if len(q) == 18 and q[:17].isdigit():
        return await run(base + " AND p.id_number = {}", scope, q)
    needle = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return await run(base + " AND p.name LIKE {} ESCAPE '\\' ORDER BY p.name, p.id LIMIT 50", scope, needle)


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
    return await run("SELECT e.insurance, e.status, e.base, e.start_period, p.name, p.id_number FROM si_enrolment e"
                     " JOIN person p ON p.id = e.person WHERE e.employer = {} ORDER BY p.name, p.id, e.insurance"
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


async def base_refusal(base: int, period: int) -> str | None:
    """缴费基数 against the floor/ceiling in force for the 结算期 (SI reference data)."""
    return rules.base_refusal(base, await limits_for(period))


async def all_limits() -> list[dict]:
    """Every floor/ceiling row, for set-based checks of a whole upload (pick with limits_in_force)."""
    return await SiLimit.select()


def limits_in_force(rows: list[dict], period: int) -> Limits | None:
    row = rules.pick_effective(rows, period)
    return Limits(base_floor=row["base_floor"], base_ceiling=row["base_ceiling"]) if row else None


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
