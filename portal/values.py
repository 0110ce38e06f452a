"""Money and dates: the one parser and the one formatter of each, for forms, spreadsheets, grids, PDFs and templates."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from portal.validators import normalise

# Money is integer 分 in an Integer column: int4 on PostgreSQL, so larger amounts cannot be stored.
MAX_FEN = 2_147_483_647
_MONEY = re.compile(r"\d+(\.\d{1,2})?")
_CENT = Decimal("0.01")
# A number cell computed by a formula (=0.1+0.2) carries binary noise far below a 分.
_FLOAT_NOISE = Decimal("0.000001")


def money_message(label: str) -> str:
    return f"{label}应为不小于0的数字，最多两位小数"


def fen_or_reason(raw: Any, label: str = "金额") -> tuple[int | None, str | None]:
    """元 → integer 分 via Decimal: (分, None) or (None, the Chinese reason). `raw` is text a user typed
    (full-width digits and thousands separators allowed) or a spreadsheet's number cell."""
    if raw.__class__ is float or raw.__class__ is int:
        if raw < 0 or raw != raw:  # negative or NaN
            return None, money_message(label)
        amount = Decimal(repr(raw))
        rounded = amount.quantize(_CENT)
        if abs(amount - rounded) > _FLOAT_NOISE:
            return None, money_message(label)
    else:
        text = normalise(raw).replace(",", "")
        if not _MONEY.fullmatch(text):
            return None, money_message(label)
        try:
            rounded = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern already excludes it
            return None, money_message(label)
    fen = int(rounded * 100)
    if fen > MAX_FEN:
        return None, f"{label}超出允许范围"
    return fen, None


def fen_column(raws: list[Any], label: str = "金额") -> tuple[list[int | None], list[str | None]]:
    """fen_or_reason() for a spreadsheet column. Number cells whose value times 100 is an integer in range (the
    usual case) take a list comprehension, ~6 times faster than a call per cell; every other cell takes the rule."""
    fen = [round(raw * 100) if raw.__class__ is float and raw == raw else -1 for raw in raws]
    plain = [0 <= f <= MAX_FEN and abs(raw * 100 - f) <= 1e-6 for raw, f in zip(raws, fen, strict=True)]
    if all(plain):
        return fen, [None] * len(fen)  # type: ignore[return-value]
    pairs = [(f, None) if ok else fen_or_reason(raw, label) for raw, f, ok in zip(raws, fen, plain, strict=True)]
    return [f for f, _ in pairs], [r for _, r in pairs]


def yuan(fen: int | None, grouping: bool = True) -> str:
    """Integer 分 → "1,234.50" (`grouping=False`: "1234.50", what a form field is pre-filled with); None → ""."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole:,}.{cents:02d}" if grouping else f"{sign}{whole}.{cents:02d}"


def period_label(period: int | str | None) -> str:
    """A 结算期 (or any year-month) stored as YYYYMM → "2026年11月"; None or "" → "" (an open end)."""
    if period is None or period == "":
        return ""
    value = int(period)
    return f"{value // 100}年{value % 100:02d}月"


def chinese_date(day: date | None) -> str:
    """A day as written in a notice: 2026年12月25日 (no leading zeros); None → ""."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def yuan_decimal(fen: int) -> Decimal:
    """Integer 分 → the exact Decimal amount in 元 (a spreadsheet's number cell)."""
    return Decimal(int(fen)).scaleb(-2)


# Our template, Excel, LibreOffice, WPS and people write dates as 2025-01-05, 2025/1/5, 2025.1.5, 2025年1月5日
# (a time after it is ignored) or 20250105; a spreadsheet also stores date cells and serial numbers.
_DATE_TEXT = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]?\d{1,2}:\d{2}(?::\d{2})?)?")
_DATE_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})")
_EXCEL_EPOCH = date(1899, 12, 30)


def date_message(label: str) -> str:
    return f"{label}应为日期，格式yyyy-mm-dd"


def date_or_reason(raw: Any, label: str = "日期") -> tuple[date | None, str | None]:
    """(date, None) or (None, the Chinese reason) for text typed in a form or read from a spreadsheet cell."""
    if isinstance(raw, datetime):
        return raw.date(), None
    if isinstance(raw, date):
        return raw, None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if 19000101 <= raw <= 29991231 and float(raw).is_integer():
            return date_or_reason(str(int(raw)), label)  # 20250105 typed into a number cell
        if 1 <= raw < 2958466:
            return _EXCEL_EPOCH + timedelta(days=int(raw)), None
        return None, date_message(label)
    text = normalise(str(raw))
    match = _DATE_TEXT.fullmatch(text) or _DATE_DIGITS.fullmatch(text)
    if not match:
        return None, date_message(label)
    try:
        return date(int(match[1]), int(match[2]), int(match[3])), None
    except ValueError:
        return None, f"{label}填写的日期不存在"


# A year-month as people type it (and as <input type="month"> sends it): 2026-05, 2026/5, 2026.5, 2026年5月, 202605.
_MONTH_TEXT = re.compile(r"(\d{4})(?:[-/.年]?)(\d{1,2})月?")
MONTH_YEARS = range(1900, 2101)


def month_message(label: str) -> str:
    return f"{label}格式不正确，请按“年月”填写，如 2026-05、202605 或 2026年5月"


def month_or_reason(raw: Any, label: str = "年月") -> tuple[int | None, str | None]:
    """(YYYYMM, None) or (None, the Chinese reason): the one parser of a 年月 or 结算期, for forms, query strings and
    spreadsheet cells alike (a date cell gives its month; 202605 typed into a number cell arrives as a number)."""
    if isinstance(raw, date):  # datetime too
        return raw.year * 100 + raw.month, None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if not float(raw).is_integer():
            return None, month_message(label)
        raw = str(int(raw))
    match = _MONTH_TEXT.fullmatch(normalise(str(raw or "")))
    if not match:
        return None, month_message(label)
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12 or year not in MONTH_YEARS:
        return None, f"{label}不存在，请检查年份和月份"
    return year * 100 + month, None


_DATETIME_TEXT = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?[ T]?(\d{1,2})[:时](\d{2})分?(?::\d{2})?")


def datetime_message(label: str) -> str:
    return f"{label}应为日期和时间，格式yyyy-mm-dd hh:mm"


def datetime_or_reason(raw: Any, label: str = "时间") -> tuple[datetime | None, str | None]:
    """(naive local datetime, None) or (None, the Chinese reason): 2026-12-01T09:30 (the browser's datetime-local),
    2026-12-01 09:30, 2026/12/1 9:30, 2026年12月1日9时30分. The caller attaches the time zone."""
    if isinstance(raw, datetime):
        return raw, None
    match = _DATETIME_TEXT.fullmatch(normalise(str(raw)))
    if not match:
        return None, datetime_message(label)
    try:
        return datetime(int(match[1]), int(match[2]), int(match[3]), int(match[4]), int(match[5])), None
    except ValueError:
        return None, f"{label}填写的日期或时间不存在"
