"""缴费基数上下限 per division: a city or county may have its own figures (with effective dates), the province's
are the fallback; 月度核定, entry and the 增员 checks use the employer's division. Reference rows added here are
deleted again (the tables are shared between tests)."""

from __future__ import annotations

import pytest

from domains.personnel_change import service as pc_service
from domains.social_insurance import rules, service
from domains.social_insurance.rules import Limits, Refused
from domains.social_insurance.tables import SiContribution, SiLimit
from portal.core.tables import AuditLog
from tests.social_insurance.support import assessor, insure
from tests.support.factories import make_employer
from tests.support.urls import url_for

REFERENCE = (service.REFERENCE_PERMISSION,)


@pytest.fixture
async def restore_limits():
    kept = {r["id"] for r in await SiLimit.select(SiLimit.id)}
    yield
    await SiLimit.delete().where(SiLimit.id.not_in(list(kept)))


async def add(division: str, year: int, floor: int, ceiling: int) -> None:
    await service.add_limit(
        assessor(permissions=REFERENCE),
        {
            "division_code": division,
            "year": year,
            "base_floor": floor,
            "base_ceiling": ceiling,
            "interest_rate": None,
            "source": "测试",
        },
    )


@pytest.mark.parametrize(
    ("division", "chain"),
    [
        ("460105", ["460105", "460100", ""]),  # a district of 海口: its own, 海口市's, the province's
        ("460100", ["460100", ""]),  # a city
        ("460400", ["460400", ""]),  # 儋州, a city without districts
        ("469002", ["469002", "469000", ""]),  # 琼海 (省直辖): 469000 is a grouping that never has rows
        ("460000", [""]),
        ("", [""]),
        ("46", [""]),
    ],
)
def test_division_chain(division, chain):
    assert rules.division_chain(division) == chain


ROWS = [
    {"division_code": "", "effective_from": 202601, "base_floor": 440000, "base_ceiling": 2200000},
    {"division_code": "460100", "effective_from": 202601, "base_floor": 500000, "base_ceiling": 2500000},
    {"division_code": "460105", "effective_from": 202701, "base_floor": 520000, "base_ceiling": 2600000},
]


@pytest.mark.parametrize(
    ("division", "period", "expected"),
    [
        ("460105", 202612, Limits(500000, 2500000)),  # the county's own starts in 2027: the city's
        ("460105", 202701, Limits(520000, 2600000)),  # then its own
        ("460106", 202701, Limits(500000, 2500000)),  # another district of 海口: the city's
        ("460202", 202612, Limits(440000, 2200000)),  # 三亚 has none: the province's
        ("460105", 202512, None),  # nothing in force anywhere before 2026
    ],
)
def test_division_limits(division, period, expected):
    assert rules.division_limits(ROWS, period, division) == expected


def test_division_limits_without_fallback():
    assert rules.division_limits(ROWS, 202612, "460202", fallback=False) is None
    assert rules.division_limits(ROWS, 202612, "460100", fallback=False) == Limits(500000, 2500000)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        (
            {
                "division_code": "460100",
                "year": 2027,
                "base_floor": 1,
                "base_ceiling": 2,
                "interest_rate": 2620,
            },
            "interest_rate",
        ),  # the 记账利率 is the province's
        (
            {"division_code": "", "year": 2027, "base_floor": 1, "base_ceiling": 2, "interest_rate": None},
            "interest_rate",
        ),
        (
            {"division_code": "460100", "year": 2026, "base_floor": 1, "base_ceiling": 2},
            "year",
        ),  # one a year each
        ({"division_code": "460105", "year": 2026, "base_floor": 1, "base_ceiling": 2}, None),
    ],
)
def test_limit_rules_per_division(values, field):
    errors = rules.limit_errors(values, {("", 2026), ("460100", 2026)})
    assert list(errors) == ([field] if field else [])


async def test_assessment_uses_the_employer_division(restore_limits):
    haikou = await make_employer(division_code="460105")
    sanya = await make_employer(division_code="460202")
    p1 = await insure(haikou, base=450000, start=202601, insurances=("pension",))
    p2 = await insure(sanya, base=450000, start=202601, insurances=("pension",))
    p3 = await insure(haikou, base=2200000, start=202601, insurances=("pension",))
    await add("460100", 2026, 480000, 2100000)  # after the entries: 核定 clamps to the figures of the 结算期
    await service.assess(assessor(), 202611)
    rows = {r["person"]: r for r in await SiContribution.select().where(SiContribution.period == 202611)}
    assert rows[p1["id"]]["base"] == 480000  # raised to 海口市's floor
    assert rows[p1["id"]]["pension_personal"] == 38400  # 4,800.00 × 8%
    assert rows[p2["id"]]["base"] == 450000  # 三亚: the province's 4,400.00 floor
    assert rows[p3["id"]]["base"] == 2100000  # lowered to 海口市's ceiling (the province's is 22,000.00)
    first = {k: dict(v) for k, v in rows.items()}
    await service.assess(assessor(), 202611)  # idempotent with the division join
    again = {
        r["person"]: dict(r) for r in await SiContribution.select().where(SiContribution.period == 202611)
    }
    assert again == first


async def test_entry_and_the_change_checks_use_the_division(restore_limits):
    await add("460100", 2026, 480000, 2300000)
    haikou = await make_employer(division_code="460106")
    sanya = await make_employer(division_code="460202")
    with pytest.raises(Refused) as exc:
        await insure(haikou, base=450000, start=202611, insurances=("pension",))
    assert exc.value.message == "缴费基数不能低于下限 4,800.00 元"
    await insure(sanya, base=450000, start=202611, insurances=("pension",))  # the province's floor
    assert await service.base_refusal(450000, 202611, haikou["id"]) == "缴费基数不能低于下限 4,800.00 元"
    assert await service.base_refusal(450000, 202611, sanya["id"]) is None
    # 人员增减员 checks a whole upload with the rows that apply to the employer
    ctx_haikou, ctx_sanya = await pc_service.context(haikou["id"]), await pc_service.context(sanya["id"])
    assert pc_service.base_reason(ctx_haikou, 450000, 202611) == "缴费基数不能低于下限 4,800.00 元"
    assert (
        pc_service.base_reason(ctx_haikou, 450000, 202512) is None
    )  # before 海口市's rows: the province's 2025
    assert pc_service.base_reason(ctx_sanya, 450000, 202611) is None


async def test_admin_adds_a_city_row(client, restore_limits):
    await client.sign_in_staff("si_ref_div", permissions=list(REFERENCE))
    page = await client.page(url_for("si_reference"))
    options = {o["value"]: o.get_text() for o in page.select("#f-division_code option")}
    assert (
        options["460100"] == "海口市"
        and options["460105"] == "海口市秀英区"
        and options["469002"] == "琼海市"
    )
    assert "469000" not in options and "460000" not in options
    form = {
        "division_code": "460100",
        "year": "2026",
        "base_floor": "4800",
        "base_ceiling": "23000",
        "interest_rate": "2.62",
        "limit_source": "海口市人社局通知",
    }
    bad = await client.post_form(url_for("si_reference_limit_add"), form)
    assert bad.status_code == 400 and "记账利率全省统一" in bad.text and "海口市人社局通知" in bad.text
    ok = await client.post_form(url_for("si_reference_limit_add"), {**form, "interest_rate": ""})
    assert ok.status_code == 303
    row = await SiLimit.select().where(SiLimit.division_code == "460100").first()
    assert (row["effective_from"], row["base_floor"], row["interest_rate"]) == (202601, 480000, 0)
    audit = await AuditLog.select().where(
        (AuditLog.action == "limit.add") & (AuditLog.object_id == str(row["id"]))
    )
    assert audit and '"division_code": "460100"' in audit[0]["detail"]
    listed = (await client.page(url_for("si_reference"))).select_one("[data-testid=si-limits]").get_text()
    assert "海口市" in listed and "按全省" in listed
    again = await client.post_form(url_for("si_reference_limit_add"), {**form, "interest_rate": ""})
    assert again.status_code == 400 and "该地区2026年的缴费基数上下限已录入" in again.text
    unknown = await client.post_form(url_for("si_reference_limit_add"), {**form, "division_code": "999999"})
    assert unknown.status_code == 400 and "请从列表中选择适用地区" in unknown.text
