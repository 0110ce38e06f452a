"""Rules of 工伤快报 (WI-1, WI-2), pure functions tested from tables (tests/work_injury/test_rules.py).

Each returns the Chinese reason shown to the employer, or None. A 结算期 is an integer YYYYMM, as in the
social-insurance records the 工伤 cover comes from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta

from portal.refusal import Refused

# 《工伤保险条例》第十七条: the employer applies for 工伤认定 within 30 days of the accident. Calendar days, not
# working days (the workflow's 承诺时限 are working days; this one is not).
DEADLINE_DAYS = 30
FLAG_DAYS = 5  # flagged in the lists and the staff queue from this many days left
MAX_PERSONS = 30  # one report; a larger accident is reported in several

NO_PERSON = "请至少增加一名工伤人员"
FUTURE = "事故发生时间不能晚于当前时间"


class ReportRefused(Refused):
    """Several refusals at once (X-11): `errors` maps form field → message; Form.refuse shows each beside its field."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        first = next(iter(errors.values()), "工伤快报有需要修改的内容")
        super().__init__(first)
        self.errors = dict(errors)


def period_of(day: date) -> int:
    return day.year * 100 + day.month


def period_label(period: int) -> str:
    return f"{period // 100}年{period % 100:02d}月"


def future_refusal(occurred: datetime, now: datetime) -> str | None:
    """Both naive local times (Asia/Shanghai)."""
    return FUTURE if occurred > now else None


def cover_refusal(records: Sequence[Mapping], on: date) -> str | None:
    """Was the person insured for 工伤 at this employer on the accident date? `records` are the person's 工伤
    参保登记 there (start_period, end_period, status). The reason says when the record began and ended."""
    month = period_of(on)
    if not records:
        return "该人员未在本单位参加工伤保险，不能作为本单位工伤人员上报"
    for r in records:
        started, ended = r["start_period"], r["end_period"]
        if started <= month and (ended is None or ended >= month):
            if r["status"] == "suspended":
                return (f"该人员在本单位的工伤保险自{period_label(started)}起参保，现为暂停缴费，"
                        "事故发生时不在参保缴费状态")
            return None
    spans = "；".join(
        f"{period_label(r['start_period'])}至{period_label(r['end_period']) if r['end_period'] else '今'}"
        for r in records)
    first = min(r["start_period"] for r in records)
    if month < first:
        return f"事故发生时（{period_label(month)}）该人员尚未在本单位参加工伤保险：本单位工伤保险参保自{period_label(first)}起"
    return f"事故发生时（{period_label(month)}）该人员不在本单位工伤保险参保期内（参保期：{spans}），已终止参保"


def duplicate_refusals(id_numbers: Sequence[tuple[str, str]]) -> dict[str, str]:
    """(row key, 身份证号) in form order → {row key: reason} for each repeat of an earlier row."""
    seen: dict[str, int] = {}
    found: dict[str, str] = {}
    for n, (key, id_number) in enumerate(id_numbers, 1):
        if not id_number:
            continue
        if id_number in seen:
            found[key] = f"该人员已在第{seen[id_number]}名工伤人员中添加，不能重复添加"
        else:
            seen[id_number] = n
    return found


def deadline_for(occurred_on: date) -> date:
    return occurred_on + timedelta(days=DEADLINE_DAYS)


def days_left(deadline: date, today: date) -> int:
    return (deadline - today).days


def deadline_flag(left: int) -> str:
    """'overdue', 'due_soon' (FLAG_DAYS or fewer days left, today included) or ''."""
    if left < 0:
        return "overdue"
    return "due_soon" if left <= FLAG_DAYS else ""


def deadline_text(left: int) -> str:
    if left < 0:
        return f"已超过{-left}天"
    if left == 0:
        return "今天截止"
    return f"剩余{left}天"


FLAG_TONES = {"overdue": "danger", "due_soon": "warning", "": "neutral"}
APPLIED = "已申请工伤认定"


def application_refusal(applied_on: date, occurred_on: date, today: date) -> str | None:
    """The date the employer applied for 工伤认定: not before the accident, not in the future."""
    if applied_on < occurred_on:
        return f"工伤认定申请日期不能早于事故发生日期（{occurred_on:%Y-%m-%d}）"
    if applied_on > today:
        return "工伤认定申请日期不能晚于今天"
    return None


def queue_flag(state: str, deadline: date, applied_on: date | None, today: date) -> tuple[str, str]:
    """(tone, text) a confirmed report shows in a queue: 已申请工伤认定, or the limit when it is near or past."""
    if state not in ("submitted", "approved"):
        return "", ""
    if applied_on is not None:
        return "success", f"{APPLIED}（{applied_on:%Y-%m-%d}）"
    left = days_left(deadline, today)
    flag = deadline_flag(left)
    return (FLAG_TONES[flag], f"工伤认定申请期限{deadline_text(left)}") if flag else ("", "")


# 撤回 of a confirmed report: only 已提交（待审核）, before the reviewer accepts or returns it.
RECALL_REFUSALS = {
    "draft": "该工伤快报尚未确认提交，无需撤回，可直接修改或删除",
    "rejected": "该工伤快报已被退回，无需撤回，可修改后重新确认提交，也可以删除",
    "approved": "该工伤快报已审核通过，不能撤回",
    "voided": "该工伤快报已删除，不能撤回",
}


def recall_refusal(state: str) -> str | None:
    """Why a report cannot be taken back now (None: it can), in words for the employer; a reviewer's decision may
    have just come first."""
    return None if state == "submitted" else RECALL_REFUSALS.get(state, "该工伤快报当前状态不能撤回")
