"""Helpers for social-insurance tests: principals and insured staff."""

from __future__ import annotations

from typing import Any

from domains.social_insurance import rules, service
from portal.auth.principal import Principal
from portal.db import write_transaction
from tests.support.factories import make_person


def assessor(division: str = "460000", staff_id: int = 1, permissions=(service.ASSESS_PERMISSION,)) -> Principal:
    return Principal(kind="staff", account_id=staff_id, display_name="核定员", permissions=frozenset(permissions),
                     scopes={"division": (division,)})


async def insure(employer: dict[str, Any], *, base: int = 500000, start: int = 202501,
                 insurances=rules.INSURANCES, person: dict | None = None, **person_fields: Any) -> dict[str, Any]:
    """A person insured by the employer for the given insurances from `start` on."""
    person = person or await make_person(**person_fields)
    async with write_transaction():
        for insurance in insurances:
            await service.enrol(person["id"], employer["id"], insurance, base=base, start_period=start)
    return person



async def world() -> dict[str, Any]:
    """Employers A and B with insured staff, 2026-10 assessed (A paid), benefits and pension accounts."""
    from datetime import date

    from domains.social_insurance.tables import SiBenefit, SiPensionAccount
    from tests.support.factories import make_employer

    a = await make_employer(name="甲方社保有限公司", division_code="460105")
    b = await make_employer(name="乙方保密有限公司", division_code="460202")
    a1 = await insure(a, base=456789, start=202601, name="甲职工")
    a2 = await insure(a, base=600000, start=202601, insurances=("pension",), name="甲二号")
    b1 = await insure(b, base=800000, start=202601, name="乙方职工")
    await service.assess(assessor(), 202610)
    async with write_transaction():
        await service.mark_paid(202610, a["id"], date(2026, 10, 25))
        for employer, person, item, amount in ((a, a1, "生育津贴", 1904000), (a, a1, "生育医疗费用", 520000),
                                               (b, b1, "乙方秘密津贴", 777700)):
            await SiBenefit.insert(SiBenefit(period=202610, employer=employer["id"], person=person["id"],
                                             insurance="maternity", item=item, amount=amount, paid_on=date(2026, 10, 20)))
        for person in (a1, b1):
            await SiPensionAccount.insert(SiPensionAccount(person=person["id"], year=2025, carried=100000,
                                                           credited=438520, interest=12345, balance=550865, months=12))
    return {"a": a, "b": b, "a1": a1, "a2": a2, "b1": b1}
