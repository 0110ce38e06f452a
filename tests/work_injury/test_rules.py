"""The 工伤快报 rules from tables, without a database."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from domains.work_injury import forms, rules

ACTIVE = {"start_period": 202501, "end_period": None, "status": "active"}
ENDED = {"start_period": 202001, "end_period": 202406, "status": "terminated"}
SUSPENDED = {"start_period": 202301, "end_period": None, "status": "suspended"}


@pytest.mark.parametrize(("records", "on", "expected"), [
    ([ACTIVE], date(2025, 1, 1), None),
    ([ACTIVE], date(2026, 12, 5), None),
    ([ENDED], date(2024, 6, 30), None),
    ([ENDED, ACTIVE], date(2025, 3, 1), None),
    ([], date(2026, 1, 1), "该人员未在本单位参加工伤保险，不能作为本单位工伤人员上报"),
    ([ACTIVE], date(2024, 12, 31), "事故发生时（2024年12月）该人员尚未在本单位参加工伤保险：本单位工伤保险参保自2025年01月起"),
    ([ENDED], date(2024, 7, 1), "事故发生时（2024年07月）该人员不在本单位工伤保险参保期内（参保期：2020年01月至2024年06月），已终止参保"),
    ([ENDED, ACTIVE], date(2024, 9, 1),
     "事故发生时（2024年09月）该人员不在本单位工伤保险参保期内（参保期：2020年01月至2024年06月；2025年01月至今），已终止参保"),
    ([SUSPENDED], date(2025, 5, 1), "该人员在本单位的工伤保险自2023年01月起参保，现为暂停缴费，事故发生时不在参保缴费状态"),
])
def test_cover(records, on, expected):
    assert rules.cover_refusal(records, on) == expected


@pytest.mark.parametrize(("rows", "expected"), [
    ([("0", "A"), ("1", "B")], {}),
    ([("0", "A"), ("3", "A")], {"3": "该人员已在第1名工伤人员中添加，不能重复添加"}),
    ([("0", "A"), ("1", "B"), ("2", "B"), ("5", "A")],
     {"2": "该人员已在第2名工伤人员中添加，不能重复添加", "5": "该人员已在第1名工伤人员中添加，不能重复添加"}),
    ([("0", ""), ("1", "")], {}),
])
def test_duplicates(rows, expected):
    assert rules.duplicate_refusals(rows) == expected


@pytest.mark.parametrize(("occurred", "today", "left", "flag", "text"), [
    (date(2026, 11, 1), date(2026, 11, 1), 30, "", "剩余30天"),
    (date(2026, 11, 1), date(2026, 11, 25), 6, "", "剩余6天"),
    (date(2026, 11, 1), date(2026, 11, 26), 5, "due_soon", "剩余5天"),
    (date(2026, 11, 1), date(2026, 12, 1), 0, "due_soon", "今天截止"),
    (date(2026, 11, 1), date(2026, 12, 3), -2, "overdue", "已超过2天"),
    # calendar days across the 元旦 holiday: no working-day arithmetic
    (date(2026, 12, 20), date(2027, 1, 14), 5, "due_soon", "剩余5天"),
])
def test_deadline(occurred, today, left, flag, text):
    deadline = rules.deadline_for(occurred)
    assert rules.days_left(deadline, today) == left
    assert rules.deadline_flag(left) == flag
    assert rules.deadline_text(left) == text


@pytest.mark.parametrize(("occurred", "expected"), [
    (datetime(2026, 12, 5, 9, 0), None),
    (datetime(2026, 12, 5, 10, 0), None),
    (datetime(2026, 12, 5, 10, 1), rules.FUTURE),
    (datetime(2027, 1, 1, 0, 0), rules.FUTURE),
])
def test_future(occurred, expected):
    assert rules.future_refusal(occurred, datetime(2026, 12, 5, 10, 0)) == expected


@pytest.mark.parametrize(("keys", "op", "expected"), [
    (["0"], "add", ["0", "1"]),
    ([], "add", ["0"]),
    (["0", "3"], "add", ["0", "3", "4"]),
    (["0", "3", "4"], "remove-3", ["0", "4"]),
    (["0"], "remove-9", ["0"]),
    (["0"], "save", ["0"]),
])
def test_row_ops(keys, op, expected):
    assert forms.apply_op(keys, op) == expected


@pytest.mark.parametrize(("posted", "expected"), [
    ({"rows": ["0", "2"]}, ["0", "2"]),
    ({"rows": ["0", "0", "x", "-1", "12345"]}, ["0"]),
    ({"rows": "4"}, ["4"]),
    ({}, []),
])
def test_row_keys(posted, expected):
    assert forms.row_keys(posted) == expected
