"""Working-day time limits (X-1b): counted from the day after submission over the Holiday calendar."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from portal.core.tables import Holiday

SHANGHAI = ZoneInfo("Asia/Shanghai")
DUE_SOON_DAYS = 2  # yellow when this many working days or fewer remain

Calendar = Mapping[date, bool]  # day → is it worked (holidays False, 调休 weekends True)


def local_date(moment: datetime | None = None) -> date:
    """The calendar day in China for a UTC timestamp (a matter filed at 23:30 UTC is filed the next day)."""
    return (moment or datetime.now(UTC)).astimezone(SHANGHAI).date()


def is_workday(day: date, calendar: Calendar) -> bool:
    if day in calendar:
        return calendar[day]
    return day.weekday() < 5


def add_working_days(start: date, days: int, calendar: Calendar) -> date:
    """The last day of a limit of `days` working days that starts counting the day after `start`."""
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if is_workday(day, calendar):
            counted += 1
    return day


def working_days_left(today: date, deadline: date, calendar: Calendar) -> int:
    """Working days after today up to and including the deadline; negative when overdue."""
    if deadline < today:
        day, n = deadline, 0
        while day < today:
            day += timedelta(days=1)
            if is_workday(day, calendar):
                n -= 1
        return min(n, -1)
    day, n = today, 0
    while day < deadline:
        day += timedelta(days=1)
        if is_workday(day, calendar):
            n += 1
    return n


def deadline_flag(deadline: date | None, today: date, calendar: Calendar) -> str:
    """'overdue' (red), 'due_soon' (yellow) or '' for a running clock's deadline."""
    if deadline is None:
        return ""
    if deadline < today:
        return "overdue"
    if working_days_left(today, deadline, calendar) <= DUE_SOON_DAYS:
        return "due_soon"
    return ""


async def load_calendar(start: date, end: date) -> dict[date, bool]:
    rows = await Holiday.select(Holiday.day, Holiday.is_workday).where(
        (Holiday.day >= start) & (Holiday.day <= end)
    )
    return {r["day"]: bool(r["is_workday"]) for r in rows}


async def calendar_around(day: date, days: int) -> dict[date, bool]:
    """Enough of the calendar to count `days` working days from `day` (long festivals included)."""
    return await load_calendar(day - timedelta(days=60), day + timedelta(days=days * 2 + 60))


async def compute_deadlines(start: date, legal_days: int, promised_days: int) -> tuple[date | None, date | None]:
    calendar = await calendar_around(start, max(legal_days, promised_days))
    legal = add_working_days(start, legal_days, calendar) if legal_days else None
    promised = add_working_days(start, promised_days, calendar) if promised_days else None
    return legal, promised
