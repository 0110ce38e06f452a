"""月度核定: exact to the 分 against hand-computed cases, idempotent, refused for a closed 结算期, scoped."""

from __future__ import annotations

import pytest
from litestar.exceptions import PermissionDeniedException

from domains.social_insurance import service
from domains.social_insurance.rules import Refused
from domains.social_insurance.tables import SiContribution, SiEmployerPeriod, SiEnrolment, SiPeriod
from portal.db import write_transaction
from tests.social_insurance.support import assessor, insure
from tests.support.factories import make_employer

PERIOD = 202611
# 2026-11 rates (seeded): 养老 16% / 8%, 医疗 6% / 2%, 失业 0.5% / 0.5%, 生育 0.5%, 工伤 by risk class.


async def _rows(period: int = PERIOD) -> dict[int, dict]:
    return {r["person"]: r for r in await SiContribution.select().where(SiContribution.period == period)}


async def test_assessment_is_exact_to_the_fen_and_idempotent():
    software = await make_employer(industry="I", division_code="460105")  # 工伤 class 1: 0.2%
    mine = await make_employer(industry="B", division_code="460106")  # 工伤 class 8: 1.9%
    a = await insure(software, base=456789)
    b = await insure(mine, base=1234567, insurances=("pension", "injury"))
    c = await insure(software, base=500000)
    async with write_transaction():  # c stops paying: no row for the month
        await SiEnrolment.update({SiEnrolment.status: "suspended"}).where(SiEnrolment.person == c["id"])

    result = await service.assess(assessor(), PERIOD)
    assert result == {"period": PERIOD, "employers": 2, "rows": 2}
    rows = await _rows()
    # 4,567.89: 730.8624→730.86, 365.4312→365.43, 274.0734→274.07, 91.3578→91.36, 工伤 0.2% 9.13578→9.14,
    # 失业 22.83945→22.84 twice, 生育 22.84.
    assert {k: rows[a["id"]][k] for k in service.AMOUNTS + ("total", "base")} == {
        "pension_employer": 73086, "pension_personal": 36543, "medical_employer": 27407, "medical_personal": 9136,
        "injury_employer": 914, "unemployment_employer": 2284, "unemployment_personal": 2284,
        "maternity_employer": 2284, "total": 153938, "base": 456789}
    # 12,345.67: 养老 1975.3072→1975.31 and 987.6536→987.65, 工伤 1.9% 234.56773→234.57, nothing else.
    assert (rows[b["id"]]["pension_employer"], rows[b["id"]]["pension_personal"], rows[b["id"]]["injury_employer"],
            rows[b["id"]]["medical_employer"], rows[b["id"]]["total"]) == (197531, 98765, 23457, 0, 319753)
    assert c["id"] not in rows
    summary = await SiEmployerPeriod.select().where(SiEmployerPeriod.employer == software["id"]).first()
    assert (summary["headcount"], summary["total"], summary["pension_employer"], summary["paid"]) == (1, 153938, 73086, 0)

    # Idempotent: the same rows and summaries, not twice as many.
    before = await SiContribution.select().order_by(SiContribution.id)
    assert await service.assess(assessor(), PERIOD) == result
    assert await SiContribution.select().order_by(SiContribution.id) == before
    assert await SiEmployerPeriod.count() == 2


async def test_rates_follow_their_effective_date():
    employer = await make_employer(industry="I")
    person = await insure(employer, base=500000, start=201901, insurances=("pension",))
    await service.assess(assessor(), 201904)  # 单位 20% until 2019-04
    await service.assess(assessor(), 201905)  # 16% from 2019-05 (国办发〔2019〕13号)
    assert (await _rows(201904))[person["id"]]["pension_employer"] == 100000
    assert (await _rows(201905))[person["id"]]["pension_employer"] == 80000


async def test_a_closed_period_is_not_assessed_again():
    employer = await make_employer()
    person = await insure(employer, base=500000, insurances=("pension",))
    await service.assess(assessor(), PERIOD)
    await service.close_period(assessor(), PERIOD)
    async with write_transaction():
        await SiEnrolment.update({SiEnrolment.base: 600000}).where(SiEnrolment.person == person["id"])
    with pytest.raises(Refused) as exc:
        await service.assess(assessor(), PERIOD)
    assert exc.value.message == "该结算期已关账，不能重新核定"
    assert (await _rows())[person["id"]]["base"] == 500000
    with pytest.raises(Refused, match="已关账"):
        await service.close_period(assessor(), PERIOD)


async def test_assessment_covers_only_the_staff_members_division():
    haikou = await make_employer(division_code="460105")
    sanya = await make_employer(division_code="460202")
    a = await insure(haikou, insurances=("pension",))
    b = await insure(sanya, insurances=("pension",))
    result = await service.assess(assessor("460100"), PERIOD)
    assert result["employers"] == 1
    assert set(await _rows()) == {a["id"]}
    await service.assess(assessor("460200"), PERIOD)
    assert set(await _rows()) == {a["id"], b["id"]}


async def test_assessment_needs_the_permission():
    with pytest.raises(PermissionDeniedException):
        await service.assess(assessor(permissions=("si.query",)), PERIOD)
    assert await SiPeriod.count() == 0


async def test_one_active_record_per_person_and_insurance_is_a_database_constraint():
    first = await make_employer()
    second = await make_employer()
    person = await insure(first, insurances=("pension",))
    with pytest.raises(Exception) as exc:  # the partial unique index, whatever the engine calls it
        await insure(second, person=person, insurances=("pension",))
    assert "unique" in str(exc.value).lower()
    async with write_transaction():
        await SiEnrolment.update({SiEnrolment.status: "terminated", SiEnrolment.end_period: 202610}).where(
            SiEnrolment.person == person["id"])
    await insure(second, person=person, insurances=("pension",), start=202611)  # after 终止参保: allowed
    await insure(second, person=person, insurances=("medical",), start=202611)
    assert await SiEnrolment.count().where(SiEnrolment.person == person["id"]) == 3


async def test_base_outside_the_limits_is_refused_at_entry():
    employer = await make_employer()
    with pytest.raises(Refused) as exc:
        await insure(employer, base=100, insurances=("pension",), start=PERIOD)
    assert exc.value.message == "缴费基数不能低于下限 4,400.00 元" and exc.value.field == "base"
