"""查看完整号码 (X-9, SECURITY 12): masked everywhere, the whole 身份证号 only on request, scoped and audited."""

from portal.core.tables import AuditLog
from tests.labor_contract.support import cleaned, employer_principal, sign_in_reviewer
from tests.support.factories import make_employer
from tests.support.urls import url_for


async def _reveals(action_result: str = "ok") -> int:
    return await AuditLog.count().where((AuditLog.action == "reveal") & (AuditLog.result == action_result))


async def test_employer_reveals_own_worker_id_and_the_view_is_audited(client):
    from domains.labor_contract import service

    employer = await make_employer()
    filed = await service.file_new(employer_principal(employer), cleaned(worker_name="查看甲"))
    await client.sign_in_employer(employer)
    detail = await client.page(url_for("lc_detail", contract_id=filed["id"]))
    assert filed["id_number"] not in detail.get_text()
    form = detail.find(attrs={"data-testid": "reveal"}).find("form")
    assert form["action"] == f"/reveal/lc_contract_id/{filed['id']}" and form["method"] == "post"
    assert await _reveals() == 0

    shown = await client.post_form(form["action"], htmx=True)
    assert shown.status_code == 200 and filed["id_number"] in shown.text
    assert shown.headers["cache-control"] == "no-store"
    row = await AuditLog.select().where(AuditLog.action == "reveal").first()
    assert (row["category"], row["object_type"], row["object_id"], row["result"]) == (
        "privacy", "lc_contract_id", str(filed["id"]), "ok")
    assert filed["id_number"] not in str(row["detail"])  # the audit row names the view, not the number

    # Without JavaScript the form opens a page with the value and a way back.
    page = await client.post_form(form["action"], headers={"referer": f"http://test/labor-contract/contracts/{filed['id']}"})
    assert page.status_code == 200 and filed["id_number"] in page.text and "本次查看已记录" in page.text
    assert await _reveals() == 2


async def test_another_employer_gets_404_and_nothing(client, other_client):
    from domains.labor_contract import service

    a, b = await make_employer(), await make_employer()
    filed = await service.file_new(employer_principal(a), cleaned(worker_name="查看乙"))
    await other_client.sign_in_employer(b)
    response = await other_client.post_form(f"/reveal/lc_contract_id/{filed['id']}", htmx=True)
    assert response.status_code == 404 and filed["id_number"] not in response.text
    assert await _reveals("denied") == 1 and await _reveals() == 0
    unknown = await other_client.post_form("/reveal/no_such_thing/1", htmx=True)
    assert unknown.status_code == 404


async def test_reviewer_reveals_in_the_workbench_only_inside_the_jurisdiction(app, client, other_client):
    from domains.labor_contract import service

    employer = await make_employer(review_agency="460105")
    filed = await service.file_new(employer_principal(employer), cleaned(worker_name="查看丙"))
    await sign_in_reviewer(app, client, "reveal_in", agency="460105")
    modal = await client.page(url_for("workbench_matter", matter_id=filed["matter_id"]), htmx=True)
    assert filed["id_number"] not in modal.get_text()
    url = modal.find(attrs={"data-testid": "reveal"}).find("form")["hx-post"]
    assert url == f"/reveal/lc_matter_id/{filed['matter_id']}"
    shown = await client.post_form(url, htmx=True)
    assert shown.status_code == 200 and filed["id_number"] in shown.text
    by_contract = await client.post_form(f"/reveal/lc_contract_id/{filed['id']}", htmx=True)
    assert by_contract.status_code == 200 and filed["id_number"] in by_contract.text

    await sign_in_reviewer(app, other_client, "reveal_out", agency="460200")
    for path in (url, f"/reveal/lc_contract_id/{filed['id']}"):
        response = await other_client.post_form(path, htmx=True)
        assert response.status_code == 404 and filed["id_number"] not in response.text, path
    assert await _reveals() == 2 and await _reveals("denied") == 2


async def test_staff_without_the_review_permission_is_refused(app, client):
    from domains.labor_contract import service

    employer = await make_employer(review_agency="460105")
    filed = await service.file_new(employer_principal(employer), cleaned(worker_name="查看丁"))
    await client.sign_in_staff("reveal_noperm", permissions=["workflow.evaluations"], scopes={"agency": ["460105"]})
    response = await client.post_form(f"/reveal/lc_matter_id/{filed['matter_id']}", htmx=True)
    assert response.status_code == 403 and filed["id_number"] not in response.text


async def test_reveal_needs_a_login_and_a_csrf_token(client):
    response = await client.post("/reveal/lc_contract_id/1")
    assert response.status_code in {401, 403, 303}
