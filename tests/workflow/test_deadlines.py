"""Working-day time limits across holidays and 调休 weekends; a return for correction restarts the clock."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from portal.core.tables import Holiday
from portal.db import write_transaction
from portal.workflow import deadlines, engine, transitions
from portal.workflow.deadlines import add_working_days, deadline_flag, working_days_left
from portal.workflow.tables import Matter
from tests.workflow.support import employer_with_principal, make_reviewer

# A made-up festival in a year the seeded calendar does not cover: Thu 2 Oct – Wed 8 Oct 2031 off,
# Sat 11 Oct 2031 worked (调休).
FESTIVAL = {date(2031, 10, d): False for d in range(2, 9)} | {date(2031, 10, 11): True}


def test_counting_starts_the_day_after_and_skips_weekends():
    # Mon 6 Jan 2031 + 5 working days → Mon 13 Jan (Tue..Fri = 4, Sat/Sun skipped, Mon = 5).
    assert add_working_days(date(2031, 1, 6), 5, {}) == date(2031, 1, 13)
    # Filed on a Friday: the next Monday is day 1.
    assert add_working_days(date(2031, 1, 10), 1, {}) == date(2031, 1, 13)
    # Filed on a Saturday: the same.
    assert add_working_days(date(2031, 1, 11), 1, {}) == date(2031, 1, 13)


def test_holidays_are_skipped_and_adjusted_weekends_count():
    # Filed Wed 1 Oct: 2–8 Oct are off, Thu 9 = 1, Fri 10 = 2, Sat 11 (调休) = 3, Mon 13 = 4.
    assert add_working_days(date(2031, 10, 1), 3, FESTIVAL) == date(2031, 10, 11)
    assert add_working_days(date(2031, 10, 1), 4, FESTIVAL) == date(2031, 10, 13)
    # Without the calendar the same count would end inside the festival.
    assert add_working_days(date(2031, 10, 1), 3, {}) == date(2031, 10, 6)


def test_flags_due_soon_and_overdue():
    deadline = date(2031, 10, 13)
    assert deadline_flag(deadline, date(2031, 10, 1), FESTIVAL) == ""  # 4 working days left
    assert working_days_left(date(2031, 10, 9), deadline, FESTIVAL) == 3
    assert deadline_flag(deadline, date(2031, 10, 10), FESTIVAL) == "due_soon"  # 11 and 13 left
    assert deadline_flag(deadline, date(2031, 10, 13), FESTIVAL) == "due_soon"
    assert deadline_flag(deadline, date(2031, 10, 14), FESTIVAL) == "overdue"
    assert deadline_flag(None, date(2031, 10, 14), FESTIVAL) == ""


@pytest.fixture
async def festival_rows():
    async with write_transaction():
        for day, worked in FESTIVAL.items():
            await Holiday.insert(Holiday(day=day, is_workday=worked, name="测试节"))
    yield
    async with write_transaction():
        await Holiday.delete().where(Holiday.name == "测试节")


async def test_calendar_comes_from_the_holiday_table(festival_rows):
    legal, promised = await deadlines.compute_deadlines(date(2031, 10, 1), 4, 3)
    assert (legal, promised) == (date(2031, 10, 13), date(2031, 10, 11))


async def test_return_for_correction_restarts_the_clock(app, festival_rows, monkeypatch):
    _, applicant = await employer_with_principal()
    clock = {"now": datetime(2031, 9, 30, 2, 0, tzinfo=UTC)}  # 10:00 on Tue 30 Sep in Hainan
    monkeypatch.setattr(transitions, "now", lambda: clock["now"])
    matter = await engine.create_matter(applicant, "t_licence", payload={}, title="许可", submit=True)
    # t_licence promises 10 working days: 1 Oct, then 9, 10, 11(调休), 13–17, 20 → Mon 20 Oct 2031.
    assert matter["promised_deadline"] == date(2031, 10, 20)
    acceptor = await make_reviewer(app, "acc", ["test.accept"])
    m = await engine.fire(acceptor, matter["id"], "return", expected_version=2, opinion="缺少营业执照")
    clock["now"] = datetime(2031, 10, 9, 2, 0, tzinfo=UTC)  # resubmitted Thu 9 Oct
    m = await engine.fire(applicant, matter["id"], "resubmit", expected_version=m["version"])
    row = await Matter.select().where(Matter.id == matter["id"]).first()
    assert row["clock_started_at"] == clock["now"]
    assert row["submitted_at"] == datetime(2031, 9, 30, 2, 0, tzinfo=UTC)  # the first submission stays
    # 10 working days from Thu 9 Oct: 10, 11(调休), 13–17, 20, 21, 22 → Wed 22 Oct.
    assert row["promised_deadline"] == date(2031, 10, 22)


def test_local_date_is_chinese_calendar_day():
    assert deadlines.local_date(datetime(2031, 10, 8, 17, 30, tzinfo=UTC)) == date(2031, 10, 9)
