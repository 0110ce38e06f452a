"""The one money rule and the one date rule (portal.values), and that forms and spreadsheets give the same result."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from portal.dataservices.spreadsheets import SheetColumn, _text_column, cleaner, column_cleaner
from portal.forms import DateField, Form, MoneyField
from portal.values import (
    MAX_FEN,
    date_or_reason,
    fen_column,
    fen_or_reason,
    month_or_reason,
    period_label,
    yuan,
    yuan_decimal,
)

BAD_MONEY = "金额应为不小于0的数字，最多两位小数"

MONEY_CASES = [
    # guide 1.6 3): 格式为阿拉伯数字，可以填至小数点后两位，不可填写汉字
    ("0", 0),
    ("3000", 300000),
    ("3000.5", 300050),
    ("3000.55", 300055),
    ("0.01", 1),
    ("１２３４.５６", 123456),  # full-width digits pasted from WPS
    ("12,000.00", 1200000),
    (" 88.8 ", 8880),
    ("3000.555", BAD_MONEY),
    ("三千元", BAD_MONEY),
    ("-5", BAD_MONEY),
    ("1e3", BAD_MONEY),
    (".5", BAD_MONEY),
    ("5.", BAD_MONEY),
    ("", BAD_MONEY),
    ("21474836.47", MAX_FEN),
    ("21474836.48", "金额超出允许范围"),
    # number cells of a spreadsheet
    (5200.5, 520050),
    (0.1 + 0.2, 30),  # a formula's binary noise is not a third decimal
    (1234.56, 123456),
    (5200.555, BAD_MONEY),
    (-1.0, BAD_MONEY),
    (float("nan"), BAD_MONEY),
    (1e20, "金额超出允许范围"),
]


@pytest.mark.parametrize(("raw", "expected"), MONEY_CASES)
def test_money_parser(raw, expected):
    fen, reason = fen_or_reason(raw)
    if isinstance(expected, str):
        assert (fen, reason) == (None, expected)
    else:
        assert (fen, reason) == (expected, None)


def test_money_column_gives_the_cell_results():
    raws = [5200.5, 0.1 + 0.2, 5200.555, -1.0, 1e20, 0.0, 19.99, 2.675, 1234567.89]
    assert list(zip(*fen_column(raws), strict=True)) == [fen_or_reason(r) for r in raws]


@pytest.mark.parametrize(("fen", "grouped", "plain"), [
    (0, "0.00", "0.00"), (5, "0.05", "0.05"), (123450, "1,234.50", "1234.50"),
    (123456789012, "1,234,567,890.12", "1234567890.12"), (-150, "-1.50", "-1.50"), (None, "", ""),
])
def test_money_formatter(fen, grouped, plain):
    assert yuan(fen) == grouped
    assert yuan(fen, grouping=False) == plain
    if fen is not None:
        assert fen_or_reason(plain.lstrip("-"))[0] == (abs(fen) if abs(fen) <= MAX_FEN else None)  # reads back


@pytest.mark.parametrize(("period", "label"), [
    (202611, "2026年11月"), (201501, "2015年01月"), ("202603", "2026年03月"), (None, ""), ("", ""),
])
def test_period_label(period, label):
    assert period_label(period) == label


def test_money_for_spreadsheets_is_exact():
    assert yuan_decimal(123456789012345) == Decimal("1234567890123.45")
    assert str(yuan_decimal(7)) == "0.07"


DATE_CASES = [
    ("2025-01-05", date(2025, 1, 5)),
    ("2025-1-5", date(2025, 1, 5)),
    ("2025/1/5", date(2025, 1, 5)),
    ("2025.01.05", date(2025, 1, 5)),
    ("2025年1月5日", date(2025, 1, 5)),
    ("20250105", date(2025, 1, 5)),
    ("２０２５－０１－０５", date(2025, 1, 5)),
    ("2025-01-05 08:30:00", date(2025, 1, 5)),
    ("2024-02-29", date(2024, 2, 29)),
    ("2023-02-29", "日期填写的日期不存在"),
    ("2025-13-01", "日期填写的日期不存在"),
    ("明天", "日期应为日期，格式yyyy-mm-dd"),
    ("2025-01", "日期应为日期，格式yyyy-mm-dd"),
    ("25-1-5", "日期应为日期，格式yyyy-mm-dd"),
]


@pytest.mark.parametrize(("raw", "expected"), DATE_CASES)
def test_date_parser(raw, expected):
    day, reason = date_or_reason(raw)
    assert (reason if isinstance(expected, str) else day) == expected


def test_date_cells_of_a_spreadsheet():
    assert date_or_reason(45331.0) == (date(2024, 2, 9), None)  # an Excel serial number
    assert date_or_reason(datetime(2025, 1, 5, 8, 30)) == (date(2025, 1, 5), None)
    assert date_or_reason(date(2025, 1, 5)) == (date(2025, 1, 5), None)
    assert date_or_reason(-3.0)[1] == "日期应为日期，格式yyyy-mm-dd"


async def _form_result(field, raw):
    form = Form([field], {field.name: raw})
    await form.validate()
    return form.cleaned.get(field.name), form.errors.get(field.name)


def _sheet_result(column, raw):
    texts, raws = _text_column([raw])
    one = cleaner(column, {})(texts[0], raws[0])
    values, reasons = column_cleaner(column, {})(texts, raws)
    assert (values[0], reasons[0]) == one
    return one


@pytest.mark.parametrize("raw", [raw for raw, _ in DATE_CASES])
async def test_date_form_and_spreadsheet_agree(raw):
    """The web form accepts exactly what the spreadsheet accepts (it refused 2025年1月5日 before), same message."""
    assert await _form_result(DateField("d", "签订日期"), raw) == _sheet_result(SheetColumn("d", "签订日期", type="date"), raw)


@pytest.mark.parametrize("raw", [raw for raw, _ in MONEY_CASES if isinstance(raw, str) and raw.strip()])
async def test_money_form_and_spreadsheet_agree(raw):
    assert await _form_result(MoneyField("m", "月工资（元）"), raw) == _sheet_result(
        SheetColumn("m", "月工资（元）", type="money"), raw)


MONTH_FORMAT = "年月格式不正确，请按“年月”填写，如 2026-05、202605 或 2026年5月"
MONTH_MISSING = "年月不存在，请检查年份和月份"


@pytest.mark.parametrize(("raw", "expected"), [
    ("2026-05", 202605), ("2026-5", 202605), ("202605", 202605), ("2026年5月", 202605), ("2026年05月", 202605),
    ("2026/5", 202605), ("2026.05", 202605), (" 2026 年 5 月 ", 202605), ("２０２６－０５", 202605),
    ("2026-12", 202612), ("1900-01", 190001), ("2100-12", 210012),
    (202605, 202605), (202605.0, 202605), (date(2026, 5, 17), 202605), (datetime(2026, 5, 1, 8), 202605),
    ("2026-13", MONTH_MISSING), ("2026-00", MONTH_MISSING), ("202600", MONTH_MISSING), ("1899-12", MONTH_MISSING),
    ("2101-01", MONTH_MISSING),
    ("", MONTH_FORMAT), (None, MONTH_FORMAT), ("05-2026", MONTH_FORMAT), ("26-05", MONTH_FORMAT),
    ("2026-05-01", MONTH_FORMAT), ("五月", MONTH_FORMAT), ("2026-123", MONTH_FORMAT), (2026.5, MONTH_FORMAT),
])
def test_month_parser(raw, expected):
    """The one parser of 年月 / 结算期: forms, query strings and spreadsheet cells (numbers, dates)."""
    month, reason = month_or_reason(raw)
    assert (reason if isinstance(expected, str) else month) == expected
    assert (month is None) == (reason is not None)


def test_month_messages_carry_the_label():
    assert month_or_reason("x", "减员结算期")[1] == "减员结算期格式不正确，请按“年月”填写，如 2026-05、202605 或 2026年5月"
    assert month_or_reason("2026-13", "起始年月")[1] == "起始年月不存在，请检查年份和月份"
