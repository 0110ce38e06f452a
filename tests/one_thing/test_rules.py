"""The rules of 一件事一次办 that join the two domains (each domain's own rules are tested in its own folder)."""

from __future__ import annotations

from datetime import date

import pytest

from domains.one_thing import rules


@pytest.mark.parametrize(
    ("period", "start", "words"),
    [
        (202612, date(2026, 12, 1), None),
        (202701, date(2026, 12, 31), None),  # the next month: within the 30 days of 社会保险法 58
        (202611, date(2026, 12, 1), "不能早于合同起始日期所在月份 2026-12"),
        (202702, date(2026, 12, 15), "或次月 2027-01"),
        (202701, date(2026, 11, 30), "或次月 2026-12"),
    ],
)
def test_hire_period(period, start, words):
    reason = rules.hire_period_refusal(period, start)
    assert (reason is None) if words is None else (words in reason)


@pytest.mark.parametrize(
    ("period", "ended", "words"),
    [
        (202612, date(2026, 12, 5), None),
        (202701, date(2026, 12, 5), None),
        (202611, date(2026, 12, 5), "不能早于解除(终止)时间所在月份 2026-12"),
        (202703, date(2026, 12, 5), "或次月 2027-01"),
    ],
)
def test_leave_period(period, ended, words):
    reason = rules.leave_period_refusal(period, ended)
    assert (reason is None) if words is None else (words in reason)


@pytest.mark.parametrize(
    ("states", "label"),
    [
        (["approved", "approved"], "已办结"),
        (["submitted", "approved"], "审核中"),
        (["rejected", "approved"], "需要修改"),
        (["returned", "submitted"], "需要修改"),
        (["voided", "approved"], "部分已作废"),
        (["voided", "voided"], "已撤回"),
    ],
)
def test_the_whole_applications_state(states, label):
    assert rules.overall(states)[0] == label


def test_month_arithmetic():
    assert rules.next_month(202612) == 202701 and rules.next_month(202605) == 202606
    assert rules.month_of(date(2026, 3, 31)) == 202603 and rules.text(202701) == "2027-01"


@pytest.mark.parametrize(
    ("parts", "todo", "refusal"),
    [
        ([("合同", "submitted", "未审核", True), ("增员", "rejected", "审核不通过", True)], [0, 1], None),
        ([("合同", "voided", "已作废", False), ("增员", "rejected", "审核不通过", True)], [1], None),
        ([("合同", "submitted", "未审核", True), ("增员", "submitted", "已确认（待审核）", False)], [],
         "增员当前为“已确认（待审核）”，按其办理规则现在不能撤回，因此不能整件撤回"),
        ([("合同", "approved", "审核通过", False), ("增员", "rejected", "审核不通过", True)], [], "合同已审核通过，不能整件撤回"),
        ([("合同", "voided", "已作废", False), ("增员", "voided", "已删除", False)], [], "该一件事已撤回，无需再次撤回"),
    ],
)
def test_the_whole_is_withdrawn_only_when_every_remaining_part_may_go(parts, todo, refusal):
    assert rules.withdrawal(parts) == (todo, refusal)


@pytest.mark.parametrize(("seen", "expected"), [
    ([3, 5], None),
    ([3, 4], "社会保险增员在您打开确认页面后已有变化（当前为“审核不通过”），未撤回任何一件，请查看最新状态后重新确认整件撤回"),
    ([2, 5], "劳动合同新订备案在您打开确认页面后已有变化（当前为“未审核”），未撤回任何一件，请查看最新状态后重新确认整件撤回"),
    ([], "确认页面已失效，未撤回任何一件，请刷新页面后重新确认整件撤回"),
    ([3], "确认页面已失效，未撤回任何一件，请刷新页面后重新确认整件撤回"),
])
def test_stale_refusal(seen, expected):
    parts = [("劳动合同新订备案", 3, "未审核"), ("社会保险增员", 5, "审核不通过")]
    assert rules.stale_refusal(parts, seen) == expected
