"""Jinja filters: money in 元, dates in Asia/Shanghai, masked IDs and phones (X-9)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from jinja2 import Environment

from portal.validators import mask_id_number, mask_phone
from portal.values import chinese_date, period_label, yuan

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        from datetime import UTC

        value = value.replace(tzinfo=UTC)
    local = value.astimezone(SHANGHAI)
    if fmt == "%Y-%m-%d %H:%M":
        # The common case without strftime's format parsing: a list page formats one per row (issue #15).
        return f"{local.year:04d}-{local.month:02d}-{local.day:02d} {local.hour:02d}:{local.minute:02d}"
    return local.strftime(fmt)


def ymd(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return local_time(value, "%Y-%m-%d")
    return value.strftime("%Y-%m-%d")


def install(env: Environment) -> None:
    env.filters.update(
        yuan=yuan,
        period=period_label,  # 结算期 YYYYMM → 2026年11月, wherever one shows
        local_time=local_time,
        ymd=ymd,
        cn_date=chinese_date,  # 2026年12月25日, as a notice writes a day
        # Uploaded cells may hold numbers (an ID number typed as a number): mask their text, never fail.
        mask_id=lambda v: mask_id_number("" if v is None else str(v)),
        mask_phone=lambda v: mask_phone("" if v is None else str(v)),
    )
    env.globals.setdefault("now", lambda: datetime.now(SHANGHAI))
