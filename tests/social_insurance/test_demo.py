"""The demo data: staff insured in every status, 18 assessed 结算期 with arrears, benefits, two long histories."""

from __future__ import annotations

from domains.person.tables import Person
from domains.social_insurance.tables import (
    SiBenefit,
    SiContribution,
    SiEmployerPeriod,
    SiEnrolment,
    SiPensionAccount,
    SiPeriod,
)
from seeds.demo import load_demo
from seeds.demo_identities import PERSONS


async def test_demo_data_is_complete_and_idempotent(app):
    await load_demo()
    counts = [await SiEnrolment.count(), await SiContribution.count(), await SiBenefit.count()]
    assert await SiPeriod.count() == 18
    assert await SiPeriod.count().where(SiPeriod.state == "closed") == 12
    statuses = {r["status"] for r in await SiEnrolment.select(SiEnrolment.status)}
    assert statuses == {"active", "suspended", "terminated"}
    # Every record carries its person's name (the copy 姓名包含 searches), through service.enrol and 增员 alike.
    copies = await SiEnrolment.select(SiEnrolment.person_name, SiEnrolment.person.name)
    assert copies and all(c["person_name"] == c["person.name"] != "" for c in copies)
    arrears = await SiEmployerPeriod.select().where(SiEmployerPeriod.paid < SiEmployerPeriod.total)
    assert len({r["employer"] for r in arrears}) == 3 and len(arrears) >= 5  # this month everywhere + 3 months
    assert {r["insurance"] for r in await SiBenefit.select(SiBenefit.insurance)} == {"pension", "maternity", "injury"}
    for demo in PERSONS:
        person = await Person.select().where(Person.id_number == demo.id_number).first()
        employers = {r["employer"] for r in await SiEnrolment.select().where(SiEnrolment.person == person["id"])}
        assert len(employers) == 2, demo.name
        years = [r["year"] for r in await SiPensionAccount.select().where(SiPensionAccount.person == person["id"])
                 .order_by(SiPensionAccount.year)]
        assert years[0] == 2015 and len(years) >= 10
    await load_demo()
    assert [await SiEnrolment.count(), await SiContribution.count(), await SiBenefit.count()] == counts
