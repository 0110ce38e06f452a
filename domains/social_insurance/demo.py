"""Demo social-insurance data (idempotent): the demo employers' staff insured, 18 months assessed and paid (a few
months in arrears), benefit payments, and 王小明 / 李芳 with a history across two employers since 2015."""

from __future__ import annotations

from datetime import date, timedelta

from domains.employer import service as employers
from domains.person import service as persons
from domains.social_insurance import rules, service
from domains.social_insurance.pages import this_period
from domains.social_insurance.tables import SiBenefit, SiEnrolment, SiLimit, SiPensionAccount, SiRate
from portal.auth.principal import Principal
from portal.db import write_transaction
from portal.validators import id_check_digit
from seeds.demo_identities import EMPLOYERS, PERSONS

# (name, division, birth date, serial, employer index, base 元, status); the first ten are the labour-contract
# demo's workers (same 身份证号), the rest work for the third employer.
STAFF = (
    ("陈小燕", "460105", date(1991, 4, 12), 102, 0, 6800, "active"),
    ("符海峰", "460106", date(1987, 9, 3), 211, 0, 9200, "active"),
    ("吴丽娜", "460107", date(1995, 1, 27), 322, 0, 5600, "terminated"),  # left on 2026-06-30 (LC demo)
    ("王建国", "460108", date(1979, 11, 8), 431, 0, 12000, "suspended"),  # retired: draws 基本养老金
    ("黎晓东", "460105", date(1993, 6, 30), 543, 0, 5200, "active"),
    ("邢美玲", "460200", date(1998, 2, 14), 652, 0, 4800, "active"),
    ("云志强", "460400", date(1985, 12, 1), 761, 0, 7600, "active"),
    ("羊春花", "469001", date(1990, 8, 19), 872, 1, 5000, "active"),
    ("韩文博", "460106", date(1996, 3, 5), 981, 1, 5400, "active"),
    ("蔡佳怡", "460107", date(2000, 7, 21), 190, 1, 4600, "active"),
    ("符大海", "460200", date(1982, 5, 9), 305, 2, 8800, "active"),
    ("黄石生", "460200", date(1976, 10, 2), 417, 2, 7200, "active"),
    ("陈阿妹", "460203", date(1989, 3, 18), 526, 2, 6000, "suspended"),
)
MONTHS = 18
ARREARS_MONTHS = 3  # the second employer has not paid its last three 结算期


def _id(division: str, born: date, serial: int) -> str:
    first17 = f"{division}{born:%Y%m%d}{serial:03d}"
    return first17 + id_check_digit(first17)


def _demo_staff() -> Principal:
    return Principal(kind="staff", account_id=0, display_name="社保经办（演示）",
                     permissions=frozenset({service.ASSESS_PERMISSION}), scopes={"division": ("460000",)})


async def _person(id_number: str, name: str) -> dict:
    row, _ = await persons.find_or_create_for_network(id_number=id_number, name=name, mobile="")
    return row


async def _enrol_all(person_id: int, employer_id: int, base: int, start: int, *, end: int | None = None,
                     status: str = "active", insurances=rules.INSURANCES) -> None:
    for insurance in insurances:
        await service.enrol(person_id, employer_id, insurance, base=base, start_period=start, status=status)
    if end is not None:
        await SiEnrolment.update({SiEnrolment.status: "terminated", SiEnrolment.end_period: end}).where(
            (SiEnrolment.person == person_id) & (SiEnrolment.employer == employer_id))


async def _pension_history(person_id: int, years: dict[int, tuple[int, int]]) -> None:
    """years: year → (缴费基数 分, 缴费月数); the personal 8% is credited, interest at the year's 记账利率."""
    limits = await SiLimit.select()
    rates = await SiRate.select().where(SiRate.insurance == "pension")
    carried = 0
    for year in sorted(years):
        base, months = years[year]
        personal = rules.pick_effective(rates, year * 100 + 12)["personal_rate"]
        rate = rules.pick_effective(limits, year * 100 + 12)["interest_rate"]
        row = rules.pension_year(carried, rules.due(base, personal) * months, rate, months)
        await SiPensionAccount.insert(SiPensionAccount(person=person_id, year=year, **row))
        carried = row["balance"]


async def load() -> dict[str, int]:
    found = [await employers.get_by_uscc(e.uscc) for e in EMPLOYERS]
    if any(e is None for e in found):
        return {"enrolments": 0}  # the labour-contract demo creates the employers first
    if await SiEnrolment.exists().where(SiEnrolment.employer == found[0]["id"]):
        return {"enrolments": 0}
    now = this_period()
    first = rules.add_months(now, -(MONTHS - 1))
    start = rules.add_months(first, -6)
    async with write_transaction():
        for name, division, born, serial, index, base, status in STAFF:
            person = await _person(_id(division, born, serial), name)
            employer_id = found[index]["id"]
            if status == "terminated":
                await _enrol_all(person["id"], employer_id, base * 100, start, end=rules.add_months(now, -6))
            else:
                await _enrol_all(person["id"], employer_id, base * 100, start, status=status)
            await _pension_history(person["id"], {y: (base * 100, 12) for y in range(start // 100, now // 100)})
        # 王小明: 三亚南山建设 2015-01 … 2019-12, then 海南椰风科技; 李芳: 椰风科技 2015-06 … 2020-06, then 蓝湾酒店.
        wang = await _person(PERSONS[0].id_number, PERSONS[0].name)
        li = await _person(PERSONS[1].id_number, PERSONS[1].name)
        await _enrol_all(wang["id"], found[2]["id"], 300000, 201501, end=201912)
        await _enrol_all(wang["id"], found[0]["id"], 780000, 202001)
        await _enrol_all(li["id"], found[0]["id"], 280000, 201506, end=202006)
        await _enrol_all(li["id"], found[1]["id"], 620000, 202007)
        await _pension_history(wang["id"], {**{y: (300000 + (y - 2015) * 20000, 12) for y in range(2015, 2020)},
                                            **{y: (780000, 12) for y in range(2020, now // 100)}})
        await _pension_history(li["id"], {2015: (280000, 7), **{y: (280000, 12) for y in range(2016, 2020)},
                                          2020: (620000, 12), **{y: (620000, 12) for y in range(2021, now // 100)}})
    staff = _demo_staff()
    for offset in range(MONTHS):
        await service.assess(staff, rules.add_months(first, offset))
    async with write_transaction():
        for offset in range(MONTHS - 1):  # this month is not due yet
            period = rules.add_months(first, offset)
            paid_on = rules.payment_deadline(period) - timedelta(days=5)
            for index, employer in enumerate(found):
                if index == 1 and offset >= MONTHS - 1 - ARREARS_MONTHS:
                    continue  # 欠缴
                if index == 2 and offset == MONTHS - 8:
                    paid_on_late = rules.payment_deadline(period) + timedelta(days=12)  # paid late: 滞纳金
                    await service.mark_paid(period, employer["id"], paid_on_late)
                    continue
                await service.mark_paid(period, employer["id"], paid_on)
    for offset in range(MONTHS - 6):
        await service.close_period(staff, rules.add_months(first, offset))
    async with write_transaction():
        wu = await persons.get_by_id_number(_id("460107", date(1995, 1, 27), 322))
        fu = await persons.get_by_id_number(_id("460200", date(1982, 5, 9), 305))
        wang_jg = await persons.get_by_id_number(_id("460108", date(1979, 11, 8), 431))
        benefits = [
            (rules.add_months(now, -10), found[0], wu, "maternity", "生育津贴", 1904000),
            (rules.add_months(now, -10), found[0], wu, "maternity", "生育医疗费用", 520000),
            (rules.add_months(now, -4), found[2], fu, "injury", "工伤医疗费", 836550),
            (rules.add_months(now, -3), found[2], fu, "injury", "一次性伤残补助金", 5280000),
            (rules.add_months(now, -3), found[2], fu, "injury", "停工留薪期工资", 1760000),
            (rules.add_months(now, -2), found[0], wang_jg, "pension", "基本养老金", 412000),
            (rules.add_months(now, -1), found[0], wang_jg, "pension", "基本养老金", 412000),
        ]
        for period, employer, person, insurance, item, amount in benefits:
            await SiBenefit.insert(SiBenefit(period=period, employer=employer["id"], person=person["id"],
                                             insurance=insurance, item=item, amount=amount,
                                             paid_on=rules.payment_deadline(period) - timedelta(days=10)))
    return {"enrolments": await SiEnrolment.count()}
