"""确认通过 and 审核通过 of many at once (set-based, portal.workflow.batch): a mixed selection gives each its own
result, a 调入 and a 减员 of the same person in one batch — exactly one wins, two batch approvals of the same set —
exactly one wins per application, and the audit chain holds. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from domains.personnel_change import forms, service
from domains.personnel_change.tables import PcChange
from domains.social_insurance.tables import SiEnrolment, SiPeriod
from portal import audit
from portal.workflow import engine as workflow
from portal.workflow.tables import Matter, MatterEvent
from tests.personnel_change.support import (
    cleaned,
    employer_principal,
    enrol_data,
    insure,
    make_id_number,
    reviewer,
    two_employers,
    withdraw_data,
)


async def _save(principal, direction: str, data: dict) -> dict:
    form = forms.enrol_form if direction == "enrol" else forms.withdraw_form
    return await service.save(principal, direction, await cleaned(form, data))


async def _live(person_id: int, insurance: str = "pension") -> list[dict]:
    return await SiEnrolment.select().where((SiEnrolment.person == person_id) & (SiEnrolment.insurance == insurance)
                                            & (SiEnrolment.status != "terminated"))


async def test_confirm_of_a_mixed_selection_answers_each_application():
    w = await two_employers()
    a, b = employer_principal(w["a"]), employer_principal(w["b"])
    fresh = [await _save(a, "enrol", enrol_data(make_id_number("460106"), name=f"新人{i}")) for i in range(3)]
    late = await _save(a, "enrol", enrol_data(make_id_number("460106"), name="晚到者", period="2027-01"))
    confirmed = await _save(a, "enrol", enrol_data(make_id_number("460106"), name="已确认者"))
    await service.confirm(a, "enrol", [(confirmed["id"], confirmed["version"])])
    others = await _save(b, "enrol", enrol_data(make_id_number("460202"), name="别家的"))
    # 2027-01 closes after saving: the guard (run again at 确认) refuses that one, naming the person
    await SiPeriod.insert(SiPeriod(period=202701, state="closed"))
    try:
        items = [(m["id"], m["version"]) for m in (*fresh, late)] + [(confirmed["id"], 1), (others["id"], 1)]
        results = await service.confirm(a, "enrol", items)
    finally:
        await SiPeriod.delete().where(SiPeriod.period == 202701)
    assert [results[m["id"]] for m in fresh] == ["", "", ""]
    assert results[late["id"]].startswith("晚到者：") and "关账" in results[late["id"]], results[late["id"]]
    assert results[confirmed["id"]] == "所选申报不存在或已不是未确认状态"
    assert results[others["id"]] == "所选申报不存在或已不是未确认状态"
    states = {m["id"]: m["state"] for m in await Matter.select(Matter.id, Matter.state)}
    assert [states[m["id"]] for m in fresh] == ["submitted"] * 3
    assert states[late["id"]] == "draft" and states[others["id"]] == "draft"
    assert await MatterEvent.count().where(MatterEvent.action == "confirm") == 4  # 3 now + the earlier one


async def test_confirm_page_lists_the_refused_with_their_reasons(app, client):
    w = await two_employers()
    await client.sign_in_employer(w["a"])
    a = employer_principal(w["a"])
    ok = await _save(a, "enrol", enrol_data(make_id_number("460106"), name="顺利者"))
    late = await _save(a, "enrol", enrol_data(make_id_number("460106"), name="晚到者", period="2027-01"))
    await SiPeriod.insert(SiPeriod(period=202701, state="closed"))
    try:
        page = await client.post_form("/personnel-change/enrol/confirm/do", {
            "pick": [f"{ok['id']}:{ok['version']}", f"{late['id']}:{late['version']}", f"{late['id'] + 999}:1"]})
    finally:
        await SiPeriod.delete().where(SiPeriod.period == 202701)
    text = " ".join(page.text.split())
    assert "已确认通过 1 件" in text and "2 件未能确认" in text, text[:1500]
    errors = " ".join(check_errors(page.text))
    assert "晚到者：" in errors and "关账" in errors and "所选申报不存在或已不是未确认状态" in errors


def check_errors(html: str) -> list[str]:
    from bs4 import BeautifulSoup

    box = BeautifulSoup(html, "html.parser").select_one("[data-testid=pc-confirm-errors]")
    return [li.get_text() for li in box.select("li")] if box else []


async def test_transfer_and_withdrawal_of_one_person_in_one_batch_exactly_one_wins():
    """B's 调入 of A's worker and A's 终止参保 of him, approved by one reviewer in one batch with others."""
    w = await two_employers()
    a, b = employer_principal(w["a"]), employer_principal(w["b"])
    transfer = await _save(b, "enrol", enrol_data(w["a1"]["id_number"], name="甲在职", ins_medical=None))
    leave = await _save(a, "withdraw", withdraw_data(w["a1"]["id_number"]))
    plain = [await _save(a, "enrol", enrol_data(make_id_number("460106"), name=f"普通{i}")) for i in range(3)]
    for principal, matter in ((b, transfer), (a, leave), *((a, m) for m in plain)):
        assert await service.confirm(principal, matter["payload"]["direction"], [(matter["id"], 1)]) == {
            matter["id"]: ""}
    staff = reviewer()
    order = [transfer, leave, *plain]
    results = await workflow.fire_many(staff, [(m["id"], 2) for m in order], "approve")
    assert results[transfer["id"]] == ""  # first in the batch wins
    assert results[leave["id"]].startswith(w["a1"]["name"] + "：") and "参保关系已发生变化" in results[leave["id"]]
    assert all(results[m["id"]] == "" for m in plain)
    states = {m["id"]: m["state"] for m in await Matter.select(Matter.id, Matter.state)}
    assert states[leave["id"]] == "submitted" and states[transfer["id"]] == "approved"
    live = await _live(w["a1"]["id"])
    assert [(r["employer"], r["start_period"]) for r in live] == [(w["b"]["id"], 202612)]
    ended = await SiEnrolment.select().where((SiEnrolment.person == w["a1"]["id"]) & (SiEnrolment.insurance == "pension")
                                             & (SiEnrolment.employer == w["a"]["id"]))
    assert [(r["status"], r["end_period"]) for r in ended] == [("terminated", 202611)]
    # the three new persons have their records; the loser's rows stay pending, for a reviewer to reject
    assert await SiEnrolment.count().where((SiEnrolment.start_period == 202612) & (SiEnrolment.employer == w["a"]["id"])) == 6
    assert await PcChange.count().where(PcChange.settled_at.is_null()) == 1
    assert await audit.verify_chain() == (True, None)


async def test_two_batch_approvals_of_the_same_set_exactly_one_wins_each():
    w = await two_employers()
    a = employer_principal(w["a"])
    others = [await insure(w["b"], base=650000, start=202501, name=f"乙{i}") for i in range(3)]
    matters = [await _save(a, "enrol", enrol_data(make_id_number("460106"), name=f"并发{i}")) for i in range(5)]
    matters += [await _save(a, "enrol", enrol_data(p["id_number"], name=p["name"])) for p in others]  # 调入 from B
    assert set((await service.confirm(a, "enrol", [(m["id"], 1) for m in matters])).values()) == {""}
    items = [(m["id"], 2) for m in matters]
    first, second = reviewer(staff_id=71), reviewer(staff_id=72)
    outcomes = await asyncio.gather(workflow.fire_many(first, items, "approve"),
                                    workflow.fire_many(second, items[::-1], "approve"))
    for m in matters:
        done = [o[m["id"]] for o in outcomes]
        assert done.count("") == 1, done
    assert await Matter.count().where((Matter.kind == "pc_enrol") & (Matter.state == "approved")) == 8
    assert await MatterEvent.count().where(MatterEvent.action == "approve") == 8
    for p in others:  # each 调入 ended B's record once and started one at A
        assert [(r["employer"], r["start_period"]) for r in await _live(p["id"])] == [(w["a"]["id"], 202612)]
    assert await SiEnrolment.count().where((SiEnrolment.employer == w["a"]["id"]) & (SiEnrolment.start_period == 202612)) == 16
    assert await PcChange.count().where(PcChange.approved_at.is_null()) == 0
    assert await audit.verify_chain() == (True, None)
