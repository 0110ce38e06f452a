"""撤回 of a confirmed 工伤快报 before review, through HTTP: the confirmation (the 快报确认 list's modal and the page
from 详细), back to 未确认 and out of the reviewers' workbench and queue, refused once the reviewer decided or on a
stale page, a double post, another employer's 404, and the race with the reviewer's decision (both engines)."""

from __future__ import annotations

import asyncio

from bs4 import BeautifulSoup

from domains.work_injury import matters, rules, service
from domains.work_injury.tables import WiAccident
from portal.auth.principal import Principal
from portal.core.tables import AuditLog
from portal.workflow import engine as workflow
from portal.workflow.tables import Matter
from tests.support.races import refusal
from tests.work_injury.support import save, world, yesterday_text

STAFF = {"permissions": [matters.REVIEW], "scopes": {"division": ["460100"]}}


def _employer(employer: dict) -> Principal:
    return Principal(kind="employer", account_id=employer["id"] + 1000, display_name=employer["name"],
                     employer_name=employer["name"], employer_id=employer["id"], acting_name="张法人",
                     acting_role="legal_rep")


def _reviewer() -> Principal:
    return Principal(kind="staff", account_id=77, display_name="工伤审核员",
                     permissions=frozenset({matters.REVIEW}), scopes={"division": ("460100",)})


async def _confirmed(client, employer: dict, id_number: str, days_ago: int = 1) -> dict:
    """A report saved and 确认提交 over HTTP: 已提交（待审核）; the accident id and its 办件."""
    accident_id = await save(client, employer, id_number, occurred_at=yesterday_text(days_ago))
    await client.post_form("/work-injury/reports/confirm", {"pick": [str(accident_id)]})
    row = await WiAccident.select().where(WiAccident.id == accident_id).first()
    return {"id": accident_id, "matter": await Matter.select().where(Matter.id == row["matter_id"]).first()}


async def _state(matter_id: int) -> str:
    return (await Matter.select(Matter.state).where(Matter.id == matter_id).first())["state"]


def _fields(form) -> dict[str, str]:
    return {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]") if i["name"] != "_csrf_token"}


def test_recall_refusal():
    assert rules.recall_refusal("submitted") is None
    assert rules.recall_refusal("approved") == "该工伤快报已审核通过，不能撤回"
    assert rules.recall_refusal("rejected") == "该工伤快报已被退回，无需撤回，可修改后重新确认提交，也可以删除"
    assert rules.recall_refusal("draft") == "该工伤快报尚未确认提交，无需撤回，可直接修改或删除"
    assert rules.recall_refusal("voided") == "该工伤快报已删除，不能撤回"
    assert [t.to_state for t in matters.QUICK_REPORT.transitions if t.name == "withdraw"] == ["draft"]


async def test_recall_from_the_list_in_the_modal_then_the_reviewer_no_longer_sees_it(client, other_client):
    w = await world()
    report = await _confirmed(client, w["a"], w["a1"]["id_number"])
    matter = report["matter"]
    await other_client.sign_in_staff("wi_recall_reviewer", **STAFF)
    assert f'data-matter="{matter["id"]}"' in (await other_client.get("/workbench")).text
    assert "甲方工伤测试有限公司" in (await other_client.page("/wi-admin/")).get_text()

    listing = await client.page("/work-injury/reports")
    ask = f"/work-injury/reports/{report['id']}/recall"
    link = listing.find("a", href=ask)
    assert link.get_text() == "撤回" and link["hx-get"] == ask and link["hx-target"] == "#app-modal-root"
    assert link["hx-swap"] == "innerHTML" and link.has_attr("data-modal-open")
    grid = listing.select_one("#grid-wi_reports")
    assert grid["hx-trigger"] == "wi-changed from:body" and grid["hx-get"].startswith("/work-injury/reports")
    modal = await client.page(ask, htmx=True)
    assert modal.select_one("[data-modal]") and "撤回工伤快报" in modal.get_text()
    assert matter["number"] in modal.get_text() and "已提交（待审核）" in modal.get_text()
    form = modal.select_one("form")
    assert form["hx-post"] == ask and _fields(form)["version"] == str(matter["version"])
    assert await _state(matter["id"]) == "submitted"  # nothing before 确定撤回
    done = await client.post_form(ask, _fields(form), htmx=True)
    assert done.status_code == 200 and done.headers["HX-Trigger"] == "wi-changed"
    assert "回到未确认状态" in BeautifulSoup(done.text, "html.parser").select_one(
        "[data-testid=wi-recall-done]").get_text()
    assert await _state(matter["id"]) == "draft"
    assert await AuditLog.count().where(AuditLog.action == "matter.withdraw") == 1
    assert [e["action_label"] for e in await workflow.timeline(matter["id"])][-1] == "撤回"
    # the list as the trigger reloads it: tick, 修改, 删除 again, no 撤回; the 30-day flag is gone with the review
    results = await client.page("/work-injury/reports", htmx=True)
    assert results.select_one(f"input[name=pick][value='{report['id']}']")
    assert not results.find("a", href=ask) and results.find("a", href=f"/work-injury/reports/{report['id']}/edit")
    # the reviewer no longer sees it in the workbench nor in the queue; its page (kept for its history) offers no
    # decision, and a decision posted from a page opened before is refused
    assert f'data-matter="{matter["id"]}"' not in (await other_client.get("/workbench")).text
    assert "甲方工伤测试有限公司" not in (await other_client.page("/wi-admin/")).get_text()
    review = await other_client.page(f"/workbench/matters/{matter['id']}")
    assert not review.select("button[name=transition]") and "办理" not in [h.get_text() for h in review.select("h2")]
    late = await other_client.post_form(f"/workbench/matters/{matter['id']}/fire", {
        "transition": "approve", "version": str(matter["version"]), "opinion": "同意"})
    assert late.status_code >= 400 and await _state(matter["id"]) == "draft"
    # confirmed again, it is back with the reviewer
    again = await client.post_form("/work-injury/reports/confirm", {"pick": [str(report["id"])]})
    assert "已确认提交 1 份工伤快报" in again.text and await _state(matter["id"]) == "submitted"
    assert f'data-matter="{matter["id"]}"' in (await other_client.get("/workbench")).text


async def test_recall_without_javascript_from_the_detail_page_once(client):
    w = await world()
    report = await _confirmed(client, w["a"], w["a1"]["id_number"])
    detail = await client.page(f"/work-injury/reports/{report['id']}")
    ask = detail.select_one("[data-testid=wi-recall]")["href"]
    page = await client.page(ask)
    assert page.find("h1").get_text() == "撤回工伤快报"
    form = page.select_one("main form[method=post]")
    done = await client.post_form(form["action"], _fields(form))
    assert done.status_code == 303 and done.headers["location"] == "/work-injury/reports?recalled=1"
    assert (await client.page(done.headers["location"])).select_one("[data-testid=wi-recalled]")
    assert await _state(report["matter"]["id"]) == "draft"
    twice = await client.post_form(form["action"], _fields(form))
    assert twice.status_code == 409 and "请勿重复提交" in twice.text
    assert await AuditLog.count().where(AuditLog.action == "matter.withdraw") == 1
    # 未确认 now: the detail page offers 修改 / 删除 / 确认提交, no 撤回
    detail = await client.page(f"/work-injury/reports/{report['id']}")
    assert not detail.select("[data-testid=wi-recall]") and detail.select_one("[data-testid=wi-confirm-one]")


async def test_refused_once_the_reviewer_decided_or_on_a_stale_page(client, other_client):
    w = await world()
    accepted = await _confirmed(client, w["a"], w["a1"]["id_number"])
    returned = await _confirmed(client, w["a"], w["a2"]["id_number"], days_ago=2)
    await other_client.sign_in_staff("wi_recall_reviewer", **STAFF)
    for report, transition in ((accepted, "approve"), (returned, "reject")):
        response = await other_client.post_form(f"/workbench/matters/{report['matter']['id']}/fire", {
            "transition": transition, "version": str(report["matter"]["version"]), "opinion": "已核实"})
        assert response.status_code in (302, 303), response.text[:500]
    listing = await client.page("/work-injury/reports")
    assert not listing.find("a", string="撤回")
    detail = await client.page(f"/work-injury/reports/{accepted['id']}")
    assert not detail.select("[data-testid=wi-recall]")
    # a page opened before the decision posts its old version: the reason, nothing changed
    url = f"/work-injury/reports/{accepted['id']}/recall"
    plain = await client.post_form(url, {"version": str(accepted["matter"]["version"]), "form_id": "stale_form_0123"})
    assert plain.status_code == 409 and "该工伤快报已审核通过，不能撤回" in BeautifulSoup(
        plain.text, "html.parser").select_one("[data-testid=wi-recall-error]").get_text()
    modal = await client.post_form(url, {"version": str(accepted["matter"]["version"])}, htmx=True)
    assert modal.status_code == 200 and modal.headers["HX-Trigger"] == "wi-changed" and "不能撤回" in modal.text
    ask = await client.page(url)
    assert not ask.select("main form[method=post]")
    assert "不能撤回" in ask.select_one("[data-testid=wi-recall-refusal]").get_text()
    returned_post = await client.post_form(f"/work-injury/reports/{returned['id']}/recall",
                                           {"version": str(returned["matter"]["version"])})
    assert returned_post.status_code == 409 and "已被退回，无需撤回" in returned_post.text
    assert await _state(accepted["matter"]["id"]) == "approved" and await _state(returned["matter"]["id"]) == "rejected"

    # stale while still 已提交: re-confirmed after the return (a newer version than the page showed)
    await client.post_form("/work-injury/reports/confirm", {"pick": [str(returned["id"])]})
    assert await _state(returned["matter"]["id"]) == "submitted"
    stale = await client.post_form(f"/work-injury/reports/{returned['id']}/recall",
                                   {"version": str(returned["matter"]["version"])})
    assert stale.status_code == 409 and "该工伤快报已有变化，请刷新页面后重试" in stale.text
    assert await _state(returned["matter"]["id"]) == "submitted"
    assert await AuditLog.count().where(AuditLog.action == "matter.withdraw") == 0


async def test_another_employers_report_is_404_and_unchanged(client, other_client):
    w = await world()
    report = await _confirmed(other_client, w["b"], w["b1"]["id_number"])
    await client.sign_in_employer(w["a"])
    url = f"/work-injury/reports/{report['id']}/recall"
    for response in (await client.get(url), await client.get(url, headers={"HX-Request": "true"}),
                     await client.post_form(url, {"version": str(report["matter"]["version"])}),
                     await client.post_form(url, {"version": str(report["matter"]["version"])}, htmx=True)):
        assert response.status_code == 404 and "乙一" not in response.text
    assert await _state(report["matter"]["id"]) == "submitted"
    assert await AuditLog.count().where(AuditLog.action == "matter.withdraw") == 0


async def test_recall_and_the_reviewers_decision_at_once_one_wins(client):
    """The reviewer's acceptance started with the 撤回, or a few milliseconds after it (so that either may reach the
    report first): exactly one goes through, the loser reads why, one audit row."""
    w = await world()
    employer, staff = _employer(w["a"]), _reviewer()

    async def approve_after(delay: float, matter: dict) -> str:
        await asyncio.sleep(delay)
        return await refusal(workflow.fire(staff, matter["id"], "approve", expected_version=matter["version"]))

    for n, delay in enumerate((0, 0.005, 0.02)):
        report = await _confirmed(client, w["a"], w["a1"]["id_number"], days_ago=n + 1)
        matter = report["matter"]
        approved, recalled = await asyncio.gather(
            approve_after(delay, matter), refusal(service.recall(employer, report["id"], matter["version"])))
        assert sorted([bool(approved), bool(recalled)]) == [False, True], (approved, recalled)
        state = await _state(matter["id"])
        if recalled:  # the reviewer came first
            assert state == "approved" and recalled == "该工伤快报已审核通过，不能撤回"
        else:
            assert state == "draft" and "该办件已被他人处理，当前状态：未确认" in approved
        assert await AuditLog.count().where(AuditLog.action.is_in(["matter.approve", "matter.withdraw"])
                                            & (AuditLog.object_id == str(matter["id"]))) == 1
