"""Helpers for work-injury tests: two employers with staff insured for 工伤, and a filled-in report form."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.social_insurance.support import insure
from tests.support.factories import make_employer, make_person

SHANGHAI = ZoneInfo("Asia/Shanghai")


def yesterday_text(days: int = 1) -> str:
    return (datetime.now(SHANGHAI) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


async def world() -> dict[str, Any]:
    """Employer A (海口) with 甲一, 甲二 insured for 工伤 since 2025-01, 甲旧 who left in 2025-06 and 甲无 insured
    only for 养老; employer B (三亚) with 乙一."""
    a = await make_employer(name="甲方工伤测试有限公司", division_code="460105")
    b = await make_employer(name="乙方工伤保密有限公司", division_code="460202")
    a1 = await insure(a, start=202501, name="甲一")
    a2 = await insure(a, start=202501, name="甲二")
    old = await insure(a, start=202401, name="甲旧", insurances=("injury",))
    from domains.social_insurance.tables import SiEnrolment

    await SiEnrolment.update({SiEnrolment.status: "terminated", SiEnrolment.end_period: 202506}).where(
        SiEnrolment.person == old["id"])
    none = await insure(a, start=202501, name="甲无", insurances=("pension",))
    b1 = await insure(b, start=202501, name="乙一")
    stranger = await make_person(name="路人")
    return {"a": a, "b": b, "a1": a1, "a2": a2, "old": old, "none": none, "b1": b1, "stranger": stranger}


def accident(**overrides: str) -> dict[str, str]:
    values = {"occurred_at": yesterday_text(), "place": "一号车间冲压线", "category": "03",
              "description": "操作冲床时右手被压伤，立即停机送医。", "reporter": "王安全", "reporter_phone": "13800138000",
              "hospital": "海口市人民医院"}
    values.update(overrides)
    return values


def person_row(key: str, id_number: str, **overrides: str) -> dict[str, str]:
    values = {"id_number": id_number, "body_part": "右手", "severity": "1", "diagnosis": "右手挫裂伤",
              "hospitalised": "0", "occupation": "冲压工"}
    values.update(overrides)
    return {f"p{key}_{k}": v for k, v in values.items()}


def report_data(*persons: dict[str, str], op: str = "save", **accident_overrides: str) -> dict[str, Any]:
    """The posted form: accident, then the person rows in order (keys from each row's field names)."""
    data: dict[str, Any] = {**accident(**accident_overrides), "op": op}
    keys = []
    for row in persons:
        data.update(row)
        keys.append(next(iter(row)).split("_")[0][1:])
    data["rows"] = keys
    return data


async def save(client: Any, employer: dict, *id_numbers: str, **accident_overrides: str) -> int:
    """Sign in as the employer and save a report with these persons; the new accident id."""
    await client.sign_in_employer(employer)
    rows = [person_row(str(n), i) for n, i in enumerate(id_numbers)]
    response = await client.post_form("/work-injury/report", report_data(*rows, **accident_overrides))
    assert response.status_code in (302, 303), response.text[:2000]
    return int(response.headers["location"].split("/")[-1].split("?")[0])
