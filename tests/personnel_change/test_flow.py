"""PC-1/PC-3/PC-4/PC-6 through HTTP: lookup decides the kind, save 未确认, check answers, 确认通过, staff approval."""

from __future__ import annotations

from domains.personnel_change.tables import PcChange
from domains.social_insurance.tables import SiEnrolment
from portal.workflow.tables import Matter
from tests.personnel_change.support import (
    enrol_data,
    make_id_number,
    sign_in_reviewer,
    two_employers,
    withdraw_data,
)
from tests.support.client import check_page


async def _records(person_id: int) -> dict[tuple[int, str], dict]:
    rows = await SiEnrolment.select().where(SiEnrolment.person == person_id)
    return {(r["employer"], r["insurance"], r["status"]): r for r in rows}


async def test_enrol_transfer_and_new_person_through_confirm_and_approval(app, client, other_client):
    w = await two_employers()
    await client.sign_in_employer(w["a"])
    # 调入: B's worker, known, the name typed matches; the kind comes from the server, B is not named
    page = await client.page(f"/personnel-change/enrol?id_number={w['b1']['id_number']}&name=乙在职")
    plans = " ".join(page.select_one("[data-testid=pc-plans]").get_text().split())
    assert "养老保险（调入：该人员在其他单位参保中，审核通过后原参保关系终止）" in plans
    assert "乙方调出有限公司" not in page.text
    assert page.select_one("[data-testid=pc-known-name]").get_text() == "乙在职（已核对）"
    response = await client.post_form("/personnel-change/enrol", enrol_data(w["b1"]["id_number"], name="乙在职"))
    assert response.status_code == 303, response.text[:600]
    # a new person: 新参保, under the name typed
    fresh = make_id_number("460106")
    page = await client.page(f"/personnel-change/enrol?id_number={fresh}&name=新来的")
    assert page.select_one("#f-name")["value"] == "新来的"
    assert "养老保险（新参保）" in " ".join(page.select_one("[data-testid=pc-plans]").get_text().split())
    response = await client.post_form("/personnel-change/enrol", enrol_data(fresh, name="新来的"))
    assert response.status_code == 303, response.text[:600]

    listing = await client.page("/personnel-change/enrol/confirm")
    table = listing.select_one("[data-testid=pc-confirm-table]").get_text()
    assert "乙在职" in table and "新来的" in table and "未确认" in table
    picks = [i["value"] for i in listing.select("input[name=pick]")]
    assert len(picks) == 2
    check = await client.post_form("/personnel-change/enrol/confirm/check", {"pick": picks})
    answers = " ".join(check.text.split())
    assert "调入：自其他单位转入，原参保关系于 2026-11 终止" in answers and "乙方调出有限公司" not in answers
    assert "新参保：2026-12 起在本单位参保" in answers
    done = await client.post_form("/personnel-change/enrol/confirm/do", {"pick": picks})
    assert "已确认通过 2 件" in done.text, done.text[:800]
    matters = await Matter.select().where(Matter.kind == "pc_enrol").order_by(Matter.id)
    assert [m["state"] for m in matters] == ["submitted", "submitted"]

    # staff of the division approve each in the workbench; outsiders never see them
    await sign_in_reviewer(other_client, "pc_far", division="460200")
    assert (await other_client.get(f"/workbench/matters/{matters[0]['id']}")).status_code == 404
    await sign_in_reviewer(other_client, "pc_near", division="460100")
    modal = await other_client.page(f"/workbench/matters/{matters[0]['id']}", htmx=True)
    assert "原参保关系于 2026-11 终止" in modal.get_text() and w["b1"]["id_number"] not in modal.get_text()
    for m in matters:
        ok = await other_client.post_form(f"/workbench/matters/{m['id']}/fire",
                                          {"transition": "approve", "version": str(m["version"]), "opinion": "同意"},
                                          htmx=True)
        assert ok.status_code == 200, ok.text[:400]
    records = await _records(w["b1"]["id"])
    assert records[(w["b"]["id"], "pension", "terminated")]["end_period"] == 202611
    assert records[(w["a"]["id"], "pension", "active")]["start_period"] == 202612
    assert records[(w["a"]["id"], "pension", "active")]["base"] == 600000
    assert (w["b"]["id"], "medical", "active") not in records  # 医疗 moved too
    assert (w["b"]["id"], "injury", "active") in records  # not chosen: stays at B
    assert await PcChange.count().where(PcChange.settled_at.is_null()) == 0
    # B sees the other side read-only in 减员确认, without A's name
    await other_client.sign_in_employer(w["b"])
    out = await other_client.page("/personnel-change/withdraw/confirm")
    transfers = out.select_one("[data-testid=pc-transfers-out]").get_text()
    assert "乙在职" in transfers and "人员险种调出单位" in transfers and "甲方增员有限公司" not in transfers


async def test_withdraw_retire_refused_before_the_statutory_age_and_saved_after(client):
    from datetime import date

    from tests.personnel_change.support import id_for, insure
    from tests.support.factories import make_employer

    employer = await make_employer(division_code="460106")
    young = await insure(employer, id_number=id_for(date(1990, 5, 5)), name="年轻人", start=202501)
    await client.sign_in_employer(employer)
    page = await client.post_form("/personnel-change/withdraw",
                                  withdraw_data(young["id_number"], kind="retire", reason="21"))
    assert page.status_code == 200
    soup = check_page(page.text)
    assert "该人员法定退休年龄为63周岁，2053-05 达到，退休结算期应从 2053-06 起" in soup.select_one("#f-kind-error").get_text()
    old = await insure(employer, id_number=id_for(date(1963, 3, 3)), name="老师傅", start=202501)
    ok = await client.post_form("/personnel-change/withdraw", withdraw_data(old["id_number"], kind="retire", reason="21"))
    assert ok.status_code == 303, ok.text[:600]


async def test_edit_keeps_the_application_and_a_fully_insured_person_gets_no_form(client):
    w = await two_employers()
    await client.sign_in_employer(w["a"])
    fresh = make_id_number("460106")
    response = await client.post_form("/personnel-change/enrol", enrol_data(fresh, name="待修改", base="6500.5"))
    assert response.status_code == 303
    matter = await Matter.select().where(Matter.kind == "pc_enrol").first()
    edit = await client.page(f"/personnel-change/enrol/{matter['id']}/edit")
    assert edit.select_one("input[name=ins_pension]").has_attr("checked")
    assert edit.select_one("#f-base")["value"] == "6500.50" and edit.select_one("#f-name")["value"] == "待修改"
    response = await client.post_form(f"/personnel-change/enrol/{matter['id']}/edit",
                                      enrol_data(fresh, name="已修改", base="7000", ins_medical=None))
    assert response.status_code == 303, response.text[:500]
    rows = await PcChange.select(PcChange.insurance, PcChange.base, PcChange.name).where(
        PcChange.matter_id == matter["id"])
    assert [(r["insurance"], r["base"], r["name"]) for r in rows] == [("pension", 700000, "已修改")]
    full = await client.page(f"/personnel-change/enrol?id_number={w['a1']['id_number']}&name=甲在职")
    assert "该人员没有可以增员的险种" in full.select_one("[data-testid=pc-nothing]").get_text()
    assert not full.select("form[action=\"/personnel-change/enrol\"][method=post]")


async def test_confirm_list_filters(client):
    w = await two_employers()
    await client.sign_in_employer(w["a"])
    for name in ("甲一", "甲二"):
        response = await client.post_form("/personnel-change/enrol", enrol_data(make_id_number("460106"), name=name))
        assert response.status_code == 303
    assert "甲二" not in (await client.page("/personnel-change/enrol/confirm?name=甲一")).get_text()
    assert "甲一" not in (await client.page("/personnel-change/enrol/confirm?kind=transfer")).get_text()
    assert "甲一" in (await client.page("/personnel-change/enrol/confirm?kind=new&state=draft")).get_text()
    response = await client.post_form("/personnel-change/withdraw", withdraw_data(w["a1"]["id_number"], kind="suspend",
                                                                                 reason="16"))
    assert response.status_code == 303, response.text[:500]
    listing = await client.page("/personnel-change/withdraw/confirm?kind=suspend")
    assert "暂时停保" in listing.select_one("[data-testid=pc-confirm-table]").get_text()


async def test_staff_approve_many_in_the_workbench_and_reject_one_with_an_opinion(client, other_client):
    w = await two_employers()
    await client.sign_in_employer(w["a"])
    for name in ("批一", "批二", "批三"):
        response = await client.post_form("/personnel-change/enrol", enrol_data(make_id_number("460106"), name=name))
        assert response.status_code == 303
    listing = await client.page("/personnel-change/enrol/confirm")
    picks = [i["value"] for i in listing.select("input[name=pick]")]
    await client.post_form("/personnel-change/enrol/confirm/do", {"pick": picks})
    matters = await Matter.select().where(Matter.kind == "pc_enrol").order_by(Matter.id)
    await sign_in_reviewer(other_client, "pc_batch", division="460100")
    rejected = await other_client.post_form(f"/workbench/matters/{matters[0]['id']}/fire",
                                            {"transition": "reject", "version": str(matters[0]["version"]),
                                             "opinion": "缴费基数有误"}, htmx=True)
    assert rejected.status_code == 200
    done = await other_client.post_form("/workbench/batch", {
        "transition": "approve", "matter": [f"{m['id']}:{m['version']}" for m in matters[1:]]})
    assert done.text.count("办理成功") == 2, done.text[:500]
    states = [m["state"] for m in await Matter.select(Matter.state).where(Matter.kind == "pc_enrol").order_by(Matter.id)]
    assert states == ["rejected", "approved", "approved"]
    detail = await client.page(f"/personnel-change/enrol/{matters[0]['id']}")
    assert "缴费基数有误" in detail.select_one("[data-testid=pc-review]").get_text()
    assert await SiEnrolment.count().where(SiEnrolment.employer == w["a"]["id"]) == 5 + 2 * 2
    approved = await client.page(f"/personnel-change/enrol/{matters[1]['id']}")
    assert "无需到窗口办理" in approved.select_one("[data-testid=pc-approved]").get_text()


async def test_attachments_link_opens_the_matter_page_while_editable(client):
    w = await two_employers()
    await client.sign_in_employer(w["a"])
    await client.post_form("/personnel-change/enrol", enrol_data(make_id_number("460106")))
    listing = await client.page("/personnel-change/enrol/confirm")
    link = next(a["href"] for a in listing.select("a") if a.get_text() == "修改附件")
    page = await client.page(link.split("#")[0])
    assert "相关证明材料" in page.get_text()
