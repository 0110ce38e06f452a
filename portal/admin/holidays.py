"""The holiday calendar (节假日及调休): listing a year, adding and removing days, audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from portal import audit
from portal.admin.dictionary_admin import is_unique_violation
from portal.core import versions
from portal.core.tables import Holiday
from portal.db import write_transaction
from portal.forms import ChoiceField, DateField, Form, TextField
from portal.workflow.views import forget_calendar

KINDS = (("0", "放假"), ("1", "调休上班"))
WEEKDAYS = "一二三四五六日"
MIN_YEAR, MAX_YEAR = 2000, 2100


def holiday_form(data: Any = None) -> Form:
    return Form(
        [
            DateField("day", "日期", help="格式 yyyy-mm-dd"),
            ChoiceField("is_workday", "类型", choices=KINDS),
            TextField("name", "名称", max_len=40, help="如：春节、国庆节调休上班"),
        ],
        data or {},
    )


def clamp_year(year: int | None, default: int) -> int:
    if year is None or not MIN_YEAR <= year <= MAX_YEAR:
        return default
    return year


async def days_of(year: int) -> list[dict[str, Any]]:
    rows = await Holiday.select().where(
        (Holiday.day >= date(year, 1, 1)) & (Holiday.day <= date(year, 12, 31))
    ).order_by(Holiday.day)
    for r in rows:
        r["weekday"] = "周" + WEEKDAYS[r["day"].weekday()]
    return rows


async def validate(form: Form) -> bool:
    """Field rules, then the calendar rules for whichever fields are clean: every problem shows at once."""
    await form.validate()
    day: date | None = form.cleaned.get("day")
    form.cleaned["is_workday"] = form.cleaned.get("is_workday") == "1"
    if day is None:
        pass
    elif not MIN_YEAR <= day.year <= MAX_YEAR:
        form.add_error("day", f"日期应在{MIN_YEAR}年至{MAX_YEAR}年之间")
    elif form.cleaned["is_workday"] and "is_workday" not in form.errors and day.weekday() < 5:
        # Monday–Friday are working days already; only a weekend day can be turned into one.
        form.add_error("is_workday", "调休上班日应为周六或周日")
    elif await Holiday.exists().where(Holiday.day == day):
        form.add_error("day", f"{day.isoformat()}已在日历中，如需修改请先删除原记录")
    return not form.errors


async def add(cleaned: dict[str, Any], actor: Any, ip: str) -> bool:
    """False when the day was taken meanwhile (the unique constraint on day decides)."""
    row = Holiday(day=cleaned["day"], is_workday=cleaned["is_workday"], name=cleaned["name"])
    try:
        async with write_transaction():
            await row.save()
            await versions.bump(versions.HOLIDAYS)
            await audit.record(
                category="admin", action="holiday_add", actor=actor, ip=ip, object_type="holiday",
                object_id=cleaned["day"].isoformat(),
                detail={"is_workday": cleaned["is_workday"], "name": cleaned["name"]},
            )
    except Exception as exc:
        if is_unique_violation(exc):
            return False
        raise
    forget_calendar()  # the workbench's deadline flags cache the calendar
    return True


async def remove(holiday_id: int, actor: Any, ip: str) -> dict[str, Any] | None:
    async with write_transaction():
        row = await Holiday.select().where(Holiday.id == holiday_id).first()
        if row is None:
            return None
        await Holiday.delete().where(Holiday.id == holiday_id)
        await versions.bump(versions.HOLIDAYS)
        await audit.record(
            category="admin", action="holiday_remove", actor=actor, ip=ip, object_type="holiday",
            object_id=row["day"].isoformat(), detail={"is_workday": row["is_workday"], "name": row["name"]},
        )
    forget_calendar()  # the workbench's deadline flags cache the calendar
    return row
