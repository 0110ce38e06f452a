"""撤回 (X-1a) of a confirmed 增员/减员 before review, through HTTP: the confirmation step (page and htmx modal), back
to 未确认 with its rows, another employer's 404, refused once reviewed, a double post, and the race with a
reviewer's approval (both engines)."""

from __future__ import annotations

import asyncio

from domains.personnel_change import forms, service
from domains.personnel_change.tables import PcChange
from portal.core.tables import AuditLog
from portal.workflow import engine as workflow
from portal.workflow.tables import Matter
from tests.personnel_change.support import (
    cleaned,
    employer_principal,
    enrol_data,
    make_id_number,
    reviewer,
    two_employers,
    withdraw_data,
)
from tests.support.races import refusal
from tests.support.urls import url_for


async def _confirmed(employer: dict, direction: str = "enrol", data: dict | None = None) -> dict:
    """An application saved and 确认通过: 已确认（待审核）, nobody has reviewed it."""
    principal = employer_principal(employer)
    form = forms.enrol_form if direction == "enrol" else forms.withdraw_form
    saved = await service.save(principal, direction, await cleaned(form, data or enrol_data(make_id_number("460106"))))
    assert await service.confirm(principal, direction, [(saved["id"], saved["version"])]) == {saved["id"]: ""}
    return await workflow.get_matter_for(principal, saved["id"])


async def _state(matter_id: int) -> str:
    return (await Matter.select(Matter.state).where(Matter.id == matter_id).first())["state"]


async def test_recall_from_the_list_in_the_modal_back_to_unconfirmed(app, client):
    w = await two_employers()
    matter = await _confirmed(w["a"])
    await client.sign_in_employer(w["a"])
    listing = await client.page(url_for("pc_enrol_confirm"))
    link = listing.select_one("[data-testid=pc-recall]")
    ask = url_for("pc_enrol_recall", matter_id=matter["id"])
    assert link["href"] == ask and link["hx-get"] == ask and link["hx-target"] == "#app-modal-root"
    assert link["hx-swap"] == "innerHTML"  # not the results' outerHTML, which it would inherit
    assert listing.select_one("#pc-confirm-results")["hx-trigger"] == "pc-changed from:body"
    # the platform's own matter page (我的办件) offers the same step, as for every kind with a 撤回
    platform = await client.page(url_for("matter_detail", matter_id=matter["id"]))
    assert platform.select_one("button[name=transition][value=withdraw]").get_text() == "撤回"
    # the confirmation step: nothing happens before 确定撤回
    modal = await client.page(ask, htmx=True)
    assert modal.select_one("[data-modal]") and "撤回增员申报" in modal.get_text()
    form = modal.select_one("form")
    assert form["hx-post"] == url_for("pc_enrol_recall_do", matter_id=matter["id"])
    assert await _state(matter["id"]) == "submitted"
    fields = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]") if i["name"] != "_csrf_token"}
    done = await client.post_form(form["hx-post"], fields, htmx=True)
    assert done.status_code == 200 and done.headers["HX-Trigger"] == "pc-changed"
    assert "回到未确认状态" in done.text and matter["number"] in done.text
    assert await _state(matter["id"]) == "draft"
    # its rows stay pending (the person is still held by this application), one audit row, the timeline says 撤回
    assert await PcChange.count().where((PcChange.matter_id == matter["id"]) & PcChange.settled_at.is_null()) == 2
    assert await AuditLog.count().where(AuditLog.action == "matter.withdraw") == 1
    assert [e["action_label"] for e in await workflow.timeline(matter["id"])][-1] == "撤回"
    # the list (as the trigger reloads it) offers 修改 / 删除 / the tick again; 确认通过 works as before
    results = await client.page(url_for("pc_enrol_confirm"), htmx=True)
    assert results.select_one(f"input[name=pick][value='{matter['id']}:{matter['version'] + 1}']")
    assert not results.select("[data-testid=pc-recall]")
    again = await service.confirm(employer_principal(w["a"]), "enrol", [(matter["id"], matter["version"] + 1)])
    assert again == {matter["id"]: ""} and await _state(matter["id"]) == "submitted"


async def test_recall_without_javascript_and_from_the_detail_page(app, client):
    w = await two_employers()
    matter = await _confirmed(w["a"], "withdraw", withdraw_data(w["a1"]["id_number"]))
    await client.sign_in_employer(w["a"])
    detail = await client.page(url_for("pc_withdraw_detail", matter_id=matter["id"]))
    ask = detail.select_one("[data-testid=pc-recall]")["href"]
    page = await client.page(ask)
    assert page.find("h1").get_text() == "撤回减员申报"
    form = page.select_one("main form[method=post]")
    fields = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]") if i["name"] != "_csrf_token"}
    done = await client.post_form(form["action"], fields)
    assert done.status_code == 303
    assert done.headers["location"] == url_for("pc_withdraw_confirm", {"recalled": matter["number"]})
    assert "已撤回（办件编号" in (await client.page(done.headers["location"])).get_text()
    forged = await client.page(url_for("pc_withdraw_confirm", {"recalled": "请拨打 123 领取补贴"}))
    assert "已撤回" not in forged.get_text() and "领取补贴" not in forged.get_text()
    assert await _state(matter["id"]) == "draft"
    # the same form posted twice acts once
    twice = await client.post_form(form["action"], fields)
    assert twice.status_code == 409 and "请勿重复提交" in twice.text


async def test_another_employers_application_is_404_and_unchanged(app, client):
    w = await two_employers()
    matter = await _confirmed(w["b"], data=enrol_data(make_id_number("460202"), name="乙秘密"))
    await client.sign_in_employer(w["a"])
    for name in ("pc_enrol_recall", "pc_withdraw_recall"):
        response = await client.get(url_for(name, matter_id=matter["id"]))
        assert response.status_code == 404 and "乙秘密" not in response.text
    for name in ("pc_enrol_recall_do", "pc_withdraw_recall_do"):
        response = await client.post_form(url_for(name, matter_id=matter["id"]), {"version": str(matter["version"])},
                                          htmx=True)
        assert response.status_code == 404 and "乙秘密" not in response.text
    assert await _state(matter["id"]) == "submitted"
    assert await AuditLog.count().where(AuditLog.action == "matter.withdraw") == 0


async def test_refused_once_reviewed_with_the_reason(app, client):
    w = await two_employers()
    matter = await _confirmed(w["a"])
    staff = reviewer()
    await workflow.fire(staff, matter["id"], "approve", expected_version=matter["version"])
    await client.sign_in_employer(w["a"])
    listing = await client.page(url_for("pc_enrol_confirm"))
    assert not listing.select("[data-testid=pc-recall]")
    # a page opened before the approval posts its old version: a clear reason, nothing changed
    url = url_for("pc_enrol_recall_do", matter_id=matter["id"])
    plain = await client.post_form(url, {"version": str(matter["version"])})
    assert plain.status_code == 409 and "该申报已审核通过，参保登记已变更，不能撤回" in plain.text
    modal = await client.post_form(url, {"version": str(matter["version"])}, htmx=True)
    assert modal.status_code == 200 and "不能撤回" in modal.text and modal.headers["HX-Trigger"] == "pc-changed"
    ask = await client.page(url_for("pc_enrol_recall", matter_id=matter["id"]))
    assert not ask.select("main form[method=post]") and "不能撤回" in ask.select_one(
        "[data-testid=pc-recall-refusal]").get_text()
    assert await _state(matter["id"]) == "approved"
    # a rejected one is back with the employer: nothing to take back
    other = await _confirmed(w["a"])
    other = await workflow.fire(staff, other["id"], "reject", expected_version=other["version"], opinion="基数有误")
    refused = await client.post_form(url_for("pc_enrol_recall_do", matter_id=other["id"]),
                                     {"version": str(other["version"])})
    assert refused.status_code == 409 and "已审核不通过，无需撤回" in refused.text


async def test_recall_and_the_reviewers_approval_at_once_one_wins():
    """The reviewer's approval started with the 撤回, or a few milliseconds after it (so that either may reach the
    matter first): exactly one goes through, the loser reads why, one audit row."""
    w = await two_employers()
    principal, staff = employer_principal(w["a"]), reviewer()

    async def approve_after(delay: float, matter: dict) -> str:
        await asyncio.sleep(delay)
        return await refusal(workflow.fire(staff, matter["id"], "approve", expected_version=matter["version"]))

    for delay in (0, 0.005, 0.02):
        matter = await _confirmed(w["a"])
        approved, recalled = await asyncio.gather(
            approve_after(delay, matter), refusal(service.recall(principal, "enrol", matter["id"], matter["version"])))
        assert sorted([bool(approved), bool(recalled)]) == [False, True], (approved, recalled)
        state = await _state(matter["id"])
        if recalled:  # the reviewer came first: the employer reads why
            assert state == "approved" and recalled == "该申报已审核通过，参保登记已变更，不能撤回"
        else:
            assert state == "draft" and "该办件已被他人处理，当前状态：未确认" in approved
            assert await PcChange.count().where(
                (PcChange.matter_id == matter["id"]) & PcChange.approved_at.is_not_null()) == 0
        assert await AuditLog.count().where(AuditLog.action.is_in(["matter.approve", "matter.withdraw"])
                                            & (AuditLog.object_id == str(matter["id"]))) == 1
