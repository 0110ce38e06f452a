"""Rules of social-insurance records, table-driven, without a database."""

from __future__ import annotations

from datetime import date

import pytest

from domains.social_insurance import rules
from domains.social_insurance.rules import Limits, Refused


@pytest.mark.parametrize(("base", "rate", "expected"), [
    (500000, 16000, 80000),      # 5,000.00 元 × 16% = 800.00
    (456789, 16000, 73086),      # 730.8624 → 730.86 (down)
    (456789, 8000, 36543),       # 365.4312 → 365.43
    (333333, 500, 1667),         # 16.666665 → 16.67 (up)
    (100000, 50, 50),            # 1,000.00 元 × 0.05% = 0.50 元 exactly
    (101, 50000, 51),            # 50.5 分 → 51 (half up)
    (99, 50000, 50),             # 49.5 分 → 50 (half up)
    (0, 16000, 0),
    (2200000, 20000, 440000),    # ceiling × highest rate: no overflow, exact
])
def test_due_rounds_half_up_to_the_fen(base, rate, expected):
    assert rules.due(base, rate) == expected


@pytest.mark.parametrize(("base", "message"), [
    (439999, "缴费基数不能低于下限 4,400.00 元"),
    (440000, None),
    (2200000, None),
    (2200001, "缴费基数不能高于上限 22,000.00 元"),
])
def test_base_floor_and_ceiling(base, message):
    assert rules.base_refusal(base, Limits(base_floor=440000, base_ceiling=2200000)) == message


@pytest.mark.parametrize(("arrears", "period", "paid_on", "days", "fee"), [
    (100000, 202611, date(2026, 11, 30), 0, 0),       # paid on the deadline: no fee
    (100000, 202611, date(2026, 12, 1), 1, 50),       # 1,000.00 元 × 0.05% × 1 = 0.50 元
    (100000, 202611, date(2026, 12, 31), 31, 1550),
    (12345, 202602, date(2026, 3, 10), 10, 62),       # 123.45 × 0.0005 × 10 = 0.617 → 0.62
    (100000, 202611, date(2026, 11, 2), 0, 0),        # early payment never earns a negative fee
])
def test_late_fee_per_day(arrears, period, paid_on, days, fee):
    assert rules.late_days(period, paid_on) == days
    assert rules.late_fee(arrears, period, paid_on) == fee


@pytest.mark.parametrize(("state", "message"), [
    (None, None), ("open", None), ("closed", "该结算期已关账，不能重新核定"),
])
def test_closed_period_refuses_assessment(state, message):
    assert rules.assessment_refusal(state) == message


@pytest.mark.parametrize(("text", "period"), [
    ("2026-11", 202611), ("202611", 202611), ("2026年11月", 202611), ("2026/1", 202601), (" 2026-01 ", 202601),
])
def test_parse_period(text, period):
    assert rules.parse_period(text) == period


BAD_FORMAT = "结算期格式不正确，请按“年月”填写，如 2026-05、202605 或 2026年5月"


@pytest.mark.parametrize(("text", "message"), [
    ("", BAD_FORMAT), ("2026-13", "结算期不存在，请检查年份和月份"), ("11-2026", BAD_FORMAT), ("abc", BAD_FORMAT),
])
def test_parse_period_refuses(text, message):
    with pytest.raises(Refused) as exc:
        rules.parse_period(text)
    assert exc.value.message == message and exc.value.field == "period"


@pytest.mark.parametrize("raw", ["2026-05", "202605", "2026年5月", "2026/5", "２０２６－０５", "2026-13", "26-05", "五月", ""])
async def test_every_month_input_parses_alike(raw):
    """One parser (portal.values.month_or_reason): SI's 结算期, the 增员 form's and the platform's MonthField agree,
    value and message."""
    from domains.personnel_change import forms as pc_forms
    from portal.forms import Form, MonthField

    try:
        expected: tuple = (rules.parse_period(raw), None)
    except Refused as exc:
        expected = (None, exc.message)
    platform = Form([MonthField("period", "结算期")], {"period": raw})
    await platform.validate()
    enrol = pc_forms.enrol_form({"period": raw})
    await enrol.validate()
    if raw:
        assert (platform.cleaned.get("period"), platform.errors.get("period")) == expected
        reason = enrol.errors.get("period")
        assert (enrol.cleaned.get("period"), reason.replace("参保开始", "") if reason else None) == expected
    else:
        assert expected == (None, BAD_FORMAT) and platform.errors["period"] == "请填写结算期"


@pytest.mark.parametrize(("period", "months", "expected"), [
    (202611, 1, 202612), (202612, 1, 202701), (202601, -1, 202512), (202506, -17, 202401), (202611, 0, 202611),
])
def test_add_months(period, months, expected):
    assert rules.add_months(period, months) == expected


RATES = [
    {"insurance": "pension", "risk_class": 0, "effective_from": 201501, "employer_rate": 20000, "personal_rate": 8000},
    {"insurance": "pension", "risk_class": 0, "effective_from": 201905, "employer_rate": 16000, "personal_rate": 8000},
    {"insurance": "injury", "risk_class": 4, "effective_from": 201510, "employer_rate": 900, "personal_rate": 0},
]


@pytest.mark.parametrize(("period", "pension"), [(201904, (20000, 8000)), (201905, (16000, 8000)),
                                                 (202611, (16000, 8000)), (201412, None)])
def test_effective_rates_pick_the_latest_in_force(period, pension):
    assert rules.effective_rates(RATES, period).get(("pension", 0)) == pension


def test_contribution_row_by_hand():
    rates = {("pension", 0): (16000, 8000), ("medical", 0): (6000, 2000), ("injury", 4): (900, 0),
             ("unemployment", 0): (500, 500), ("maternity", 0): (500, 0)}
    row = rules.contribution(456789, set(rules.INSURANCES), rates, risk=4)
    # 4,567.89 元: 养老 730.86 + 365.43, 医疗 274.07 + 91.36, 工伤 41.11, 失业 22.84 + 22.84, 生育 22.84
    assert row == {"pension_employer": 73086, "pension_personal": 36543, "medical_employer": 27407,
                   "medical_personal": 9136, "injury_employer": 4111, "unemployment_employer": 2284,
                   "unemployment_personal": 2284, "maternity_employer": 2284, "total": 157135}


@pytest.mark.parametrize(("industry", "risk"), [("B", 8), ("I", 1), ("C", 4), ("", 1), ("Z", 1), ("c", 4)])
def test_risk_class_by_industry(industry, risk):
    assert rules.risk_class(industry) == risk


@pytest.mark.parametrize(("carried", "credited", "rate", "interest"), [
    (0, 480000, 6120, 15907),           # 4,800.00 × 6.12% × 1.083 / 2 = 159.07104 → 159.07
    (1000000, 0, 3970, 39700),          # 10,000.00 × 3.97% = 397.00
    (1000000, 480000, 2620, 33010),     # 262.00 + 4,800.00 × 2.62% × 0.5415 = 262.00 + 68.0976 → 330.10
    (0, 0, 8310, 0),
])
def test_pension_interest(carried, credited, rate, interest):
    assert rules.pension_interest(carried, credited, rate) == interest
    assert rules.pension_year(carried, credited, rate, 12)["balance"] == carried + credited + interest
