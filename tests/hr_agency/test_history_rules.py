"""HRA-12 the rules of one history row (history.row_reasons), from a table; and the number formats as patterns."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domains.hr_agency import history

LICENCE_FMT = "（琼）人服证字〔{year}〕第{division}{seq:04d}号"
FILING_FMT = "琼人服备〔{year}〕{division}{seq:04d}号"
CTX = history.Context(
    services={"为劳动者介绍用人单位": ("L01", True), "L01": ("L01", True), "人力资源培训": ("F05", False),
              "F05": ("F05", False)},
    licence_format=LICENCE_FMT, filing_format=FILING_FMT, today=date(2026, 12, 5))
LICENCE = {"licence_no": "（琼）人服证字〔2019〕第4601050001号", "licence_on": date(2019, 3, 1),
           "licence_services": "为劳动者介绍用人单位"}
FILING = {"filing_no": "琼人服备〔2020〕4601050002号", "filed_on": date(2020, 5, 6), "filing_services": "人力资源培训"}


def row(**over: Any) -> dict[str, Any]:
    return {"status": history.ACTIVE, **over}


CASES = [
    ("licence only", row(**LICENCE), []),
    ("filing only", row(**FILING), []),
    ("both", row(**LICENCE, **FILING), []),
    ("services by code, several separators", row(**{**LICENCE, "licence_services": "L01，为劳动者介绍用人单位"}), []),
    ("neither", row(), ["许可证编号和备案编号至少填写一项"]),
    ("licence date without number", row(**FILING, licence_on=date(2019, 1, 1)), ["填写了发证日期或许可事项的，应填写许可证编号"]),
    ("number without date", row(**{**LICENCE, "licence_on": None}), ["填写了许可证编号的，发证日期不能为空"]),
    ("future date", row(**{**LICENCE, "licence_no": "（琼）人服证字〔2027〕第4601050001号", "licence_on": date(2027, 1, 1)}),
     ["发证日期不能晚于今天"]),
    ("bad licence format", row(**{**LICENCE, "licence_no": "琼人服证2019-1"}),
     ["许可证编号格式不正确，应如（琼）人服证字〔2019〕第4601050001号"]),
    ("short sequence", row(**{**LICENCE, "licence_no": "（琼）人服证字〔2019〕第460105001号"}),
     ["许可证编号格式不正确，应如（琼）人服证字〔2019〕第4601050001号"]),
    ("year differs", row(**{**LICENCE, "licence_on": date(2018, 3, 1)}),
     ["许可证编号中的年份（2019）与发证日期（2018年）不一致"]),
    ("bad filing format", row(**{**FILING, "filing_no": "备案1号"}), ["备案编号格式不正确，应如琼人服备〔2019〕4601050001号"]),
    ("licence without services", row(**{**LICENCE, "licence_services": None}), ["填写了许可证编号的，许可事项不能为空"]),
    ("unknown service", row(**{**LICENCE, "licence_services": "代办签证"}), ["许可事项“代办签证”不在服务事项字典中"]),
    ("filing service under licence", row(**{**LICENCE, "licence_services": "人力资源培训"}),
     ["许可事项只能填写职业中介活动事项，其他事项请填写在备案事项中"]),
    ("licensed service under filing", row(**{**FILING, "filing_services": "为劳动者介绍用人单位"}),
     ["职业中介活动事项须取得许可，不能填写在备案事项中"]),
    ("valid until before issue", row(**LICENCE, valid_until=date(2019, 3, 1)), ["许可有效期至应晚于发证日期"]),
    ("ended without date", row(**LICENCE, status=history.ENDED), ["机构状态为已注销的，注销日期不能为空"]),
    ("ended", row(**LICENCE, status=history.ENDED, ended_on=date(2023, 6, 30)), []),
    ("ended before issue", row(**LICENCE, status=history.ENDED, ended_on=date(2018, 6, 30)), ["注销日期不能早于发证日期或备案日期"]),
    ("ended in future", row(**LICENCE, status=history.ENDED, ended_on=date(2027, 1, 1)), ["注销日期不能晚于今天"]),
    ("active with end date", row(**LICENCE, ended_on=date(2023, 6, 30)), ["机构状态为正常的，注销日期应留空"]),
]


@pytest.mark.parametrize(("name", "data", "expected"), CASES, ids=[c[0] for c in CASES])
def test_row_reasons(name, data, expected):
    assert history.row_reasons(data, CTX) == expected


def test_services_codes_are_left_for_the_writer():
    data = row(**LICENCE, **FILING)
    assert history.row_reasons(data, CTX) == []
    assert data["_licence_services"] == ["L01"] and data["_filing_services"] == ["F05"]


def test_number_pattern_from_the_dictionary_format():
    found = history.number_pattern(LICENCE_FMT).match("（琼）人服证字〔2021〕第46020200012号")
    assert found and found["year"] == "2021" and found["division"] == "460202" and found["seq"] == "00012"
    assert history.number_pattern(LICENCE_FMT).match("x（琼）人服证字〔2021〕第4602020001号") is None
    assert history.number_pattern(LICENCE_FMT).match("（琼）人服证字〔2021〕第4602020001号 ") is None


def test_used_sequences_are_the_highest_per_counter():
    rows = [
        row(**LICENCE, division_code="460105"),  # licence 2019 / 460105 / 1
        row(**{**LICENCE, "licence_no": "（琼）人服证字〔2019〕第4601050012号"}, **FILING),  # 12 beats 1
        row(**{**LICENCE, "licence_no": "（琼）人服证字〔2019〕第4602020003号"}),  # another county's counter
        row(**{**LICENCE, "licence_no": "人服证123"}),  # refused by row_reasons: moves nothing
        row(**FILING, licence_no=None),
    ]
    assert history.used_sequences(rows, CTX) == {
        "hra:licence:460105:2019": 12, "hra:licence:460202:2019": 3, "hra:filing:460105:2020": 2}
    assert history.used_sequences([], CTX) == {}


def test_used_sequences_without_year_or_division_in_the_format():
    """A format without {year} / {division}: the date's year and the agency's issuing county, as an approval uses."""
    ctx = history.Context(services={}, licence_format="人服证第{seq:04d}号", filing_format=FILING_FMT, today=CTX.today)
    data = row(licence_no="人服证第0042号", licence_on=date(2021, 4, 1), division_code="460105001")
    assert history.used_sequences([data], ctx) == {"hra:licence:460105:2021": 42}
