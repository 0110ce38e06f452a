"""一件事一次办 through HTTP: the lookup, one form with every problem beside its field and nothing typed lost, the
核对 step, submission, the progress page; the service hall; agents' rights; the cross-tenant matrix."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from domains.one_thing import service
from domains.one_thing.tables import OneThing
from portal.workflow.tables import Matter
from tests.employer.test_agent_rights import sign_in_agent
from tests.one_thing.support import employer_principal, hire_cleaned, hire_data, leave_data, worker
from tests.support.factories import make_employer, make_id_number, make_person
from tests.test_areas import _ask, _routes

XSS = "<img src=x onerror=alert(1)>"


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


async def test_hire_from_lookup_to_the_progress_page(client):
    employer = await make_employer(name="甲录用有限公司", division_code="460106")
    await client.sign_in_employer(employer)
    start = await client.page("/one-thing/hire")
    assert start.find("input", attrs={"name": "id_number"}) is not None
    wrong = await client.page("/one-thing/hire?id_number=460106199005170000")
    assert "身份证号" in wrong.find(class_="app-error-message").get_text()
    data = hire_data()
    form = await client.page(f"/one-thing/hire?id_number={data['id_number']}&worker_name={data['worker_name']}")
    plans = form.find(attrs={"data-testid": "pc-plans"}).get_text()
    assert "养老保险（新参保）" in plans
    # bad input from both domains at once: each message beside its field, everything typed kept
    bad = await client.post_form(
        "/one-thing/hire", {**data, "end_date": "", "base": "100", "address": "滨海大道9号", "step": "check"}
    )
    assert bad.status_code == 200
    page = soup(bad.text)
    assert "固定期限劳动合同必须填写合同结束日期" in page.find(id="f-end_date-error").get_text()
    assert "缴费基数" in page.find(id="f-base-error").get_text()
    assert page.find("input", attrs={"name": "address"})["value"] == "滨海大道9号"
    assert page.find("input", attrs={"name": "post"})["value"] == "软件工程师"
    assert await Matter.count() == 0
    check = await client.post_form("/one-thing/hire", {**data, "step": "check"})
    checked = soup(check.text)
    outcomes = checked.find(attrs={"data-testid": "ot-outcomes"}).get_text()
    assert "养老保险 新参保：2026-12 起在本单位参保" in outcomes and "软件工程师" in checked.get_text()
    assert await Matter.count() == 0  # 核对 files nothing
    back = await client.post_form("/one-thing/hire", {**data, "step": "edit"})
    assert soup(back.text).find("input", attrs={"name": "workplace"})["value"] == "海口市龙华区"
    hidden = {
        i["name"]: i.get("value", "")
        for i in checked.select("form input[type=hidden]")
        if i["name"] not in ("_csrf_token", "csrf_token", "step")
    }
    done = await client.post_form("/one-thing/hire", {**hidden, "step": "submit"})
    assert done.status_code == 303, done.text[:500]
    again = await client.post_form(
        "/one-thing/hire", {**hidden, "step": "submit"}
    )  # a double click acts once
    assert again.status_code == 200 and "请勿重复提交" in again.text, (
        hidden,
        soup(again.text).find("main").get_text()[:800],
    )
    row = await OneThing.select().first()
    assert await OneThing.count() == 1 and done.headers["location"] == f"/one-thing/{row['id']}?submitted=1"
    progress = await client.page(done.headers["location"])
    text = progress.get_text()
    assert row["number"] in text and "劳动合同备案" in text and "人员增员申报" in text
    assert progress.find(attrs={"data-testid": "ot-overall"}).get_text(strip=True) == "审核中"
    lc = await Matter.select().where(Matter.id == row["lc_matter_id"]).first()
    matter_page = (await client.page(f"/matters/{row['pc_matter_id']}")).get_text()
    assert row["number"] in matter_page and "员工录用一件事" in matter_page and lc["number"] in text
    listing = await client.page("/one-thing/")
    assert row["number"] in listing.find(attrs={"data-testid": "ot-list"}).get_text()


async def test_a_person_the_contract_rules_refuse_gets_the_reason_and_no_form(client):
    employer = await make_employer(division_code="460106")
    await client.sign_in_employer(employer)
    data = hire_data()
    await service.hire(employer_principal(employer), await hire_cleaned(data))
    page = await client.page(f"/one-thing/hire?id_number={data['id_number']}&worker_name={data['worker_name']}")
    refused = page.find(attrs={"data-testid": "ot-refused"}).get_text()
    assert "劳动合同新订备案" in refused and page.find("input", attrs={"name": "post"}) is None


async def test_leave_over_http(client):
    employer = await make_employer(name="甲离职有限公司", division_code="460106")
    await client.sign_in_employer(employer)
    w = await worker(employer)
    form = await client.page(f"/one-thing/leave?id_number={w['id_number']}")
    assert (
        "离职职工" in form.get_text() and form.find("input", attrs={"name": "termination_date"}) is not None
    )
    bad = await client.post_form(
        "/one-thing/leave",
        {"id_number": w["id_number"], **leave_data(period="2027-06", reason="21"), "step": "check"},
    )
    page = soup(bad.text)
    assert "在职转退休" in page.find(id="f-reason-error").get_text()
    assert page.find("input", attrs={"name": "compensation"})["value"] == "3000"
    check = await client.post_form(
        "/one-thing/leave", {"id_number": w["id_number"], **leave_data(), "step": "check"}
    )
    checked = soup(check.text)
    assert "终止参保" in checked.find(attrs={"data-testid": "ot-outcomes"}).get_text()
    hidden = {
        i["name"]: i.get("value", "")
        for i in checked.select("form input[type=hidden]")
        if i["name"] != "step"
    }
    assert hidden["id_number"] == w["id_number"]  # the 核对 page carries everything to 提交
    done = await client.post_form("/one-thing/leave", {**hidden, "step": "submit"})
    assert done.status_code == 303, soup(done.text).find("main").get_text()[:800]
    progress = await client.page(done.headers["location"])
    assert "解除(终止)备案审核通过后" in progress.find(attrs={"data-testid": "ot-certificate"}).get_text()


async def test_the_service_hall_lists_both_under_employer_services(client):
    home = await client.page("/?tab=employer")
    text = home.get_text()
    assert "一件事一次办" in text and "员工录用一件事" in text and "员工离职一件事" in text
    guide = (await client.page("/services/ot_hire")).get_text()
    assert "劳动合同备案" in guide and "社会保险" in guide


# --- security -------------------------------------------------------------------------------------------------


async def test_another_employer_reaches_nothing_of_bs(client):
    a = await make_employer(division_code="460106")
    b = await make_employer(division_code="460106")
    bw = await worker(b, name="乙秘密")
    from tests.one_thing.support import leave_cleaned

    row = await service.leave(
        employer_principal(b), bw["id_number"], await leave_cleaned(leave_data(), bw["contract"])
    )
    await client.sign_in_employer(a)
    for method, url in (("GET", f"/one-thing/{row['id']}"), ("POST", f"/one-thing/{row['id']}/certificate"),
                        ("GET", f"/one-thing/{row['id']}/withdraw"), ("POST", f"/one-thing/{row['id']}/withdraw")):
        response = await (client.get(url) if method == "GET" else client.post_form(url, {}))
        assert response.status_code == 404 and "乙秘密" not in response.text, url
    for url in (
        "/one-thing/",
        f"/one-thing/leave?id_number={bw['id_number']}",
        f"/one-thing/hire?id_number={bw['id_number']}&worker_name=乱猜",
    ):
        assert "乙秘密" not in (await client.get(url)).text, url
    # A cannot end B's worker's contract nor withdraw B's records by posting the ID number
    posted = await client.post_form(
        "/one-thing/leave", {"id_number": bw["id_number"], **leave_data(), "step": "submit"}
    )
    assert posted.status_code == 200 and "没有在职的劳动合同" in posted.text
    assert await OneThing.count() == 1


async def test_an_agent_needs_both_rights(client, other_client, app):
    employer = await make_employer(division_code="460106")
    routes = _routes(app, "one_thing")
    assert len(routes) == 9  # 整件撤回 and its confirmation included
    for services, missing in (
        ("labor_contract", "社会保险"),
        ("social_insurance", "劳动合同备案"),
        ("", "社会保险"),
    ):
        await sign_in_agent(client, employer, services)
        for method, path, _ in routes:
            response = await _ask(client, method, path)
            assert response.status_code == 403 and f"不包含“{missing}”业务" in response.text, (services, path)
    await sign_in_agent(other_client, employer, "labor_contract,social_insurance")
    assert (await other_client.get("/one-thing/hire")).status_code == 200


@pytest.mark.parametrize("url", ["/one-thing/", "/one-thing/hire", "/one-thing/leave", "/one-thing/1"])
async def test_pages_need_an_employer(client, url):
    response = await client.get(url)
    assert response.status_code == 303 and "/login" in response.headers["location"]
    await client.sign_in_person(await make_person())
    refused = await client.get(url)
    assert refused.status_code == 403 and "仅供单位用户使用" in refused.text


async def test_before_the_first_filing_is_approved_the_labour_contract_gate_explains(client):
    employer = await make_employer(filing_approved=False)
    await client.sign_in_employer(employer)
    response = await client.get("/one-thing/hire")
    assert response.status_code == 303 and response.headers["location"] == "/labor-contract"


async def test_payloads_render_inert(client, other_client):
    employer = await make_employer(division_code="460106")
    await client.sign_in_employer(employer)
    data = hire_data(worker_name=XSS[:40], address=XSS, post=XSS[:60])
    check = await client.post_form("/one-thing/hire", {**data, "step": "check"})
    assert "<img src=x" not in check.text
    done = await client.post_form("/one-thing/hire", {**data, "step": "submit"})
    if done.status_code == 303:  # the name rule may refuse the markup; either way nothing renders live
        for url in (done.headers["location"], "/one-thing/"):
            assert "<img src=x" not in (await client.get(url)).text, url
    else:
        assert "<img src=x" not in done.text


async def test_the_leave_certificate_from_the_progress_page(client):
    from portal.workflow import engine as workflow
    from tests.labor_contract.support import review
    from tests.one_thing.support import leave_cleaned
    from tests.personnel_change.support import reviewer

    employer = await make_employer(division_code="460106")
    w = await worker(employer)
    row = await service.leave(
        employer_principal(employer), w["id_number"], await leave_cleaned(leave_data(), w["contract"])
    )
    await client.sign_in_employer(employer)
    early = await client.post_form(f"/one-thing/{row['id']}/certificate", {})
    assert early.status_code == 409 and "审核通过后才能生成" in early.text
    await review(row["contract_id"])
    staff = reviewer("460000")
    matter = await workflow.get_matter_for(staff, row["pc_matter_id"])
    await workflow.fire(staff, matter["id"], "approve", expected_version=matter["version"])
    progress = await client.page(f"/one-thing/{row['id']}")
    assert progress.find(attrs={"data-testid": "ot-overall"}).get_text(strip=True) == "已办结"
    made = await client.post_form(f"/one-thing/{row['id']}/certificate", {})
    assert made.status_code == 303
    section = (await client.page(f"/one-thing/{row['id']}")).find(attrs={"data-testid": "ot-certificate"})
    links = [a["href"] for a in section.select("a")]
    assert links and all(href.startswith("/labor-contract/rosters/") and "/pdf" in href for href in links)


async def test_someone_employed_elsewhere_is_hired_with_the_contract_warning_and_a_transfer(client):
    employer = await make_employer(division_code="460106")
    other = await make_employer(name="乙原单位有限公司", division_code="460106")
    w = await worker(other, name="跳槽职工")
    await client.sign_in_employer(employer)
    form = await client.page(f"/one-thing/hire?id_number={w['id_number']}&worker_name=跳槽职工")
    assert "养老保险（调入：该人员在其他单位参保中，审核通过后原参保关系终止）" in " ".join(
        form.find(attrs={"data-testid": "pc-plans"}).get_text().split()
    )
    assert "乙原单位有限公司" not in form.get_text()
    assert form.find(attrs={"data-testid": "ot-known-name"}).get_text() == "跳槽职工（已核对）"
    done = await client.post_form(
        "/one-thing/hire",
        {
            **hire_data(w["id_number"], worker_name="跳槽职工"),
            "step": "submit",
            "form_token": "transfer_0123456789",
        },
    )
    assert done.status_code == 303, soup(done.text).find("main").get_text()[:800]
    progress = await client.page(done.headers["location"])
    assert "劳动合同法第九十一条" in progress.find(attrs={"data-testid": "ot-warning"}).get_text()
    assert "调入：自其他单位转入" in progress.get_text() and "乙原单位有限公司" not in progress.get_text()


async def _withdraw_form(client, one_id: int) -> tuple[str, dict]:
    """The 整件撤回 confirmation page's form: its action and what it posts (each part's version, the form id)."""
    form = (await client.page(f"/one-thing/{one_id}/withdraw")).select_one("main form[method=post]")
    fields: dict[str, list[str]] = {}
    for i in form.select("input[type=hidden]"):
        if i["name"] != "_csrf_token":
            fields.setdefault(i["name"], []).append(i.get("value", ""))
    return form["action"], fields


async def test_withdraw_the_whole_only_when_every_part_may_go(client):
    """整件撤回 of a fresh 一件事 (both parts 待审核, nothing reviewed): both withdrawn in one step, each through its
    own domain's steps (LC 申报作废; the 增员's 撤回 then 删除). Refused, nothing changed, once a part is approved —
    either part; after the 增员's rejection it goes too."""
    from domains.labor_contract.tables import Contract
    from domains.personnel_change.tables import PcChange
    from portal.core.tables import AuditLog
    from portal.workflow import engine as workflow
    from portal.workflow.tables import MatterEvent
    from tests.labor_contract.support import review
    from tests.personnel_change.support import reviewer

    employer = await make_employer(name="甲撤回有限公司", division_code="460106")
    principal = employer_principal(employer)
    row = await service.hire(principal, await hire_cleaned(hire_data()))
    await client.sign_in_employer(employer)
    url = f"/one-thing/{row['id']}/withdraw"

    async def _fields_now(one) -> dict:
        """What a confirmation page opened now would post (the page itself no longer offers the form)."""
        versions = [(await Matter.select(Matter.version).where(Matter.id == m).first())["version"]
                    for m in (one["lc_matter_id"], one["pc_matter_id"])]
        return {"version": [str(v) for v in versions], "form_id": f"form_{one['id']}_0123456789"}

    async def states(one) -> list[str]:
        return [(await Matter.select(Matter.state).where(Matter.id == m).first())["state"]
                for m in (one["lc_matter_id"], one["pc_matter_id"])]

    page = await client.page(f"/one-thing/{row['id']}")
    assert page.select_one("[data-testid=ot-withdraw-open]")["href"] == url
    assert not page.select("[data-testid=ot-withdraw-hint]")
    action, fields = await _withdraw_form(client, row["id"])
    assert action == url and await states(row) == ["submitted", "submitted"]  # nothing before 确定整件撤回
    done = await client.post_form(url, fields)
    assert done.status_code == 303 and done.headers["location"] == f"/one-thing/{row['id']}?withdrawn=1"
    assert await states(row) == ["voided", "voided"]
    steps = [e["action"] for e in await MatterEvent.select(MatterEvent.action).where(
        MatterEvent.matter == row["pc_matter_id"]).order_by(MatterEvent.id)]
    assert steps[-3:] == ["confirm", "withdraw", "void"]  # the 增员's own 撤回, then its 删除
    assert (await Contract.select(Contract.state).where(Contract.id == row["contract_id"]).first())["state"] == "void"
    assert await PcChange.count().where(PcChange.settled_at.is_null()) == 0  # the person is free to be filed again
    assert await AuditLog.count().where(AuditLog.action == "one_thing.withdraw") == 1
    assert await AuditLog.count().where(AuditLog.action == "matter.withdraw") == 1
    page = await client.page(done.headers["location"])
    assert page.find(attrs={"data-testid": "ot-overall"}).get_text(strip=True) == "已撤回"
    assert page.find(attrs={"data-testid": "ot-withdrawn"}) and not page.select("[data-testid=ot-withdraw]")
    again = await client.post_form(url, fields)
    assert again.status_code == 409 and "请勿重复提交" in again.text
    again = await client.post_form(url, {**fields, "form_id": "another_form_id_0123"})
    assert again.status_code == 409 and "该一件事已撤回" in again.text
    ask = await client.page(url)
    assert not ask.select("main form[method=post]") and "该一件事已撤回" in ask.select_one(
        "[data-testid=ot-withdraw-refusal]").get_text()

    staff = reviewer("460000")
    # the contract approved: refused whole, the 增员 left 待审核
    second = await service.hire(principal, await hire_cleaned(hire_data(make_id_number("460106"))))
    await review(second["contract_id"])
    page = await client.page(f"/one-thing/{second['id']}")
    assert not page.select("[data-testid=ot-withdraw]")
    assert "劳动合同新订备案已审核通过" in page.find(attrs={"data-testid": "ot-withdraw-hint"}).get_text()
    refused = await client.post_form(f"/one-thing/{second['id']}/withdraw", await _fields_now(second))
    assert refused.status_code == 409 and "劳动合同新订备案已审核通过，不能整件撤回" in soup(refused.text).find(
        attrs={"data-testid": "ot-withdraw-error"}).get_text()
    assert await states(second) == ["approved", "submitted"]

    # the 增员 approved: refused whole, the contract left 未审核
    third = await service.hire(principal, await hire_cleaned(hire_data(make_id_number("460106"))))
    pc = await workflow.get_matter_for(staff, third["pc_matter_id"])
    await workflow.fire(staff, pc["id"], "approve", expected_version=pc["version"])
    refused = await client.post_form(f"/one-thing/{third['id']}/withdraw", await _fields_now(third))
    assert refused.status_code == 409 and "社会保险增员已审核通过，不能整件撤回" in refused.text
    assert await states(third) == ["submitted", "approved"]

    # the 增员 rejected (back with the employer): both go, the 增员 by its 删除 alone
    fourth = await service.hire(principal, await hire_cleaned(hire_data(make_id_number("460106"))))
    pc = await workflow.get_matter_for(staff, fourth["pc_matter_id"])
    await workflow.fire(staff, pc["id"], "reject", expected_version=pc["version"], opinion="缴费基数有误")
    _, fields = await _withdraw_form(client, fourth["id"])
    assert (await client.post_form(f"/one-thing/{fourth['id']}/withdraw", fields)).status_code == 303
    assert await states(fourth) == ["voided", "voided"]


async def test_withdraw_confirmation_lists_the_parts_and_refuses_a_stale_page(client):
    """整件撤回 asks first, as a page (no JavaScript) and as the progress page's modal: each part's 事项, 办件编号 and
    state; nothing moves before 确定整件撤回. A confirmation opened before a part changed (here the 增员 rejected
    and so at another version) is refused with the reason and nothing is withdrawn; in the modal the refusal shows
    there and the page behind reloads; the withdrawal itself from the modal reloads it too."""
    from portal.workflow import engine as workflow
    from tests.personnel_change.support import reviewer

    employer = await make_employer(name="甲确认有限公司", division_code="460106")
    row = await service.hire(employer_principal(employer), await hire_cleaned(hire_data()))
    await client.sign_in_employer(employer)
    matters = {m["id"]: m for m in await Matter.select().where(
        Matter.id.is_in([row["lc_matter_id"], row["pc_matter_id"]]))}
    lc, pc = matters[row["lc_matter_id"]], matters[row["pc_matter_id"]]
    url = f"/one-thing/{row['id']}/withdraw"

    progress = await client.page(f"/one-thing/{row['id']}")
    assert progress.select_one("#ot-progress")["hx-trigger"] == "ot-changed from:body"
    link = progress.select_one("[data-testid=ot-withdraw-open]")
    assert link["hx-get"] == url and link["hx-target"] == "#app-modal-root" and link["hx-swap"] == "innerHTML"
    page = await client.page(url)
    assert page.find("h1").get_text() == "整件撤回员工录用一件事"
    parts = [li.get_text(" ", strip=True) for li in page.select("[data-testid=ot-withdraw-part]")]
    assert len(parts) == 2
    assert "劳动合同新订备案" in parts[0] and lc["number"] in parts[0] and "未审核" in parts[0]
    assert "社会保险增员" in parts[1] and pc["number"] in parts[1] and "已确认（待审核）" in parts[1]
    form = page.select_one("main form[method=post]")
    assert [i["value"] for i in form.select("input[name=version]")] == [str(lc["version"]), str(pc["version"])]
    assert form.select_one("[data-testid=ot-withdraw-confirm]").get_text() == "确定整件撤回"
    modal = await client.page(url, htmx=True)
    assert modal.select_one("[data-modal]") and modal.select_one("form")["hx-post"] == url
    assert len(modal.select("[data-testid=ot-withdraw-part]")) == 2
    fields = {"version": [str(lc["version"]), str(pc["version"])],
              "form_id": modal.select_one("input[name=form_id]")["value"]}

    # the 增员 rejected meanwhile: still withdrawable, but not what the page showed
    staff = reviewer("460000")
    await workflow.fire(staff, pc["id"], "reject", expected_version=pc["version"], opinion="缴费基数有误")
    stale = await client.post_form(url, fields)
    assert stale.status_code == 409
    message = soup(stale.text).select_one("[data-testid=ot-withdraw-error]").get_text()
    assert "社会保险增员在您打开确认页面后已有变化（当前为“审核不通过”），未撤回任何一件" in message
    # the page again shows the parts as they are now, with a fresh form
    assert [i["value"] for i in soup(stale.text).select("main form input[name=version]")] == [
        str(lc["version"]), str(pc["version"] + 1)]
    in_modal = await client.post_form(url, fields, htmx=True)
    assert in_modal.status_code == 200 and in_modal.headers["HX-Trigger"] == "ot-changed"
    assert "已有变化" in in_modal.text
    # a post carrying no versions withdraws nothing either
    bare = await client.post_form(url, {"form_id": "bare_form_id_0123456"})
    assert bare.status_code == 409 and "确认页面已失效" in bare.text
    assert {m["state"] for m in await Matter.select(Matter.state).where(
        Matter.id.is_in([lc["id"], pc["id"]]))} == {"submitted", "rejected"}

    done = await client.post_form(url, {**fields, "version": [str(lc["version"]), str(pc["version"] + 1)]},
                                  htmx=True)
    assert done.status_code == 200 and done.headers["HX-Trigger"] == "ot-changed"
    assert "已整件撤回" in soup(done.text).select_one("[data-testid=ot-withdraw-done]").get_text()
    reloaded = await client.page(f"/one-thing/{row['id']}", htmx=True)
    assert reloaded.select_one("[data-testid=ot-overall]").get_text(strip=True) == "已撤回"
