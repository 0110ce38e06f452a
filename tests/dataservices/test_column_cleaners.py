"""The column-at-once cleaners and the batch ID check give exactly the per-cell results (cleaner(), id_number_error())."""

from __future__ import annotations

import random
from datetime import date, datetime

import pytest

from portal import validators
from portal.dataservices.spreadsheets import SheetColumn, _text_column, cleaner, column_cleaner
from tests.support.factories import make_id_number

CELLS = [
    None, "", " ", "\u3000", "张三", "  张三  ", "一二三四五六七八九十一", "'=1+1", "'+86", "'", "男", "女", "未知", "０１",
    "01", "全日制用工", 3.0, 5200.5, 5200.555, -1.0, 0.0, 12.0, 1e20, True, False, date(2025, 1, 5),
    datetime(2025, 1, 5, 8, 30), "2025-01-05", "2025/1/5", "2025年1月5日", "20250105", "2025-13-01", 45658.0,
    "13800138000", "1380013800", "0898-66668888", "１３８００１３８０００", "460105199001010000", "5,200.50", "5200.5",
    "5200.555", "-5", "abc", "12", "-12", "１２", 460105199001010000.0, "91460000MA5T00000X", "46010519900517001x",
]


def _columns():
    return [
        SheetColumn("t", "姓名", max_len=10), SheetColumn("t2", "备注", required=False),
        SheetColumn("i", "身份证号", type="id_number"), SheetColumn("u", "统一社会信用代码", type="uscc", required=False),
        SheetColumn("m", "手机号码", type="mobile", required=False), SheetColumn("p", "电话", type="phone"),
        SheetColumn("d", "日期", type="date"), SheetColumn("d2", "结束日期", type="date", required=False),
        SheetColumn("n", "整数", type="int"), SheetColumn("y", "金额", type="money"),
        SheetColumn("c", "性别", type="choice", choices=("男", "女")),
        SheetColumn("c2", "用工形式", type="choice", required=False),
    ]


CHOICES = {"c": {"男": "男", "女": "女"}, "c2": {"01": "01", "全日制用工": "01", "02": "02", "非全日制用工": "02"}}


@pytest.mark.parametrize("column", _columns(), ids=lambda c: f"{c.type}-{c.key}")
def test_column_cleaner_matches_the_cell_cleaner(column):
    rng = random.Random(5)
    ids = [make_id_number(rng=rng) for _ in range(20)]
    cells = CELLS + ids + [i[:17] + "X" for i in ids] + [i.lower() for i in ids]
    for sample in (cells, [c for c in cells if isinstance(c, float)], [c for c in cells if isinstance(c, str)],
                   ids, [float(i[:15]) for i in ids[:5]], [date(2025, 1, d) for d in range(1, 20)]):
        texts, raws = _text_column(list(sample))
        mapping = CHOICES.get(column.key, {})
        one = cleaner(column, mapping)
        expected = [one(t, r) for t, r in zip(texts, raws, strict=True)]
        values, reasons = column_cleaner(column, mapping)(texts, raws)
        assert list(zip(values, reasons, strict=True)) == expected


def test_batch_id_check_matches_the_single_one():
    rng = random.Random(11)
    values = []
    for _ in range(3000):
        ident = make_id_number(rng=rng, born=date(rng.randint(1890, 2030), rng.randint(1, 12), rng.randint(1, 28)))
        mutate = rng.random()
        if mutate < 0.2:
            ident = ident[:17] + rng.choice("0123456789X")
        elif mutate < 0.3:
            ident = ident[:10] + "0230" + ident[14:]        # 30 February
        elif mutate < 0.35:
            ident = ident[:17]
        elif mutate < 0.4:
            ident = ident[:5] + "٣" + ident[6:]               # a non-ASCII digit
        values.append(ident)
    assert validators.id_number_errors(values) == [validators.id_number_error(v) for v in values]
    assert validators.id_number_errors(values).count(None) > 1000
