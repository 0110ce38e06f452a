"""Rules of the 劳动用工合规证明 (INS-5) from tables: the period, the purpose, and the reviewer's warnings."""

from __future__ import annotations

import pytest

from domains.labor_inspection import compliance_rules as rules

THIS_MONTH = 202612


@pytest.mark.parametrize(("start", "end", "expected"), [
    (202601, 202611, {}),
    (202601, 202612, {}),  # up to this month
    (202401, 202612, {}),  # 36 months exactly
    (202312, 202612, {"start_month": "证明期间最长36个月（3年），现为37个月，请缩短期间"}),
    (202605, 202604, {"end_month": "截止年月不能早于起始年月"}),
    (202606, 202606, {}),  # one month
    (202601, 202701, {"end_month": "截止年月不能晚于本月（2026年12月）"}),
    (202701, 202702, {"start_month": "起始年月不能晚于本月（2026年12月）",
                      "end_month": "截止年月不能晚于本月（2026年12月）"}),
    (None, 202611, {}),  # the missing field has its own message
    (202601, None, {}),
])
def test_period(start, end, expected):
    assert rules.period_errors(start, end, THIS_MONTH) == expected


@pytest.mark.parametrize(("purpose", "other", "expected"), [
    ("listing", None, {}), ("other", "申请补贴", {}),
    ("other", None, {"purpose_other": "用途选择“其他”时，请填写具体用途"}),
    ("other", "  ", {"purpose_other": "用途选择“其他”时，请填写具体用途"}),
    ("financing", "多余的字", {}),
])
def test_purpose(purpose, other, expected):
    assert rules.purpose_errors(purpose, other) == expected


def test_texts():
    assert rules.months_between(202401, 202612) == 36
    assert rules.period_text(202501, 202512) == "2025年01月至2025年12月"
    assert rules.purpose_text("other", "申请补贴") == "其他（申请补贴）"
    assert rules.purpose_text("listing", "ignored") == "上市"
    assert list(rules.years_of(202411, 202602)) == [2024, 2025, 2026]


@pytest.mark.parametrize(("reviews", "grades", "expected"), [
    ([], [], []),
    ([{"year": 2025, "state": "approved", "findings": [], "problems": []}], [], []),
    ([{"year": 2025, "state": None, "findings": ["使用童工"], "problems": []}], [], []),  # not yet submitted
    ([{"year": 2025, "state": "submitted", "findings": [], "problems": []}], [],
     ["2025年度网上书审尚未办结（待审核）"]),
    ([{"year": 2025, "state": "rejected", "findings": ["使用童工"], "problems": ["使用童工", "差异一"]}], [],
     ["2025年度网上书审尚未办结（责令整改未结束）", "2025年度网上书审发现问题2项：使用童工；差异一"]),
    ([{"year": 2026, "state": "approved", "findings": [f"问题{i}" for i in range(7)], "problems": []},
      {"year": 2025, "state": "approved", "findings": [], "problems": []}], [],
     ["2026年度网上书审发现问题7项：问题0；问题1；问题2；问题3；问题4等"]),
    ([], [{"year": 2025, "grade": "C"}, {"year": 2024, "grade": "A"}], ["2025年度信用等级为C级（不守法诚信）"]),
])
def test_warnings(reviews, grades, expected):
    assert rules.warnings(reviews, grades) == expected
