"""书面审查 rules from tables: contradictory answers, findings, the cross-check, squad coverage."""

from __future__ import annotations

import pytest

from domains.labor_inspection import rules

GOOD = {"total_staff": 120, "contract_signed": 120, "wage_paid": "是", "wage_arrears": None, "lowest_wage": 250000,
        "below_minimum": "否", "overtime_hours": 30, "insured_count": 120, "female_protected": "是",
        "child_labour": "否", "dispatch_count": 12, "rules_published": "是"}


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"contract_signed": 121}, "contract_signed", "签订书面劳动合同人数不能大于职工总数（120人）"),
    ({"insured_count": 130}, "insured_count", "参加社会保险人数不能大于职工总数（120人）"),
    ({"wage_paid": "否"}, "wage_arrears", "工资未按时足额支付的，请填写被拖欠工资人数"),
    ({"wage_paid": "否", "wage_arrears": 0}, "wage_arrears", "工资未按时足额支付的，请填写被拖欠工资人数"),
    ({"wage_arrears": 3}, "wage_arrears", "工资已按时足额支付的，被拖欠工资人数应为0或不填"),
    ({"wage_paid": "否", "wage_arrears": 121}, "wage_arrears", "被拖欠工资人数不能大于职工总数（120人）"),
])
def test_answer_errors(changes, field, message):
    assert rules.answer_errors({**GOOD, **changes}) == {field: message}


def test_good_answers_have_no_errors_and_no_findings():
    assert rules.answer_errors(GOOD) == {}
    assert rules.findings(GOOD) == []


@pytest.mark.parametrize(("changes", "finding"), [
    ({"contract_signed": 100, "dispatch_count": 0}, "有20名职工未签订书面劳动合同"),
    ({"wage_paid": "否", "wage_arrears": 5}, "未按时足额支付工资（涉及5人）"),
    ({"below_minimum": "是"}, "有职工工资低于当地最低工资标准"),
    ({"overtime_hours": 37}, "职工月加班时间37小时，超过每月36小时的上限"),
    ({"insured_count": 118}, "有2名职工未参加社会保险"),
    ({"female_protected": "否"}, "女职工和未成年工特殊劳动保护未落实"),
    ({"child_labour": "是"}, "使用童工"),
    ({"dispatch_count": 14}, "劳务派遣用工占用工总量的10.4%，超过10%"),
    ({"rules_published": "否"}, "规章制度未经民主程序制定或未向职工公示"),
])
def test_findings(changes, finding):
    assert rules.findings({**GOOD, **changes}) == [finding]


@pytest.mark.parametrize(("overtime", "dispatch", "expected"), [
    (36, 13, 0),   # at the limits: 36 hours; 13 / (120 + 13) = 9.8 %
    (36, 14, 1),   # 14 / 134 = 10.4 %
    (37, 0, 1),
])
def test_limits_are_inclusive(overtime, dispatch, expected):
    assert len(rules.findings({**GOOD, "overtime_hours": overtime, "dispatch_count": dispatch})) == expected


@pytest.mark.parametrize(("records", "expected"), [
    ({"contracts": 120, "insured": 120, "imported": 120}, []),
    ({"contracts": 120, "insured": 118, "imported": 120}, ["自查填报参保人数 120，系统参保人数 118"]),
    ({"contracts": 119, "insured": 120, "imported": None},
     ["自查填报签订劳动合同人数 120，系统劳动合同备案在职人数 119"]),
    ({"contracts": 120, "insured": 120, "imported": 3}, ["自查填报职工总数 120，导入劳动用工信息 3 人"]),
])
def test_differences(records, expected):
    assert rules.differences(GOOD, **records) == expected


@pytest.mark.parametrize(("review", "missing"), [
    ({}, 3),
    ({"answered_at": 1}, 2),
    ({"answered_at": 1, "imported_at": 1}, 1),
    ({"answered_at": 1, "imported_at": 1, "squad_code": "Z1"}, 0),
])
def test_steps_missing(review, missing):
    assert len(rules.steps_missing(review)) == missing


@pytest.mark.parametrize(("divisions", "division", "depth"), [
    (["460105001"], "460105001", 9),
    (["460105"], "460105002", 6),           # a 大队 over the whole district
    (["460105", "460105002"], "460105002", 9),
    (["460105001"], "460105002", 0),
    (["460105001"], "", 0),
    ([""], "460105001", 0),
])
def test_squad_depth(divisions, division, depth):
    assert rules.squad_depth(divisions, division) == depth


@pytest.mark.parametrize(("code", "prefix"), [
    ("460100", "4601"), ("460105", "460105"), ("460000", "46"), ("460105001", "460105"), ("", ""),
])
def test_division_prefix(code, prefix):
    assert rules.division_prefix(code) == prefix
