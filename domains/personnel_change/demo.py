"""Demo 人员增减员 (idempotent, after the social-insurance demo): for the first demo employer 增员 and 减员 in every
state (未确认, 已确认（待审核）, 审核通过, 审核不通过) and every kind (新参保, 续保, 调入; 暂停参保, 终止参保, 在职转退休
of a man past the statutory age); the third
employer sees the approved 调入 of its worker 黄石生 as 人员险种调出单位 in its 减员确认."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domains.employer import service as employers
from domains.person import service as persons
from domains.personnel_change import service
from domains.personnel_change.tables import PcChange
from domains.social_insurance import service as si
from portal.auth.principal import Principal
from portal.db import write_transaction
from portal.validators import id_check_digit
from portal.workflow import engine as workflow
from portal.workflow.deadlines import local_date
from seeds.demo_identities import EMPLOYERS


def _id(division: str, born: date, serial: int) -> str:
    first17 = f"{division}{born:%Y%m%d}{serial:03d}"
    return first17 + id_check_digit(first17)


def _employer(row: dict) -> Principal:
    return Principal(kind="employer", account_id=0, display_name=row["name"], employer_id=row["id"],
                     employer_name=row["name"], acting_name="经办人（演示）", acting_role="agent")


STAFF = Principal(kind="staff", account_id=0, display_name="增减员审核（演示）",
                  permissions=frozenset({service.REVIEW_PERMISSION}), scopes={"division": ("460000",)})


def _enrol(id_number: str, name: str, period: int, *, insurances=("pension", "medical", "injury"),
           base: int = 600000) -> dict:
    return {"id_number": id_number, "name": name, "ethnicity": "01", "hukou": "10", "address": "海南省海口市龙华区滨海大道8号",
            "phone": "13976000000", "employment_form": "01", "work_start": date(2018, 7, 1), "identity": "11",
            "base": base, "period": period, **{f"ins_{i}": True for i in insurances}}


def _withdraw(id_number: str, kind: str, reason: str, period: int, insurances=("pension", "medical")) -> dict:
    return {"id_number": id_number, "kind": kind, "reason": reason, "period": period, "retire_class": "",
            **{f"ins_{i}": True for i in insurances}}


async def _confirm(principal: Principal, direction: str, matter: dict) -> dict:
    await service.confirm(principal, direction, [(matter["id"], matter["version"])])
    return await workflow.get_matter_for(principal, matter["id"])


async def load() -> dict[str, int]:
    found = [await employers.get_by_uscc(e.uscc) for e in EMPLOYERS]
    if any(e is None for e in found) or await PcChange.exists().where(PcChange.employer == found[0]["id"]):
        return {"changes": 0}
    first, third = _employer(found[0]), _employer(found[2])
    today = local_date(datetime.now(UTC))
    period = max(today.year * 100 + today.month, await si.employer_first_period(found[0]["id"]))
    # 增员 of new persons: 未确认, 已确认（待审核）, 审核通过, 审核不通过
    draft = await service.save(first, "enrol", _enrol(_id("460106", date(1999, 9, 9), 613), "林晓雨", period))
    submitted = await _confirm(first, "enrol", await service.save(
        first, "enrol", _enrol(_id("460105", date(1997, 5, 20), 725), "周海生", period)))
    approved = await _confirm(first, "enrol", await service.save(
        first, "enrol", _enrol(_id("460107", date(2001, 11, 2), 836), "郑可欣", period)))
    await workflow.fire(STAFF, approved["id"], "approve", expected_version=approved["version"], opinion="材料齐全，同意")
    rejected = await _confirm(first, "enrol", await service.save(
        first, "enrol", _enrol(_id("460108", date(1994, 3, 15), 947), "何志明", period, base=450000)))
    await workflow.fire(STAFF, rejected["id"], "reject", expected_version=rejected["version"],
                        opinion="缴费基数与劳动合同约定工资不符，请核实后修改")
    # 调入 of the third employer's 黄石生, approved: his record there ends with the previous 结算期
    huang = _id("460200", date(1976, 10, 2), 417)
    transfer = await _confirm(first, "enrol", await service.save(
        first, "enrol", _enrol(huang, "黄石生", period, insurances=("pension", "medical"), base=720000)))
    await workflow.fire(STAFF, transfer["id"], "approve", expected_version=transfer["version"], opinion="同意调入")
    # 续保: 吴丽娜 left the first employer (终止参保) and comes back, 未确认
    wu = _id("460107", date(1995, 1, 27), 322)
    await service.save(first, "enrol", _enrol(wu, "吴丽娜", period))
    # 减员: 暂停参保 未确认, 终止参保 已确认（待审核）, 终止参保 审核通过 (the third employer's 符大海)
    await service.save(first, "withdraw", _withdraw(_id("460105", date(1993, 6, 30), 543), "suspend", "16", period))
    await _confirm(first, "withdraw", await service.save(
        first, "withdraw", _withdraw(_id("460200", date(1998, 2, 14), 652), "terminate", "12", period)))
    leave = await _confirm(third, "withdraw", await service.save(
        third, "withdraw", _withdraw(_id("460200", date(1982, 5, 9), 305), "terminate", "11", period,
                                     insurances=("pension", "medical", "injury", "unemployment", "maternity"))))
    await workflow.fire(STAFF, leave["id"], "approve", expected_version=leave["version"], opinion="同意")
    # 在职转退休, 已确认（待审核）: 陈国栋 (born 1965-09) reached the statutory age (60 and 3 months under the 2025
    # reform) in 2025-12; insured here since 2025-01
    chen = _id("460106", date(1965, 9, 12), 871)
    async with write_transaction():
        person_id = await persons.ensure_person(chen, "陈国栋", "13976001234")
        for insurance in ("pension", "medical", "injury"):
            await si.enrol(person_id, found[0]["id"], insurance, base=680000, start_period=202501)
    await _confirm(first, "withdraw", await service.save(
        first, "withdraw", _withdraw(chen, "retire", "21", period, insurances=("pension", "medical", "injury"))))
    assert draft and submitted and await persons.get_by_id_number(huang)
    return {"changes": await PcChange.count()}
