"""Rules of 一件事一次办 that belong to neither domain alone: how the contract and the insurance of one worker fit
together. Each domain's own rules stay in its service (tested table-driven in tests/one_thing/test_rules.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

KINDS = {"hire": "员工录用一件事", "leave": "员工离职一件事"}
NUMBER_CODES = {"hire": "YJSLY", "leave": "YJSLZ"}  # 一件事 录用 / 离职
# The two parts of each, in the order of the one_thing row (lc_matter_id, pc_matter_id).
PART_LABELS = {"hire": ("劳动合同新订备案", "社会保险增员"), "leave": ("劳动合同解除(终止)备案", "社会保险减员")}
# Each part's own applicant steps that end it unapproved, the first its workflow allows: LC 申报作废 or the
# 增员/减员's 删除 at once; an 增员/减员 waiting for its review is first taken back to 未确认 (撤回), then deleted.
WITHDRAW_PATHS = (("void",), ("withdraw", "void"))


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


def withdrawal(parts: Sequence[tuple[str, str, str, bool]]) -> tuple[list[int], str | None]:
    """整件撤回: the parts to withdraw (their indexes) or why the whole cannot be withdrawn. A part is (label, state,
    state label, whether its own workflow lets the applicant withdraw it now). A part already withdrawn is skipped;
    an approved part, or one its workflow holds, refuses the whole: nothing is withdrawn then, so a 一件事 never
    ends half filed and half withdrawn by this step."""
    todo: list[int] = []
    for index, (label, state, state_label, withdrawable) in enumerate(parts):
        if state == "voided":
            continue
        if state == "approved":
            return [], f"{label}已审核通过，不能整件撤回"
        if not withdrawable:
            return [], f"{label}当前为“{state_label}”，按其办理规则现在不能撤回，因此不能整件撤回"
        todo.append(index)
    if not todo:
        return [], "该一件事已撤回，无需再次撤回"
    return todo, None


def stale_refusal(parts: Sequence[tuple[str, int, str]], seen: Sequence[int]) -> str | None:
    """整件撤回 withdraws what the confirmation page showed: a part (label, version, state label) whose version moved
    since (a reviewer's decision, a correction) refuses the whole, nothing withdrawn, naming the part; so does a
    post that does not carry each part's version."""
    if len(seen) != len(parts):
        return "确认页面已失效，未撤回任何一件，请刷新页面后重新确认整件撤回"
    for (label, version, state_label), before in zip(parts, seen, strict=True):
        if version != before:
            return (f"{label}在您打开确认页面后已有变化（当前为“{state_label}”），未撤回任何一件，"
                    "请查看最新状态后重新确认整件撤回")
    return None


def overall(states: list[str]) -> tuple[str, str]:
    """(label, tone) of the whole application from its two 办件' states."""
    if all(s == "approved" for s in states):
        return "已办结", "success"
    if all(s == "voided" for s in states):
        return "已撤回", "neutral"
    if any(s in ("rejected", "returned") for s in states):
        return "需要修改", "danger"
    if any(s in ("voided",) for s in states):
        return "部分已作废", "neutral"
    return "审核中", "info"
