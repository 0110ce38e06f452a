"""Rules of social-insurance records as plain functions (tested table-driven in tests/social_insurance/test_rules.py).

Money is integer 分, rates integers in 1/100000 (RATE_SCALE), 结算期 integers YYYYMM.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from portal.refusal import Refused
from portal.values import month_or_reason, period_label  # noqa: F401  (the domain's messages name a 结算期 as pages do)

RATE_SCALE = 100_000  # rates are stored in 十万分之一: 16% = 16000, 0.2% = 200

INSURANCES = ("pension", "medical", "injury", "unemployment", "maternity")
INSURANCE_LABELS = {"pension": "养老保险", "medical": "医疗保险", "injury": "工伤保险",
                    "unemployment": "失业保险", "maternity": "生育保险"}
# Which insurances have a personal share (工伤 and 生育 are paid by the employer alone).
PERSONAL_SHARE = ("pension", "medical", "unemployment")
# The contribution row's amount columns, in display order: (column, insurance, 单位/个人).
AMOUNT_COLUMNS = (
    ("pension_employer", "pension", "单位"), ("pension_personal", "pension", "个人"),
    ("medical_employer", "medical", "单位"), ("medical_personal", "medical", "个人"),
    ("injury_employer", "injury", "单位"),
    ("unemployment_employer", "unemployment", "单位"), ("unemployment_personal", "unemployment", "个人"),
    ("maternity_employer", "maternity", "单位"),
)
STATUS_LABELS = {"active": "参保缴费", "suspended": "暂停缴费", "terminated": "终止参保"}
PAID_LABELS = {"due": "欠缴", "paid": "已到账"}

# 工伤保险行业风险类别 by 国民经济行业 门类 (dictionary `industry`, GB/T 4754). 人社部发〔2015〕71号 classifies by
# 大类; the portal records only the 门类, so each 门类 takes the class of its main 大类 (coarse, documented).
INDUSTRY_RISK_CLASS = {
    "A": 3, "B": 8, "C": 4, "D": 3, "E": 5, "F": 2, "G": 4, "H": 2, "I": 1, "J": 1, "K": 2, "L": 1,
    "M": 1, "N": 3, "O": 2, "P": 1, "Q": 1, "R": 2, "S": 1, "T": 1,
}
DEFAULT_RISK_CLASS = 1

# 滞纳金: 《社会保险法》第八十六条 — 自欠缴之日起，按日加收万分之五.
LATE_FEE_PER_DAY = 5  # per 10000
LATE_FEE_SCALE = 10_000


def round_div(numerator: int, denominator: int) -> int:
    """Integer division rounded half up (四舍五入 to the unit), for non-negative amounts."""
    return (numerator + denominator // 2) // denominator


def due(base: int, rate: int) -> int:
    """应缴 = 缴费基数 × 费率, rounded half up to the 分 (the one rounding rule; 核定's SQL uses the same formula)."""
    return round_div(base * rate, RATE_SCALE)


def risk_class(industry: str) -> int:
    return INDUSTRY_RISK_CLASS.get((industry or "")[:1].upper(), DEFAULT_RISK_CLASS)


# ---- 结算期 ----------------------------------------------------------------------------------------------

def parse_period(text: Any) -> int:
    """'2026-11', '202611', '2026年11月' → 202611 (portal.values.month_or_reason); Refused on 结算期 otherwise."""
    period, reason = month_or_reason(text, "结算期")
    if reason is not None:
        raise Refused(reason, "period")
    return period  # type: ignore[return-value]


def period_input(period: int) -> str:
    return f"{period // 100}-{period % 100:02d}"


def period_of(day: date) -> int:
    return day.year * 100 + day.month


def add_months(period: int, months: int) -> int:
    index = (period // 100) * 12 + (period % 100 - 1) + months
    return (index // 12) * 100 + index % 12 + 1


def payment_deadline(period: int) -> date:
    """缴费截止日: the last day of the 结算期's month (当月申报、当月缴纳)."""
    year, month = divmod(period, 100)
    return date(year, month, calendar.monthrange(year, month)[1])


# ---- rules -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Limits:
    base_floor: int
    base_ceiling: int


def division_chain(division: str) -> list[str]:
    """Where a division's 缴费基数上下限 come from, most specific first: the county (460105), its city (460100),
    the province (''). A city code (460100, 儋州 460400) is its own first two links; the province is only ''."""
    division = (division or "").strip()
    if len(division) != 6:
        return [""]
    chain = [division, division[:4] + "00"]
    return [c for i, c in enumerate(chain) if c not in chain[:i] and not c.endswith("0000")] + [""]


def division_limits(rows: list[dict], period: int, division: str, *, fallback: bool = True) -> Limits | None:
    """The floor/ceiling in force for a 结算期 in a division: the first link of division_chain() with a row in
    force (latest effective_from not after the 结算期); the province's figure is the fallback. Without
    `fallback`, only the division's own rows count (None when it has none in force)."""
    chain = division_chain(division) if fallback else [division]
    for code in chain:
        row = pick_effective([r for r in rows if r.get("division_code", "") == code], period)
        if row is not None:
            return Limits(base_floor=row["base_floor"], base_ceiling=row["base_ceiling"])
    return None


def base_refusal(base: int, limits: Limits) -> str | None:
    """缴费基数 outside the floor/ceiling of its 结算期 is refused at entry and at import."""
    if base < limits.base_floor:
        return f"缴费基数不能低于下限 {limits.base_floor / 100:,.2f} 元"
    if base > limits.base_ceiling:
        return f"缴费基数不能高于上限 {limits.base_ceiling / 100:,.2f} 元"
    return None


def assessment_refusal(period_state: str | None) -> str | None:
    """A closed 结算期 cannot be assessed again (its contributions are final)."""
    if period_state == "closed":
        return "该结算期已关账，不能重新核定"
    return None


def late_days(period: int, paid_on: date) -> int:
    """Days of arrears: from the day after the deadline to the payment day, both counted once."""
    return max(0, (paid_on - payment_deadline(period)).days)


def late_fee(arrears: int, period: int, paid_on: date) -> int:
    """滞纳金 = 欠缴金额 × 万分之五 × 欠缴天数, rounded half up to the 分 (《社会保险法》第八十六条)."""
    return round_div(arrears * LATE_FEE_PER_DAY * late_days(period, paid_on), LATE_FEE_SCALE)


def clamp_base(base: int, limits: Limits) -> int:
    """月度核定 assesses a 缴费基数 within the 结算期's floor and ceiling: a base declared under older limits is
    raised to the new floor or lowered to the new ceiling (the rule the core SQL applies, tested here)."""
    return min(max(base, limits.base_floor), limits.base_ceiling)


def rate_or_reason(raw: str, label: str) -> tuple[int | None, str | None]:
    """A rate typed in percent ("16", "0.2", "1.5%") → 1/100000 units; 0–100 %, at most three decimals."""
    text = (raw or "").strip().rstrip("%").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None, f"{label}应为百分比数字，如 16 或 0.5"
    if not value.is_finite() or value < 0 or value > 100:
        return None, f"{label}应在0至100%之间"
    units = value * (RATE_SCALE // 100)
    if units != units.to_integral_value():
        return None, f"{label}最多三位小数"
    return int(units), None


def rate_text(units: int) -> str:
    """1/100000 units → "16%", "0.2%", "1.25%" (no trailing zeros)."""
    value = (Decimal(units) / (RATE_SCALE // 100)).normalize()
    return f"{value:f}%"


def limit_errors(v: dict, existing: set[tuple[str, int]]) -> dict[str, str]:
    """A new year's 缴费基数上下限 of the province ('') or of a city/county: floor ≤ ceiling, one row per division
    and year; the 记账利率 is the province's (one national figure a year), so a division's row has none."""
    errors: dict[str, str] = {}
    floor, ceiling = v.get("base_floor"), v.get("base_ceiling")
    division = v.get("division_code") or ""
    if floor is not None and ceiling is not None and floor > ceiling:
        errors["base_ceiling"] = "缴费基数上限不能低于下限"
    if floor == 0:
        errors["base_floor"] = "缴费基数下限应大于0"
    if division and v.get("interest_rate"):
        errors["interest_rate"] = "记账利率全省统一，录入市县上下限时请不要填写"
    if not division and v.get("interest_rate") is None and "interest_rate" in v:
        errors["interest_rate"] = "请填写养老个人账户记账利率"
    if (division, v.get("year")) in existing:
        where = "该地区" if division else "全省"
        errors["year"] = f"{where}{v['year']}年的缴费基数上下限已录入，不能重复录入"
    return errors


def rate_errors(v: dict, existing: set[tuple[str, int, int]]) -> dict[str, str]:
    """A new rate: 工伤 names its 行业风险类别 (1–8), the others none; one rate per insurance, class and 结算期."""
    errors: dict[str, str] = {}
    insurance, risk = v.get("insurance"), v.get("risk_class")
    if insurance == "injury" and not risk:
        errors["risk_class"] = "工伤保险请选择行业风险类别"
    if insurance and insurance != "injury" and risk:
        errors["risk_class"] = "只有工伤保险按行业风险类别分档，其他险种请不要选择"
    if insurance and insurance not in PERSONAL_SHARE and v.get("personal_rate"):
        errors["personal_rate"] = f"{INSURANCE_LABELS[insurance]}由单位缴纳，个人费率应为0"
    key = (insurance, risk or 0, v.get("effective_from"))
    if key in existing:
        errors["effective_from"] = "该险种（档次）在此结算期起的费率已录入，不能重复录入"
    return errors


def pick_effective(rows: list[dict], period: int) -> dict | None:
    """The reference row in force for a 结算期: the latest `effective_from` not after it."""
    best = None
    for row in rows:
        if row["effective_from"] <= period and (best is None or row["effective_from"] > best["effective_from"]):
            best = row
    return best


def effective_rates(rows: list[dict], period: int) -> dict[tuple[str, int], tuple[int, int]]:
    """(insurance, risk_class) → (单位费率, 个人费率) in force for the 结算期."""
    keys = {(r["insurance"], r["risk_class"]) for r in rows}
    result = {}
    for key in sorted(keys):
        row = pick_effective([r for r in rows if (r["insurance"], r["risk_class"]) == key], period)
        if row is not None:
            result[key] = (row["employer_rate"], row["personal_rate"])
    return result


def contribution(base: int, insurances: set[str], rates: dict[tuple[str, int], tuple[int, int]],
                 risk: int) -> dict[str, int]:
    """One person's contribution row for a 结算期 (what 核定 writes, in Python for tests and checks)."""
    amounts = {column: 0 for column, _, _ in AMOUNT_COLUMNS}
    for insurance in insurances:
        employer_rate, personal_rate = rates[(insurance, risk if insurance == "injury" else 0)]
        amounts[f"{insurance}_employer"] = due(base, employer_rate)
        if insurance in PERSONAL_SHARE:
            amounts[f"{insurance}_personal"] = due(base, personal_rate)
    amounts["total"] = sum(amounts.values())
    return amounts


# ---- 养老个人账户 --------------------------------------------------------------------------------------------

def pension_interest(carried: int, credited: int, rate: int) -> int:
    """利息 of a year by the national rule for 职工基本养老保险个人账户 (劳办发〔1997〕116号《职工基本养老保险个人账户
    管理暂行办法》, 年度计息): 上年结转 earns the whole year's 记账利率; 当年记账 is credited month by month, so it
    earns it on average for half a year, compounded monthly (年金现值系数 1.083):

        利息 = 上年结转 × 记账利率 + 当年记账 × 记账利率 × 1.083 × 1/2

    rounded half up to the 分 once; 年末累计 = 上年结转 + 当年记账 + 利息. 年度结算's SQL
    (service.interest_sql) uses the same integer form."""
    # In integers: carried × rate / 100000 + credited × rate × 1083 / (100000 × 1000 × 2).
    return round_div(carried * rate * 2000 + credited * rate * 1083, RATE_SCALE * 2000)


def pension_year(carried: int, credited: int, rate: int, months: int) -> dict[str, int]:
    """One year of a pension account: 上年结转, 当年记账, 利息, 年末累计, 缴费月数."""
    interest = pension_interest(carried, credited, rate)
    return {"carried": carried, "credited": credited, "interest": interest,
            "balance": carried + credited + interest, "months": months}


def is_province_scope(divisions) -> bool:
    """A staff division scope covering the whole province (460000, or 46)."""
    return any(code and len(code.rstrip("0")) <= 2 for code in divisions or ())


def year_end_refusal(year: int, today: date, assessed: set[int], *, next_settled: bool,
                     province: bool, rate_known: bool) -> tuple[str, str] | None:
    """年度结算 of the pension accounts is refused — (message, field) — for a year not yet over, a year with a
    结算期 not assessed, a year whose next year is already settled (its 上年结转 would no longer match), a
    staff member without the whole province in scope, or a year without 记账利率."""
    if not province:
        return "年度结算面向全省参保人员，需要全省范围的经办权限", "year"
    if year >= today.year:
        return f"{year}年尚未结束，不能进行年度结算", "year"
    missing = [m for m in range(1, 13) if year * 100 + m not in assessed]
    if missing:
        months = "、".join(f"{m}月" for m in missing[:6]) + ("等" if len(missing) > 6 else "")
        return f"{year}年{months}共{len(missing)}个结算期尚未核定，不能进行年度结算", "year"
    if next_settled:
        return f"{year + 1}年已结算，不能再重新结算{year}年", "year"
    if not rate_known:
        return f"没有{year}年的养老个人账户记账利率，请先在“费率与基数”中录入", "year"
    return None
