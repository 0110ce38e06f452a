"""The rules of 人员增减员 from tables of cases, without a database."""

from __future__ import annotations

from datetime import date

import pytest

from domains.personnel_change import rules

ME, OTHER = 1, 2


def rec(employer: int, insurance: str = "pension", status: str = "active", start: int = 202501, rid: int = 10,
        end: int | None = None) -> dict:
    return {"id": rid, "employer": employer, "employer_name": f"单位{employer}", "insurance": insurance,
            "status": status, "start_period": start, "end_period": end}


@pytest.mark.parametrize(("records", "kind", "refusal"), [
    ([], "new", None),
    ([rec(OTHER, status="terminated")], "resume", None),
    ([rec(ME, status="terminated")], "resume", None),
    ([rec(ME, insurance="medical")], "new", None),  # another insurance does not count
    ([rec(ME, status="suspended")], "resume", None),  # suspended here: resumed
    ([rec(OTHER)], "transfer", None),
    ([rec(OTHER, status="suspended")], "transfer", None),
    ([rec(ME)], "", "该人员已在本单位参加养老保险，不能重复增员"),
    ([rec(OTHER, status="terminated"), rec(ME, rid=11)], "", "该人员已在本单位参加养老保险，不能重复增员"),
])
def test_enrol_kind_is_decided_from_the_records(records, kind, refusal):
    plan = rules.enrol_plan(records, ME, "pension")
    assert (plan.kind, plan.refusal) == (kind, refusal)
    if kind == "transfer" or (kind == "resume" and records[0]["status"] == "suspended"):
        assert plan.record is records[0]


@pytest.mark.parametrize(("records", "kind", "refusal"), [
    ([rec(ME)], "terminate", None),
    ([rec(ME)], "suspend", None),
    ([rec(ME, status="suspended")], "terminate", None),
    ([rec(ME, status="suspended")], "suspend", "该人员养老保险已暂停缴费，不能再次暂停"),
    ([rec(OTHER)], "terminate", "该人员未在本单位参加养老保险，不能减员"),
    ([rec(ME, status="terminated")], "retire", "该人员未在本单位参加养老保险，不能减员"),
    ([], "suspend", "该人员未在本单位参加养老保险，不能减员"),
])
def test_withdraw_only_of_a_record_live_here(records, kind, refusal):
    assert rules.withdraw_plan(records, ME, "pension", kind).refusal == refusal


@pytest.mark.parametrize(("period", "first", "closed", "expected"), [
    (202612, 202501, set(), None),
    (202412, 202501, set(), "结算期不能早于本单位首个结算期 2025-01"),
    (202611, 202501, {202611}, "结算期 2026-11 已关账，不能申报该期的增减员"),
    (202501, 202501, {202412}, None),
])
def test_start_period(period, first, closed, expected):
    assert rules.start_period_refusal(period, first, closed) == expected


@pytest.mark.parametrize(("birth", "period", "expected"), [
    (date(2010, 12, 1), 202612, None),  # 16 on the first day
    (date(2010, 12, 2), 202612, "该人员在结算期 2026-12 未满16周岁，不能参保"),
    (date(1990, 1, 1), 202612, None),
])
def test_minimum_age(birth, period, expected):
    assert rules.age_refusal(birth, period) == expected


# 《关于实施渐进式延迟法定退休年龄的决定》附件 对照表 (examples from the published table)
@pytest.mark.parametrize(("birth", "klass", "age"), [
    (date(1964, 12, 15), "male", "60周岁"),
    (date(1965, 1, 15), "male", "60周岁1个月"),
    (date(1965, 4, 15), "male", "60周岁1个月"),
    (date(1965, 5, 15), "male", "60周岁2个月"),
    (date(1976, 8, 1), "male", "62周岁11个月"),
    (date(1976, 9, 1), "male", "63周岁"),
    (date(1990, 1, 1), "male", "63周岁"),
    (date(1974, 12, 1), "female50", "50周岁"),
    (date(1975, 1, 1), "female50", "50周岁1个月"),
    (date(1975, 3, 1), "female50", "50周岁2个月"),
    (date(1984, 11, 1), "female50", "55周岁"),
    (date(1970, 1, 1), "female55", "55周岁1个月"),
    (date(1981, 9, 1), "female55", "58周岁"),
])
def test_statutory_retirement_age_follows_the_2025_table(birth, klass, age):
    rule = rules.retirement_rules()[klass]
    assert rules.age_text(rules.retirement_age_months(birth, rule)) == age


@pytest.mark.parametrize(("birth", "gender", "klass", "period", "ok"), [
    (date(1965, 1, 15), "男", "", 202502, False),  # reaches 60y1m in 2025-02
    (date(1965, 1, 15), "男", "", 202503, True),
    (date(1975, 1, 10), "女", "female50", 202503, True),  # 50y1m in 2025-02
    (date(1975, 1, 10), "女", "female55", 202503, False),
    (date(1975, 1, 10), "女", "", 203001, False),  # the class must be chosen for a woman
])
def test_retirement_refusal(birth, gender, klass, period, ok):
    assert (rules.retire_refusal(birth, gender, klass, period) is None) == ok


def test_check_enrol_collects_every_reason_with_its_field():
    errors, plans = rules.check_enrol(
        employer_id=ME, birth=date(1990, 1, 1), insurances=["pension", "medical"], period=202412,
        records=[rec(ME, insurance="medical")], pending=[{"insurance": "pension", "number": "PCE-1"}],
        first_period=202501, closed=set(), base_reason="缴费基数不能低于下限 4,000.00 元")
    assert errors == {"period": "结算期不能早于本单位首个结算期 2025-01", "base": "缴费基数不能低于下限 4,000.00 元",
                      "insurances": "该人员已在本单位参加医疗保险，不能重复增员"}
    errors, _ = rules.check_enrol(employer_id=ME, birth=date(1990, 1, 1), insurances=["pension"], period=202612,
                                  records=[], pending=[{"insurance": "pension", "number": "PCE-1"}],
                                  first_period=202501, closed=set(), base_reason=None)
    assert errors == {"insurances": "该人员养老保险已有未办结的异动申报（办件编号 PCE-1），请先在增员确认或减员确认中处理"}
    errors, _ = rules.check_enrol(employer_id=ME, birth=None, insurances=[], period=None, records=[], pending=[],
                                  first_period=None, closed=set(), base_reason=None)
    assert errors == {"insurances": "请至少选择一个参保险种"}


def test_transfer_cannot_start_before_the_other_record():
    errors, _ = rules.check_enrol(employer_id=ME, birth=date(1990, 1, 1), insurances=["pension"], period=202601,
                                  records=[rec(OTHER, start=202601)], pending=[], first_period=202501,
                                  closed=set(), base_reason=None)
    assert errors == {"period": "调入结算期应晚于原单位参保开始结算期 2026-01"}


@pytest.mark.parametrize(("kind", "reason", "expected"), [
    ("retire", "21", None), ("retire", "11", "在职转退休的减员原因应为“达到法定退休年龄退休”"),
    ("terminate", "21", "退休人员请选择减员类型“在职转退休”"), ("suspend", "16", None),
])
def test_reason_matches_the_kind(kind, reason, expected):
    assert rules.reason_refusal(kind, reason) == expected


@pytest.mark.parametrize(("kind", "expected"), [
    ("transfer", "养老保险 调入：自其他单位转入，原参保关系于 2026-11 终止，2026-12 起在本单位参保"),
    ("new", "养老保险 新参保：2026-12 起在本单位参保"),
    ("suspend", "养老保险 暂停参保：缴费至 2026-11，2026-12 起暂停"),
    ("terminate", "养老保险 终止参保：参保关系于 2026-11 终止"),
])
def test_outcome_sentences(kind, expected):
    assert rules.outcome(kind, "pension", 202612) == expected


def test_withdraw_period_after_the_start():
    assert rules.withdraw_period_refusal(202501, rec(ME)) == "减员结算期应晚于参保开始结算期 2025-01"
    assert rules.withdraw_period_refusal(202502, rec(ME)) is None


@pytest.mark.parametrize(("state", "expected"), [
    ("submitted", None),
    ("draft", "该申报尚未确认通过，无需撤回，可直接修改或删除"),
    ("rejected", "该申报已审核不通过，无需撤回，可查看审核明细后修改或删除"),
    ("approved", "该申报已审核通过，参保登记已变更，不能撤回"),
    ("voided", "该申报已删除，不能撤回"),
    ("unknown", "该申报当前状态不能撤回"),
])
def test_recall_only_while_waiting_for_review(state, expected):
    assert rules.recall_refusal(state) == expected
