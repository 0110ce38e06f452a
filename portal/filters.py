"""Jinja filters: money in 元, dates in Asia/Shanghai, masked IDs and phones (X-9), codes kept whole."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from jinja2 import Environment
from markupsafe import Markup, escape

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


# A run of Latin letters, digits and the marks inside codes (办件编号 460100-20261206-PCE-0008, 统一社会信用代码, a
# masked 身份证号 460106********7339, dates, amounts).
_CODE_RUN = re.compile(r"[0-9A-Za-z*](?:[0-9A-Za-z*,./:_-]*[0-9A-Za-z*])?")


def whole_codes(value: object) -> Markup:
    """The text escaped, each code in it that a line could break inside (six characters or more, a digit and a
    hyphen or slash among them: 办件编号, dates) in a <span class="app-code">, which the line moves to the next line
    whole (portal.css). Letters, digits and * alone never break before the code is wider than the line."""
    if isinstance(value, Markup):
        return value  # a caller's own markup (a link, a button) stays as it is
    text = "" if value is None else str(value)
    parts: list[str] = []
    last = 0
    for match in _CODE_RUN.finditer(text):
        code = match.group()
        if len(code) < 6 or not any(c.isdigit() for c in code) or not any(c in "-/" for c in code):
            continue
        parts += [escape(text[last:match.start()]), Markup('<span class="app-code">{}</span>').format(code)]
        last = match.end()
    return Markup("").join([*parts, escape(text[last:])])


def install(env: Environment) -> None:
    env.filters.update(
        yuan=yuan,
        period=period_label,  # 结算期 YYYYMM → 2026年11月, wherever one shows
        local_time=local_time,
        ymd=ymd,
        whole_codes=whole_codes,
        cn_date=chinese_date,  # 2026年12月25日, as a notice writes a day
        # Uploaded cells may hold numbers (an ID number typed as a number): mask their text, never fail.
        mask_id=lambda v: mask_id_number("" if v is None else str(v)),
        mask_phone=lambda v: mask_phone("" if v is None else str(v)),
    )
    env.globals.setdefault("now", lambda: datetime.now(SHANGHAI))
