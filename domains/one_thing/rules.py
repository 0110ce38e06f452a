"""Rules of 一件事一次办 that belong to neither domain alone: how the contract and the insurance of one worker fit
together. Each domain's own rules stay in its service (tested table-driven in tests/one_thing/test_rules.py)."""

from __future__ import annotations

from datetime import date

KINDS = {"hire": "员工录用一件事", "leave": "员工离职一件事"}
NUMBER_CODES = {"hire": "YJSLY", "leave": "YJSLZ"}  # 一件事 录用 / 离职


def month_of(day: date) -> int:
    return day.year * 100 + day.month


def next_month(period: int) -> int:
    return period + 1 if period % 100 < 12 else (period // 100 + 1) * 100 + 1


def text(period: int) -> str:
    return f"{period // 100}-{period % 100:02d}"


def hire_period_refusal(period: int, start: date) -> str | None:
    """参保 starts in the month the contract starts or the next (社会保险法第五十八条: 自用工之日起三十日内 登记):
    not before the work begins, and no uninsured months after it."""
    first = month_of(start)
    if period < first:
        return f"参保开始结算期不能早于合同起始日期所在月份 {text(first)}"
    if period > next_month(first):
        return (
            f"参保开始结算期应为合同起始日期所在月份 {text(first)} 或次月 {text(next_month(first))}"
            "（用工之日起三十日内办理参保登记）"
        )
    return None


def leave_period_refusal(period: int, ended: date) -> str | None:
    """减员 applies from the month the contract ends or the next: not while still employed, and no months paid
    after the worker has left."""
    last = month_of(ended)
    if period < last:
        return f"减员结算期不能早于解除(终止)时间所在月份 {text(last)}"
    if period > next_month(last):
        return f"减员结算期应为解除(终止)时间所在月份 {text(last)} 或次月 {text(next_month(last))}"
    return None


def overall(states: list[str]) -> tuple[str, str]:
    """(label, tone) of the whole application from its two 办件' states."""
    if all(s == "approved" for s in states):
        return "已办结", "success"
    if any(s in ("rejected", "returned") for s in states):
        return "需要修改", "danger"
    if any(s in ("voided",) for s in states):
        return "部分已作废", "neutral"
    return "审核中", "info"
