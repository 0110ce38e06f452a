"""SECURITY 10 for this domain: employer A asking for B's contracts, rosters, batch results and PDFs gets 404 and
none of B's data; staff outside B's 送审机构 too. Plus review through the workbench (LC-11) and XSS payloads."""

from domains.labor_contract import rosters, service
from domains.labor_contract.tables import Contract, Roster
from portal.workflow.tables import Matter
from tests.labor_contract.support import (
    cleaned,
    completed_contract,
    employer_principal,
    form_data,
    review,
    sign_in_reviewer,
)
from tests.support.factories import make_employer
from tests.support.urls import url_for

XSS = "\"'><img src=x onerror=alert(1)>{{7*7}}"
HX = '" hx-get="/x" hx-trigger="load'


async def b_objects():
    b = await make_employer(name="乙方保密有限公司", review_agency="460106")
    done = await completed_contract(b, worker_name="乙方职工")
    pending = await service.file_new(employer_principal(b), cleaned(worker_name="乙方待审"))
    ended = await service.file_terminate(employer_principal(b), done["id"], {
        "termination_date": done["start_date"], "termination_reason": "02", "compensation": None})
    await review(ended["id"], staff_id=7)
    roster = await rosters.save(employer_principal(b), "termination_roster", [ended["id"]])
    return b, done, pending, ended, roster


async def test_employer_a_gets_404_for_every_object_of_employer_b(client):
    b, done, pending, ended, roster = await b_objects()
    a = await make_employer(name="甲方有限公司")
    await client.sign_in_employer(a)
    secret = ("乙方职工", "乙方待审", done["id_number"], "乙方保密有限公司")
    gets = [
        url_for("lc_detail", contract_id=done["id"]), url_for("lc_edit", contract_id=pending["id"]),
        url_for("lc_renew", contract_id=done["id"]), url_for("lc_terminate", contract_id=done["id"]),
        url_for("lc_roster_detail", roster_id=roster["id"]), url_for("lc_roster_pdf", roster_id=roster["id"]),
        url_for("lc_roster_pdf", {"download": "1"}, roster_id=roster["id"]), url_for("matter_detail", matter_id=pending["matter_id"]),
    ]
    for url in gets:
        for htmx in (False, True):
            response = await client.get(url, headers={"HX-Request": "true"} if htmx else {})
            assert response.status_code == 404, url
            assert not any(s in response.text for s in secret), url
    posts = [
        (url_for("lc_edit", contract_id=pending["id"]), form_data()),
        (url_for("lc_renew", contract_id=done["id"]), form_data()),
        (url_for("lc_terminate", contract_id=done["id"]), {"termination_date": "2026-01-01", "termination_reason": "02"}),
        (url_for("lc_roster_preview"), {"kind": "new_roster", "ids": [str(done["id"])]}),
        (url_for("lc_rosters"), {"kind": "termination_certificate", "ids": [str(ended["id"])]}),
    ]
    for url, data in posts:
        response = await client.post_form(url, data)
        assert response.status_code == 404, url
        assert not any(s in response.text for s in secret), url
    voided = await client.post_form(url_for("lc_void_list"), {"ids": [str(pending["id"])]})
    assert "备案记录不存在" in voided.text
    assert (await Contract.select(Contract.state).where(Contract.id == pending["id"]).first())["state"] == "new"
    assert await Roster.count() == 1
    # Lists, fragments and exports are scoped in the SQL: B's rows never appear.
    for url in (url_for("lc_query"), url_for("lc_query", {"id_number": done["id_number"]}),
                url_for("lc_renew_list"), url_for("lc_terminate_list"), url_for("lc_void_list"),
                url_for("lc_rosters"), url_for("lc_roster_pick")):
        response = await client.get(url)
        assert response.status_code == 200 and not any(s in response.text for s in secret[:2] + secret[3:]), url
        assert 'data-testid="grid-table"' not in response.text or "乙方" not in response.text, url
    export = await client.get(url_for("lc_query", {"export": "xlsx"}))
    assert "乙方".encode() not in export.content


async def test_batch_results_of_another_employer_are_not_found(client, other_client):
    import io

    from openpyxl import load_workbook

    b = await make_employer()
    await other_client.sign_in_employer(b)
    wb = load_workbook(io.BytesIO((await other_client.get(url_for("lc_batch_terminate_template"))).content))
    wb[wb.sheetnames[1]].append(["乙方职工", "46010519900517001X", "2026-01-01", "双方协商一致解除"])
    buffer = io.BytesIO()
    wb.save(buffer)
    location = (await other_client.post_form(url_for("lc_batch_terminate"),
                                             files={"file": ("b.xlsx", buffer.getvalue())})).headers["location"]
    a = await make_employer()
    await client.sign_in_employer(a)
    for url in (location, location + "/failed"):
        response = await client.get(url)
        assert response.status_code == 404 and "乙方职工" not in response.text, url


async def test_reviewer_approves_in_the_workbench_and_outsiders_get_404(app, client, other_client):
    employer = await make_employer(review_agency="460105")
    filed = await service.file_new(employer_principal(employer), cleaned(worker_name="审核己"))
    await sign_in_reviewer(app, other_client, "lc_outsider", agency="460200")
    assert (await other_client.get(url_for("workbench_matter", matter_id=filed["matter_id"]))).status_code == 404
    await sign_in_reviewer(app, client, "lc_xiuying", agency="460105")
    queue = await client.page(url_for("workbench"))
    number = (await Matter.select(Matter.number).where(Matter.id == filed["matter_id"]).first())["number"]
    assert number in queue.get_text() and "劳动合同备案" in queue.get_text()
    modal = await client.page(url_for("workbench_matter", matter_id=filed["matter_id"]), htmx=True)
    assert "新订备案：审核己" in modal.get_text() and filed["id_number"] not in modal.get_text()
    matter = await Matter.select().where(Matter.id == filed["matter_id"]).first()
    no_opinion = await client.post_form(url_for("workbench_fire", matter_id=matter["id"]),
                                        {"transition": "reject", "version": str(matter["version"]), "opinion": ""}, htmx=True)
    assert "请填写审核意见" in no_opinion.text
    ok = await client.post_form(url_for("workbench_fire", matter_id=matter["id"]),
                                {"transition": "approve", "version": str(matter["version"]), "opinion": "材料齐全"}, htmx=True)
    assert ok.status_code == 200
    row = await Contract.select().where(Contract.id == filed["id"]).first()
    assert (row["review_state"], row["employed"], row["review_opinion"]) == ("approved", True, "材料齐全")
    stale = await client.post_form(url_for("workbench_fire", matter_id=matter["id"]),
                                   {"transition": "reject", "version": str(matter["version"]), "opinion": "晚了"}, htmx=True)
    assert "该办件已被他人处理" in stale.text
    assert (await Contract.select(Contract.review_state).where(Contract.id == filed["id"]).first())["review_state"] == "approved"


async def test_payloads_in_every_text_field_render_inert(client, app, other_client):
    employer = await make_employer()
    await client.sign_in_employer(employer)
    data = form_data(worker_name=XSS[:40], post=HX[:60], workplace=XSS, contract_number=HX[:60])
    response = await client.post_form(url_for("lc_new"), data)
    assert response.status_code == 303, response.text[:400]
    for url in (response.headers["location"], url_for("lc_query"), url_for("lc_void_list")):
        text = (await client.get(url)).text
        assert "<img src=x" not in text and 'hx-get="/x"' not in text, url
    await sign_in_reviewer(app, other_client, "lc_xss")
    row = await Contract.select().first()
    modal = (await other_client.get(url_for("workbench_matter", matter_id=row["matter_id"]), headers={"HX-Request": "true"})).text
    assert "<img src=x" not in modal and 'hx-get="/x"' not in modal
