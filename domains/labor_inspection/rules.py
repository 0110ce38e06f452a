"""Rules of 劳动保障监察 书面审查 (pure functions, table-driven tests in tests/labor_inspection/test_rules.py).

① 用工情况自查 asks the points an inspector checks, each with its figure where one applies. Three kinds of output:
- `answer_errors`: answers that contradict each other (a refusal beside the field, nothing saved);
- `findings`: answers that show a breach of the law (allowed, shown to employer and squad, listed in 责令整改);
- `differences`: the answers against the employer's own records in the platform, shown before 完成申报.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

YES, NO = "是", "否"
YES_NO = ((YES, YES), (NO, NO))

# 劳动法 第四十一条: overtime at most 36 hours a month.
OVERTIME_LIMIT_HOURS = 36
# 劳务派遣暂行规定 第四条: dispatched workers at most 10 % of 用工总量 (contract workers + dispatched workers).
DISPATCH_LIMIT_PERCENT = 10


@dataclass(frozen=True)
class Question:
    code: str
    label: str
    kind: str  # "count" (人数/小时, integer ≥ 0), "yes_no", "money" (元 → 分)
    hint: str = ""
    required: bool = True


QUESTIONS: tuple[Question, ...] = (
    Question("total_staff", "职工总数（人）", "count", "本单位建立劳动关系的全部职工，不含劳务派遣人员"),
    Question("contract_signed", "签订书面劳动合同人数（人）", "count", "劳动合同签订情况"),
    Question("wage_paid", "工资是否按时足额支付", "yes_no", "工资按时足额支付情况"),
    Question("wage_arrears", "被拖欠工资人数（人）", "count", "工资未按时足额支付时填写", required=False),
    Question("lowest_wage", "本单位职工最低月工资（元）", "money", "最低工资标准执行情况：应不低于当地最低工资标准"),
    Question("below_minimum", "是否有职工工资低于当地最低工资标准", "yes_no"),
    Question("overtime_hours", "职工月最长加班时间（小时）", "count", f"工时与加班：每月不得超过{OVERTIME_LIMIT_HOURS}小时"),
    Question("insured_count", "参加社会保险人数（人）", "count", "社会保险参保缴费情况"),
    Question("female_protected", "女职工和未成年工特殊劳动保护是否落实", "yes_no"),
    Question("child_labour", "是否使用童工", "yes_no", "禁止使用未满16周岁的未成年人"),
    Question("dispatch_count", "使用劳务派遣人数（人）", "count", f"劳务派遣用工不得超过用工总量的{DISPATCH_LIMIT_PERCENT}%"),
    Question("rules_published", "规章制度是否经民主程序制定并向职工公示", "yes_no"),
)
QUESTION_LABELS = {q.code: q.label for q in QUESTIONS}


def answer_errors(a: dict[str, Any]) -> dict[str, str]:
    """Answers that cannot all be true (field → message); `a` holds the cleaned answers."""
    errors: dict[str, str] = {}
    total = a.get("total_staff")
    if total is not None:
        for code in ("contract_signed", "insured_count", "wage_arrears"):
            value = a.get(code)
            if value is not None and value > total:
                errors[code] = f"{QUESTION_LABELS[code][:-3]}不能大于职工总数（{total}人）"
    if a.get("wage_paid") == NO and a.get("wage_arrears") in (None, 0):
        errors["wage_arrears"] = "工资未按时足额支付的，请填写被拖欠工资人数"
    if a.get("wage_paid") == YES and (a.get("wage_arrears") or 0) > 0:
        errors["wage_arrears"] = "工资已按时足额支付的，被拖欠工资人数应为0或不填"
    return errors


def findings(a: dict[str, Any]) -> list[str]:
    """What the answers themselves say is wrong: each is a point the squad will ask the employer to correct."""
    out: list[str] = []
    total, signed = a.get("total_staff") or 0, a.get("contract_signed") or 0
    if signed < total:
        out.append(f"有{total - signed}名职工未签订书面劳动合同")
    if a.get("wage_paid") == NO:
        out.append(f"未按时足额支付工资（涉及{a.get('wage_arrears') or 0}人）")
    if a.get("below_minimum") == YES:
        out.append("有职工工资低于当地最低工资标准")
    if (a.get("overtime_hours") or 0) > OVERTIME_LIMIT_HOURS:
        out.append(f"职工月加班时间{a['overtime_hours']}小时，超过每月{OVERTIME_LIMIT_HOURS}小时的上限")
    insured = a.get("insured_count") or 0
    if insured < total:
        out.append(f"有{total - insured}名职工未参加社会保险")
    if a.get("female_protected") == NO:
        out.append("女职工和未成年工特殊劳动保护未落实")
    if a.get("child_labour") == YES:
        out.append("使用童工")
    dispatched = a.get("dispatch_count") or 0
    if dispatched and dispatched * 100 > DISPATCH_LIMIT_PERCENT * (signed + dispatched):
        share = dispatched * 100 / (signed + dispatched)
        out.append(f"劳务派遣用工占用工总量的{share:.1f}%，超过{DISPATCH_LIMIT_PERCENT}%")
    if a.get("rules_published") == NO:
        out.append("规章制度未经民主程序制定或未向职工公示")
    return out


def differences(a: dict[str, Any], *, contracts: int, insured: int, imported: int | None) -> list[str]:
    """The self-check against the platform's records: 劳动合同备案 (在职), 社会保险参保 and the imported staff list."""
    out: list[str] = []
    if a.get("contract_signed") is not None and a["contract_signed"] != contracts:
        out.append(f"自查填报签订劳动合同人数 {a['contract_signed']}，系统劳动合同备案在职人数 {contracts}")
    if a.get("insured_count") is not None and a["insured_count"] != insured:
        out.append(f"自查填报参保人数 {a['insured_count']}，系统参保人数 {insured}")
    if imported is not None and a.get("total_staff") is not None and a["total_staff"] != imported:
        out.append(f"自查填报职工总数 {a['total_staff']}，导入劳动用工信息 {imported} 人")
    return out


def steps_missing(review: dict[str, Any]) -> list[str]:
    """What 完成申报 still needs (a Chinese line per missing step)."""
    out = []
    if not review.get("answered_at"):
        out.append("第一步“用工情况自查”尚未保存")
    if not review.get("imported_at"):
        out.append("第二步“劳动用工信息”尚未导入成功")
    if not review.get("squad_code"):
        out.append("第三步“选择监察中队”尚未完成")
    return out


def squad_depth(divisions: list[str], division_code: str) -> int:
    """How closely a squad covers a 街道(乡镇): the length of its longest division that is that division or contains
    it (code prefix); 0 when it does not cover it. The street's 中队 (9 digits) beats the district's 大队 (6)."""
    if not division_code:
        return 0
    return max((len(d) for d in divisions if d and division_code.startswith(d)), default=0)


def answer_rows(a: dict[str, Any]) -> list[list[str]]:
    """The answers as (question, answer) text, kept in the 办件 so the squad sees what was submitted."""
    out = []
    for q in QUESTIONS:
        value = a.get(q.code)
        if value is None:
            text = "（未填）"
        elif q.kind == "money":
            text = f"{value / 100:.2f}"
        else:
            text = str(value)
        out.append([q.label, text])
    return out


def division_prefix(code: str) -> str:
    """The code prefix of everything inside a division: 460100 (海口市) → 4601, 460105 → 460105, 460000 → 46."""
    code = code[:6]
    while code.endswith("00") and len(code) > 2:
        code = code[:-2]
    return code
