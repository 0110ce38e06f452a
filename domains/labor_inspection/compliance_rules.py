"""Rules of the 劳动用工合规证明 (INS-5), pure functions tested from tables (tests/labor_inspection/
test_compliance_rules.py).

The manual (2.2.4 合规证明登记) shows the form but no limits; these are the portal's choices:
- the period is whole months, the end no later than the current month (a certificate speaks of the past);
- at most MAX_MONTHS: three years, the longest period a purpose asks for (首次公开发行上市的报告期 is three
  financial years; 招投标 and 融资 usually ask for one to three years);
- the reviewer is warned, never silently decided for, by `warnings`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from portal.values import period_label

PURPOSES = (("listing", "上市"), ("bidding", "招投标"), ("financing", "融资"), ("other", "其他"))
PURPOSE_LABELS = dict(PURPOSES)
MAX_MONTHS = 36

# 书审 办件 states that are not closed: 待审核, and 责令整改 until the employer resubmits and the squad approves.
UNRESOLVED_REVIEW_STATES = {"submitted": "待审核", "rejected": "责令整改未结束"}


def months_between(start: int, end: int) -> int:
    """Months from `start` to `end` (YYYYMM) counting both: 202501 → 202512 is 12."""
    return (end // 100 - start // 100) * 12 + end % 100 - start % 100 + 1


def period_errors(start: int | None, end: int | None, this_month: int) -> dict[str, str]:
    """Field → reason for the period to cover; `this_month` is today's YYYYMM (Asia/Shanghai)."""
    errors: dict[str, str] = {}
    for field, value, label in (("start_month", start, "起始年月"), ("end_month", end, "截止年月")):
        if value is not None and value > this_month:
            errors[field] = f"{label}不能晚于本月（{period_label(this_month)}）"
    if start is not None and end is not None and not errors:
        if start > end:
            errors["end_month"] = "截止年月不能早于起始年月"
        elif months_between(start, end) > MAX_MONTHS:
            errors["start_month"] = (f"证明期间最长{MAX_MONTHS}个月（3年），现为{months_between(start, end)}个月，"
                                     "请缩短期间")
    return errors


def purpose_errors(purpose: str | None, other: str | None) -> dict[str, str]:
    if purpose == "other" and not (other or "").strip():
        return {"purpose_other": "用途选择“其他”时，请填写具体用途"}
    return {}


def purpose_text(purpose: str, other: str = "") -> str:
    label = PURPOSE_LABELS.get(purpose, purpose)
    return f"{label}（{other}）" if purpose == "other" and other else label


def period_text(start: int, end: int) -> str:
    return f"{period_label(start)}至{period_label(end)}"


def years_of(start: int, end: int) -> range:
    """The 书审 years (and grade years) a period touches."""
    return range(start // 100, end // 100 + 1)


def warnings(reviews: Iterable[Mapping[str, Any]], grades: Iterable[Mapping[str, Any]] = ()) -> list[str]:
    """What the reviewer must see before deciding, one Chinese line each, from the employer's records in the
    period's years. `reviews`: year, state (the 书审 办件's; None before 完成申报), findings and problems (the
    责令整改 list) — a review still being filled in says nothing yet. `grades`: year and grade (A/B/C)."""
    out: list[str] = []
    for g in sorted(grades, key=lambda g: g["year"]):
        if g.get("grade") == "C":
            out.append(f"{g['year']}年度信用等级为C级（不守法诚信）")
    for r in sorted(reviews, key=lambda r: r["year"]):
        state = r.get("state")
        if state in UNRESOLVED_REVIEW_STATES:
            out.append(f"{r['year']}年度网上书审尚未办结（{UNRESOLVED_REVIEW_STATES[state]}）")
        problems = list(dict.fromkeys([*(r.get("findings") or []), *(r.get("problems") or [])]))
        if state and problems:
            shown = "；".join(problems[:5]) + ("等" if len(problems) > 5 else "")
            out.append(f"{r['year']}年度网上书审发现问题{len(problems)}项：{shown}")
    return out
