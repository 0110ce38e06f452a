"""Rules of 人员增减员 as plain functions (tested table-driven in tests/personnel_change/test_rules.py).

A 结算期 is an integer YYYYMM, money integer 分 (as in social_insurance). A record (参保登记) is a dict with id,
employer, employer_name, insurance, status (active / suspended / terminated), start_period, end_period.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

ENROL_KINDS = {"new": "新参保", "resume": "续保", "transfer": "调入"}
WITHDRAW_KINDS = {"suspend": "暂停参保", "terminate": "终止参保", "retire": "在职转退休"}
KIND_LABELS = {**ENROL_KINDS, **WITHDRAW_KINDS}
# 减员确认 lists the manual's four kinds as they result (the fourth is another employer's approved 调入).
RESULT_LABELS = {"suspend": "暂时停保", "terminate": "永久停保", "retire": "退休或离休", "transfer_out": "人员险种调出单位"}
INSURANCES = ("pension", "medical", "injury", "unemployment", "maternity")
INSURANCE_LABELS = {"pension": "养老保险", "medical": "医疗保险", "injury": "工伤保险",
                    "unemployment": "失业保险", "maternity": "生育保险"}
MIN_AGE = 16  # 劳动法第十五条: 禁止用人单位招用未满十六周岁的未成年人
RETIRE_CLASSES = (("male", "男职工"), ("female55", "原法定退休年龄55周岁的女职工（管理、专业技术岗位）"),
                  ("female50", "原法定退休年龄50周岁的女职工"))


@cache  # a few distinct 结算期 over the 50,000 sentences of an upload
def period_text(period: int) -> str:
    return f"{period // 100}-{period % 100:02d}"


def add_months(period: int, months: int) -> int:
    index = (period // 100) * 12 + (period % 100 - 1) + months
    return (index // 12) * 100 + index % 12 + 1


def insurance_label(code: str) -> str:
    return INSURANCE_LABELS.get(code, code)


# ---- 增员: which kind, decided by the server from the person's records ------------------------------------

@dataclass(frozen=True)
class Plan:
    """What one insurance of an application will do: kind, the record it ends (or None), or why it cannot."""

    insurance: str
    kind: str = ""
    record: dict | None = None
    refusal: str | None = None


def live(records: list[dict], insurance: str) -> dict | None:
    """The person's record of this insurance that is not 终止参保 (at most one: SI's partial unique index)."""
    return next((r for r in records if r["insurance"] == insurance and r["status"] != "terminated"), None)


def enrol_plan(records: list[dict], employer_id: int, insurance: str) -> Plan:
    """新参保 (never insured for it), 续保 (insured before, nothing active now — a record suspended here is
    resumed), 调入 (live at another employer: that record ends when this one starts)."""
    if not records:  # most rows of an upload: a person never insured
        return Plan(insurance, "new")
    current = live(records, insurance)
    label = insurance_label(insurance)
    if current is not None and current["employer"] == employer_id:
        if current["status"] == "active":
            return Plan(insurance, refusal=f"该人员已在本单位参加{label}，不能重复增员")
        return Plan(insurance, "resume", current)
    if current is not None:
        return Plan(insurance, "transfer", current)
    if any(r["insurance"] == insurance for r in records):
        return Plan(insurance, "resume")
    return Plan(insurance, "new")


def withdraw_plan(records: list[dict], employer_id: int, insurance: str, kind: str) -> Plan:
    """减员 only of a record live at this employer; 暂停参保 only of one still paying."""
    current = live(records, insurance)
    label = insurance_label(insurance)
    if current is None or current["employer"] != employer_id:
        return Plan(insurance, refusal=f"该人员未在本单位参加{label}，不能减员")
    if kind == "suspend" and current["status"] != "active":
        return Plan(insurance, refusal=f"该人员{label}已暂停缴费，不能再次暂停")
    return Plan(insurance, kind, current)


def pending_refusal(pending: list[dict]) -> str | None:
    """One pending change per person per insurance: the 办件 that holds it is named."""
    if not pending:
        return None
    p = pending[0]
    return (f"该人员{insurance_label(p['insurance'])}已有未办结的异动申报（办件编号 {p['number']}），"
            "请先在增员确认或减员确认中处理")


# 撤回 (X-1a) is "recall" in identifiers here: "withdraw" already names 减员.
RECALL_REFUSALS = {
    "draft": "该申报尚未确认通过，无需撤回，可直接修改或删除",
    "rejected": "该申报已审核不通过，无需撤回，可查看审核明细后修改或删除",
    "approved": "该申报已审核通过，参保登记已变更，不能撤回",
    "voided": "该申报已删除，不能撤回",
}


def recall_refusal(state: str) -> str | None:
    """撤回: only a confirmed application no reviewer has decided yet (已确认（待审核）) goes back to 未确认; otherwise
    why not, in words for the employer (a reviewer's decision may have just come first)."""
    if state == "submitted":
        return None
    return RECALL_REFUSALS.get(state, "该申报当前状态不能撤回")


# ---- 结算期 ------------------------------------------------------------------------------------------------

def start_period_refusal(period: int, first_period: int | None, closed: set[int]) -> str | None:
    """A change may not start before the employer's first 结算期, nor in a closed (关账) one."""
    if first_period is not None and period < first_period:
        return f"结算期不能早于本单位首个结算期 {period_text(first_period)}"
    if period in closed:
        return f"结算期 {period_text(period)} 已关账，不能申报该期的增减员"
    return None


def withdraw_period_refusal(period: int, record: dict) -> str | None:
    """减员 applies from a 结算期 after the record started (the record keeps at least its first month)."""
    if period <= record["start_period"]:
        return f"减员结算期应晚于参保开始结算期 {period_text(record['start_period'])}"
    return None


def transfer_period_refusal(period: int, record: dict) -> str | None:
    """调入 ends the other record with the previous 结算期, which must not be before that record started."""
    if period <= record["start_period"]:
        return f"调入结算期应晚于原单位参保开始结算期 {period_text(record['start_period'])}"
    return None


def first_day(period: int) -> date:
    return date(period // 100, period % 100, 1)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def age_refusal(birth: date, period: int) -> str | None:
    if age_on(birth, first_day(period)) < MIN_AGE:
        return f"该人员在结算期 {period_text(period)} 未满{MIN_AGE}周岁，不能参保"
    return None


# ---- 在职转退休: the statutory retirement age of the 2025 gradual reform (reference/retirement.csv) --------

@dataclass(frozen=True)
class RetirementRule:
    code: str
    label: str
    original_age: int
    first_birth_month: int  # YYYYMM: persons born from this month on retire later
    step_months: int  # one month later for every `step_months` months of birth
    max_delay_months: int
    source: str


@cache
def retirement_rules() -> dict[str, RetirementRule]:
    path = Path(__file__).parent / "reference" / "retirement.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return {r["class"]: RetirementRule(r["class"], r["label"], int(r["original_age"]), int(r["first_birth_month"]),
                                           int(r["step_months"]), int(r["max_delay_months"]), r["source"])
                for r in csv.DictReader(fh)}


def retirement_age_months(birth: date, rule: RetirementRule) -> int:
    """法定退休年龄 in months: the original age plus one month per `step_months` months born since the start."""
    born = birth.year * 100 + birth.month
    if born < rule.first_birth_month:
        return rule.original_age * 12
    months_since = (birth.year * 12 + birth.month - 1) - ((rule.first_birth_month // 100) * 12
                                                          + rule.first_birth_month % 100 - 1)
    return rule.original_age * 12 + min(months_since // rule.step_months + 1, rule.max_delay_months)


def retirement_period(birth: date, rule: RetirementRule) -> int:
    """The 结算期 in which the person reaches the statutory age (the month of birth plus the age)."""
    return add_months(birth.year * 100 + birth.month, retirement_age_months(birth, rule))


def age_text(months: int) -> str:
    years, rest = divmod(months, 12)
    return f"{years}周岁" + (f"{rest}个月" if rest else "")


def retire_refusal(birth: date, gender: str, retire_class: str, period: int) -> str | None:
    """在职转退休 only from the 结算期 after the statutory retirement age is reached."""
    if gender == "男":
        retire_class = "male"
    elif retire_class not in ("female55", "female50"):
        return "请选择该女职工原法定退休年龄的类别"
    rule = retirement_rules()[retire_class]
    due = retirement_period(birth, rule)
    if period <= due:
        return (f"该人员法定退休年龄为{age_text(retirement_age_months(birth, rule))}，"
                f"{period_text(due)} 达到，退休结算期应从 {period_text(add_months(due, 1))} 起")
    return None


# ---- check-answers wording --------------------------------------------------------------------------------

def outcome(kind: str, insurance: str, period: int) -> str:
    """What will happen, in the sentence the check-answers step shows (issue 18). A 调入 never names the other
    employer: the filing employer needs only to know that the person is insured elsewhere."""
    label = insurance_label(insurance)
    before = period_text(add_months(period, -1))
    if kind == "transfer":
        return f"{label} 调入：自其他单位转入，原参保关系于 {before} 终止，{period_text(period)} 起在本单位参保"
    if kind == "resume":
        return f"{label} 续保：{period_text(period)} 起恢复在本单位参保缴费"
    if kind == "new":
        return f"{label} 新参保：{period_text(period)} 起在本单位参保"
    if kind == "suspend":
        return f"{label} 暂停参保：缴费至 {before}，{period_text(period)} 起暂停"
    if kind == "terminate":
        return f"{label} 终止参保：参保关系于 {before} 终止"
    return f"{label} 在职转退休：缴费至 {before}，{period_text(period)} 起按退休办理"


# ---- one application, every rule at once (the single form and each row of an upload) ----------------------

def check_enrol(*, employer_id: int, birth: date | None, insurances: list[str], period: int | None,
                records: list[dict], pending: list[dict], first_period: int | None, closed: set[int],
                base_reason: str | None) -> tuple[dict[str, str], list[Plan]]:
    """field → Chinese reason, and the plan of each insurance chosen (kinds decided here, never by the form)."""
    errors: dict[str, str] = {}
    if not insurances:
        errors["insurances"] = "请至少选择一个参保险种"
    if period is not None:
        if reason := start_period_refusal(period, first_period, closed):
            errors["period"] = reason
        elif birth is not None and (reason := age_refusal(birth, period)):
            errors["id_number"] = reason
    if base_reason:
        errors["base"] = base_reason
    plans = [enrol_plan(records, employer_id, i) for i in insurances]
    for plan in plans:
        if plan.refusal:
            errors.setdefault("insurances", plan.refusal)
        elif plan.kind == "transfer" and period is not None and (
                reason := transfer_period_refusal(period, plan.record)):
            errors.setdefault("period", reason)
    if reason := pending_refusal([p for p in pending if p["insurance"] in insurances]):
        errors.setdefault("insurances", reason)
    return errors, plans


RETIRE_REASON = "21"  # 减员原因 达到法定退休年龄退休 (dictionary pc_withdraw_reason)


def reason_refusal(kind: str, reason: str) -> str | None:
    """在职转退休 goes with the retirement reason, and the retirement reason with nothing else."""
    if kind == "retire" and reason and reason != RETIRE_REASON:
        return "在职转退休的减员原因应为“达到法定退休年龄退休”"
    if kind != "retire" and reason == RETIRE_REASON:
        return "退休人员请选择减员类型“在职转退休”"
    return None


def check_withdraw(*, employer_id: int, birth: date | None, gender: str, kind: str, retire_class: str,
                   insurances: list[str], period: int | None, records: list[dict], pending: list[dict],
                   first_period: int | None, closed: set[int], reason: str = "") -> tuple[dict[str, str], list[Plan]]:
    errors: dict[str, str] = {}
    if message := reason_refusal(kind, reason):
        errors["reason"] = message
    if not insurances:
        errors["insurances"] = "请至少选择一个减员险种"
    plans = [withdraw_plan(records, employer_id, i, kind) for i in insurances]
    for plan in plans:
        if plan.refusal:
            errors.setdefault("insurances", plan.refusal)
    if period is not None:
        if reason := start_period_refusal(period, first_period, closed):
            errors["period"] = reason
        else:
            for plan in plans:
                if plan.record is not None and (reason := withdraw_period_refusal(period, plan.record)):
                    errors.setdefault("period", reason)
        if kind == "retire" and birth is not None and (
                reason := retire_refusal(birth, gender, retire_class, period)):
            errors.setdefault("retire_class" if "女职工" in reason else "kind", reason)
    if reason := pending_refusal([p for p in pending if p["insurance"] in insurances]):
        errors.setdefault("insurances", reason)
    return errors, plans
