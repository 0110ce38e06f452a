"""网上书审 over HTTP: the four steps saved one by one, the cross-check before 完成申报, one per year, the squad's
review with 责令整改 listing every problem, the resubmission and approval (INS-1, INS-2, INS-6)."""

from __future__ import annotations

import json
import secrets

from domains.labor_inspection.tables import InsReview
from portal.workflow.tables import Matter
from tests.labor_inspection.support import (
    SQUAD,
    STREET,
    answers,
    complete_steps,
    sign_in_squad,
    staff_rows,
    upload_staff,
)
from tests.social_insurance.support import insure
from tests.support.factories import make_employer, make_person


async def test_steps_are_saved_one_by_one_and_step_four_waits_for_them(client):
    employer = await make_employer()
    await client.sign_in_employer(employer)
    step4 = await client.page("/labor-inspection/review/submit")
    assert "第一步“用工情况自查”尚未保存" in step4.get_text()
    assert not step4.select("form[action='/labor-inspection/review/submit']")

    # ① a contradiction is refused beside its field, what was typed kept
    bad = await client.post_form("/labor-inspection/review/questionnaire", answers(contract_signed="9"))
    assert bad.status_code == 200
    assert "签订书面劳动合同人数不能大于职工总数（3人）" in bad.text
    assert 'value="9"' in bad.text
    assert await InsReview.count() == 0
    ok = await client.post_form("/labor-inspection/review/questionnaire", answers())
    assert ok.status_code == 303 and ok.headers["location"].endswith("/labor-inspection/review/staff")
    again = await client.page("/labor-inspection/review/questionnaire")
    assert again.select_one("#f-lowest_wage")["value"] == "2500.00"

    # ② counts only after a successful import
    home = await client.page("/labor-inspection/")
    assert "第二步“劳动用工信息”尚未导入成功" in (await client.page("/labor-inspection/review/submit")).get_text()
    assert "（已完成）" in home.select_one("[data-testid=ins-steps]").get_text()
    result = await upload_staff(client, [["没号码", "", "操作工", "2024-03-01", "是", "", "是", "4500"]])
    await client.page(result.headers["location"])
    assert (await InsReview.select(InsReview.imported_at).first())["imported_at"] is None
    result = await upload_staff(client, staff_rows(3))
    await client.page(result.headers["location"])
    review = await InsReview.select().first()
    assert review["imported_at"] is not None and review["staff_count"] == 3

    # ③ only squads covering the chosen street are offered; another squad is refused
    squads = await client.page(f"/labor-inspection/review/squad?division_code={STREET}", htmx=True)
    offered = [o["value"] for o in squads.select("#f-squad_code option") if o["value"]]
    assert offered == [SQUAD]
    wrong = await client.post_form("/labor-inspection/review/squad",
                                   {"division_code": STREET, "squad_code": "Z460105002"})
    assert wrong.status_code == 200 and "请选择管辖实际经营地的监察中队" in wrong.text
    foreign = await client.post_form("/labor-inspection/review/squad",
                                     {"division_code": "460202001", "squad_code": SQUAD})
    assert "请从列表中选择实际经营地所在街道（乡镇）" in foreign.text
    chosen = await client.post_form("/labor-inspection/review/squad", {"division_code": STREET, "squad_code": SQUAD})
    assert chosen.status_code == 303


async def test_cross_check_is_shown_before_submission_and_one_review_per_year(client):
    employer = await make_employer()
    for _ in range(2):
        await insure(employer, person=await make_person())
    await client.sign_in_employer(employer)
    await complete_steps(client)
    step4 = await client.page("/labor-inspection/review/submit")
    differences = step4.select_one("[data-testid=ins-differences]").get_text()
    assert "自查填报参保人数 3，系统参保人数 2" in differences
    assert "自查填报签订劳动合同人数 3，系统劳动合同备案在职人数 0" in differences
    submitted = await client.post_form("/labor-inspection/review/submit", {"form_token": secrets.token_urlsafe(16)})
    assert submitted.status_code == 303, submitted.text[submitted.text.find("ins-error"):][:300]
    matter = await Matter.select().where(Matter.kind == "ins_review").first()
    assert matter["state"] == "submitted" and matter["squad_code"] == SQUAD
    payload = json.loads(matter["payload"]) if isinstance(matter["payload"], str) else matter["payload"]
    assert "自查填报参保人数 3，系统参保人数 2" in payload["differences"]
    # the same year cannot be submitted or changed again
    again = await client.post_form("/labor-inspection/review/submit", {"form_token": secrets.token_urlsafe(16)})
    assert again.status_code == 409 and "已申报" in again.text
    changed = await client.post_form("/labor-inspection/review/questionnaire", answers(total_staff="4"))
    assert "已申报" in changed.text
    assert await Matter.count().where(Matter.kind == "ins_review") == 1
    progress = await client.page("/labor-inspection/review/progress")
    assert matter["number"] in progress.get_text() and "待审核" in progress.get_text()


async def test_squad_returns_for_rectification_then_approves_the_resubmission(client, other_client):
    employer = await make_employer()
    await client.sign_in_employer(employer)
    await complete_steps(client, overtime_hours="40")
    await client.post_form("/labor-inspection/review/submit", {"form_token": secrets.token_urlsafe(16)})
    matter = await Matter.select().where(Matter.kind == "ins_review").first()

    # a squad that does not cover the street never sees it
    await sign_in_squad(other_client, "ins_far", squad="Z460105002")
    assert (await other_client.get(f"/workbench/matters/{matter['id']}")).status_code == 404
    assert (await other_client.get(f"/ins-admin/reviews/{matter['id']}/staff")).status_code == 404

    await sign_in_squad(other_client, "ins_near")
    modal = await other_client.page(f"/workbench/matters/{matter['id']}", htmx=True)
    text = modal.get_text()
    assert "职工月最长加班时间（小时）" in text and "职工月加班时间40小时，超过每月36小时的上限" in text
    assert "自查填报签订劳动合同人数 3，系统劳动合同备案在职人数 0" in text
    staff = await other_client.page(f"/ins-admin/reviews/{matter['id']}/staff")
    assert "职工0" in staff.get_text() and "共 3 条" in staff.get_text()
    export = await other_client.get(f"/ins-admin/reviews/{matter['id']}/staff?export=xlsx")
    assert export.status_code == 200 and export.content[:2] == b"PK"

    back = await other_client.post_form(f"/workbench/matters/{matter['id']}/fire", {
        "transition": "reject", "version": str(matter["version"]), "opinion": "请于30日内整改加班问题"}, htmx=True)
    assert back.status_code == 200, back.text[:400]

    # the employer sees every problem at once, corrects step ① and resubmits; the squad stays
    home = await client.page("/labor-inspection/")
    rectify = home.select_one("[data-testid=ins-rectify]").get_text()
    assert "超过每月36小时的上限" in rectify and "系统劳动合同备案在职人数 0" in rectify
    assert "请于30日内整改加班问题" in rectify
    fixed = await client.post_form("/labor-inspection/review/questionnaire", answers(overtime_hours="30"))
    assert fixed.status_code == 303
    moved = await client.post_form("/labor-inspection/review/squad",
                                   {"division_code": "460105002", "squad_code": "Z460105002"})
    assert "不能更换" in moved.text
    resubmitted = await client.post_form("/labor-inspection/review/submit", {"form_token": secrets.token_urlsafe(16)})
    assert resubmitted.status_code == 303, resubmitted.text[:600]
    matter = await Matter.select().where(Matter.id == matter["id"]).first()
    assert matter["state"] == "submitted"

    approved = await other_client.post_form(f"/workbench/matters/{matter['id']}/fire", {
        "transition": "approve", "version": str(matter["version"]), "opinion": "同意"}, htmx=True)
    assert approved.status_code == 200
    assert (await Matter.select(Matter.state).where(Matter.id == matter["id"]).first())["state"] == "approved"
    progress = await client.page("/labor-inspection/review/progress")
    assert "审查通过" in progress.get_text()


async def test_other_employers_and_natural_persons_are_refused(client, other_client):
    a, b = await make_employer(), await make_employer()
    await client.sign_in_employer(a)
    await complete_steps(client)
    await client.post_form("/labor-inspection/review/submit", {"form_token": secrets.token_urlsafe(16)})
    matter = await Matter.select().where(Matter.kind == "ins_review").first()
    await other_client.sign_in_employer(b)
    assert "未申报" not in (await other_client.page("/labor-inspection/review/progress")).get_text()
    assert (await other_client.get(f"/matters/{matter['id']}")).status_code == 404
    assert (await other_client.get(f"/ins-admin/reviews/{matter['id']}/staff")).status_code in (401, 403)
    await other_client.sign_in_person(await make_person())
    for url in ("/labor-inspection/", "/labor-inspection/review/questionnaire", "/labor-inspection/review/progress"):
        assert (await other_client.get(url)).status_code in (401, 403), url
    # staff without ins.review cannot open the staff list even inside the squad
    await other_client.sign_in_staff("no_perm", permissions=[], scopes={"squad": [SQUAD]})
    assert (await other_client.get(f"/ins-admin/reviews/{matter['id']}/staff")).status_code == 403


async def test_an_agent_needs_the_labour_inspection_right_on_every_route(client):
    from tests.employer.test_agent_rights import sign_in_agent
    from tests.test_areas import _ask, _routes

    employer = await make_employer()
    await sign_in_agent(client, employer, "labor_contract,social_insurance")
    routes = _routes(client.app, "labor_inspection")
    assert len(routes) >= 10
    for method, path, _ in routes:
        response = await _ask(client, method, path)
        assert response.status_code == 403, f"{method} {path}: {response.status_code}"
        assert "您的经办人授权不包含“劳动保障监察”业务" in response.text, f"{method} {path}"
    await sign_in_agent(client, employer, "labor_inspection")
    assert (await client.page("/labor-inspection/review/questionnaire")).find(id="f-total_staff") is not None
