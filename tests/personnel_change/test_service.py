"""Rules on the server (save, confirm, approve) and the 调入 vs 减员 race; runs on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest

from domains.personnel_change import forms, service
from domains.personnel_change.tables import PcChange
from domains.social_insurance.tables import SiEnrolment, SiPeriod
from portal.refusal import Refused
from portal.workflow import engine as workflow
from portal.workflow.errors import WorkflowError
from tests.personnel_change.support import (
    cleaned,
    employer_principal,
    enrol_data,
    make_id_number,
    reviewer,
    two_employers,
    withdraw_data,
)


async def _confirmed(principal, direction: str, matter: dict) -> dict:
    results = await service.confirm(principal, direction, [(matter["id"], matter["version"])])
    assert results == {matter["id"]: ""}
    return await workflow.get_matter_for(principal, matter["id"])


async def test_one_pending_change_per_person_and_insurance():
    w = await two_employers()
    a = employer_principal(w["a"])
    fresh = make_id_number("460106")
    first = await service.save(a, "enrol", await cleaned(forms.enrol_form, enrol_data(fresh)))
    with pytest.raises(Refused) as refused:
        await service.save(a, "enrol", await cleaned(forms.enrol_form, enrol_data(fresh, ins_medical=None)))
    assert refused.value.field == "insurances" and first["number"] in refused.value.message
    # another insurance of the same person is fine
    await service.save(a, "enrol", await cleaned(forms.enrol_form, enrol_data(fresh, ins_pension=None, ins_medical=None,
                                                                              ins_injury="1")))
    # deleting frees the person
    await service.delete(a, "enrol", first["id"], first["version"])
    await service.save(a, "enrol", await cleaned(forms.enrol_form, enrol_data(fresh)))


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"base": "100"}, "base", "缴费基数不能低于下限"),
    ({"base": "999999"}, "base", "缴费基数不能高于上限"),
    ({"period": "2024-12"}, "period", "结算期不能早于本单位首个结算期 2025-01"),
])
async def test_enrol_refusals_name_their_field(data, field, message):
    w = await two_employers()
    with pytest.raises(Refused) as refused:
        await service.save(employer_principal(w["a"]), "enrol",
                           await cleaned(forms.enrol_form, enrol_data(make_id_number("460106"), **data)))
    assert refused.value.field == field and message in refused.value.message


async def test_active_here_refused_and_not_active_here_refused_and_closed_period():
    w = await two_employers()
    a = employer_principal(w["a"])
    with pytest.raises(Refused, match="已在本单位参加养老保险"):
        await service.save(a, "enrol", await cleaned(forms.enrol_form, enrol_data(w["a1"]["id_number"], name="甲在职")))
    with pytest.raises(Refused, match="未在本单位参加养老保险，不能减员"):
        await service.save(a, "withdraw", await cleaned(forms.withdraw_form, withdraw_data(w["b1"]["id_number"])))
    await SiPeriod.insert(SiPeriod(period=202612, state="closed"))
    with pytest.raises(Refused, match="已关账"):
        await service.save(a, "withdraw", await cleaned(forms.withdraw_form, withdraw_data(w["a1"]["id_number"])))


async def test_suspend_then_resume_at_the_same_employer():
    w = await two_employers()
    a = employer_principal(w["a"])
    staff = reviewer()
    saved = await service.save(a, "withdraw", await cleaned(forms.withdraw_form, withdraw_data(
        w["a1"]["id_number"], kind="suspend", reason="16", period="2026-06")))
    matter = await _confirmed(a, "withdraw", saved)
    await workflow.fire(staff, matter["id"], "approve", expected_version=matter["version"])
    row = await SiEnrolment.select().where((SiEnrolment.person == w["a1"]["id"]) & (SiEnrolment.insurance == "pension")).first()
    assert (row["status"], row["end_period"]) == ("suspended", 202605)
    lookup = await service.lookup(a, w["a1"]["id_number"], "enrol", name="甲在职")
    assert {p["insurance"]: p["kind"] for p in lookup["plans"]}["pension"] == "resume"
    saved = await service.save(a, "enrol", await cleaned(forms.enrol_form, enrol_data(
        w["a1"]["id_number"], name="甲在职", ins_medical=None, period="2026-12")))
    matter = await _confirmed(a, "enrol", saved)
    await workflow.fire(staff, matter["id"], "approve", expected_version=matter["version"])
    rows = await SiEnrolment.select().where((SiEnrolment.person == w["a1"]["id"]) & (SiEnrolment.insurance == "pension")
                                            ).order_by(SiEnrolment.id)
    assert [(r["status"], r["start_period"], r["end_period"]) for r in rows] == [
        ("terminated", 202501, 202605), ("active", 202612, None)]


async def test_rejected_change_is_corrected_and_confirmed_again():
    w = await two_employers()
    a = employer_principal(w["a"])
    staff = reviewer()
    saved = await service.save(a, "enrol", await cleaned(forms.enrol_form, enrol_data(make_id_number("460106"))))
    matter = await _confirmed(a, "enrol", saved)
    with pytest.raises(WorkflowError, match="请填写审核意见"):
        await workflow.fire(staff, matter["id"], "reject", expected_version=matter["version"])
    matter = await workflow.fire(staff, matter["id"], "reject", expected_version=matter["version"], opinion="基数有误")
    await service.modify(a, "enrol", matter["id"], await cleaned(forms.enrol_form, enrol_data(
        saved["payload"]["id_number"], base="7000")))
    matter = await workflow.get_matter_for(a, matter["id"])
    matter = await workflow.fire(a, matter["id"], "resubmit", expected_version=matter["version"])
    await workflow.fire(staff, matter["id"], "approve", expected_version=matter["version"])
    bases = {r["base"] for r in await SiEnrolment.select(SiEnrolment.base).where(SiEnrolment.employer == w["a"]["id"])
             if r["base"] != 600000}
    assert bases == {700000}


async def test_transfer_in_and_withdrawal_race_exactly_one_wins():
    """B files a 调入 of A's worker while A files his 终止参保; both confirmed; both approved at once."""
    w = await two_employers()
    a, b = employer_principal(w["a"]), employer_principal(w["b"])
    transfer = await service.save(b, "enrol", await cleaned(forms.enrol_form, enrol_data(
        w["a1"]["id_number"], name="甲在职", ins_medical=None)))
    leave = await service.save(a, "withdraw", await cleaned(forms.withdraw_form, withdraw_data(w["a1"]["id_number"])))
    transfer = await _confirmed(b, "enrol", transfer)
    leave = await _confirmed(a, "withdraw", leave)
    staff = reviewer()

    async def approve(matter):
        try:
            await workflow.fire(staff, matter["id"], "approve", expected_version=matter["version"])
            return ""
        except WorkflowError as exc:
            return exc.message

    outcomes = await asyncio.gather(approve(transfer), approve(leave))
    assert sorted(bool(o) for o in outcomes) == [False, True], outcomes
    loser = next(o for o in outcomes if o)
    assert "参保关系已发生变化" in loser
    rows = await SiEnrolment.select().where((SiEnrolment.person == w["a1"]["id"]) & (SiEnrolment.insurance == "pension"))
    assert len([r for r in rows if r["status"] != "terminated"]) <= 1
    assert len([r for r in rows if r["employer"] == w["a"]["id"] and r["status"] == "terminated"]) == 1
    # the loser stays 已确认（待审核） with its rows pending: staff can reject it with a reason
    states = {m: (await workflow.get_matter_for(staff, m))["state"] for m in (transfer["id"], leave["id"])}
    assert sorted(states.values()) == ["approved", "submitted"]
    assert await PcChange.count().where(PcChange.settled_at.is_null()) == 1


async def test_two_saves_of_the_same_person_at_once_leave_one_pending_change():
    w = await two_employers()
    a = employer_principal(w["a"])
    data = await cleaned(forms.enrol_form, enrol_data(make_id_number("460106")))

    async def save():
        try:
            await service.save(a, "enrol", dict(data))
            return ""
        except Refused as exc:
            return exc.message

    outcomes = await asyncio.gather(save(), save(), save())
    assert outcomes.count("") == 1 and all("未办结的异动申报" in o for o in outcomes if o), outcomes
    assert await PcChange.count() == 2  # pension and medical of the one application
