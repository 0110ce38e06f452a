"""SECURITY 10–11: other employers, other persons and staff outside the jurisdiction get 404 for every matter URL."""

from __future__ import annotations

import pytest

from portal.auth.principal import Principal
from portal.workflow import engine
from portal.workflow.kinds import register_kind, review_flow, unregister_kind
from portal.workflow.materials import upload_material
from portal.workflow.tables import Matter
from tests.support.factories import make_person
from tests.support.files import pdf_bytes
from tests.support.urls import url_for
from tests.workflow.support import employer_with_principal

PDF = pdf_bytes("secret of A")


async def _matter_with_material(app, applicant):
    matter = await engine.create_matter(applicant, "t_review", payload={"secret": "甲单位机密"}, title="甲的备案")
    material = await upload_material(applicant, matter["id"], "licence", "a.pdf", PDF,
                                     storage_dir=app.state.settings.storage_dir)
    matter = await engine.fire(applicant, matter["id"], "submit", expected_version=1)
    return matter, material


def _urls(matter_id, material_id):
    return {
        "get": [url_for("matter_detail", matter_id=matter_id), url_for("matter_submitted", matter_id=matter_id), url_for("matter_receipt", matter_id=matter_id),
                url_for("material_download", material_id=material_id)],
        "post": [(url_for("matter_fire", matter_id=matter_id), {"transition": "withdraw", "version": "2"}),
                 (url_for("matter_evaluate", matter_id=matter_id), {"grade": "5"})],
        "staff_get": [url_for("workbench_matter", matter_id=matter_id), url_for("material_download", material_id=material_id)],
        "staff_post": [(url_for("workbench_fire", matter_id=matter_id), {"transition": "approve", "version": "2"})],
    }


async def test_other_employer_gets_404_everywhere(app, client):
    _, applicant = await employer_with_principal()
    other, _ = await employer_with_principal()
    matter, material = await _matter_with_material(app, applicant)
    await client.sign_in_employer(other, acting_name="李法人")
    urls = _urls(matter["id"], material["id"])
    for url in urls["get"]:
        response = await client.get(url)
        assert response.status_code == 404, url
        assert "甲单位机密" not in response.text and "secret of A" not in response.text
        response = await client.get(url, headers={"HX-Request": "true"})
        assert response.status_code == 404, url
    for url, data in urls["post"]:
        response = await client.post_form(url, data)
        assert response.status_code == 404, url
    response = await client.post_form(url_for("matter_upload", matter_id=matter["id"]), {"code": "licence"},
                                      files={"file": ("b.pdf", PDF, "application/pdf")})
    assert response.status_code == 404
    row = await Matter.select(Matter.state, Matter.version).where(Matter.id == matter["id"]).first()
    assert row == {"state": "submitted", "version": 2}


async def test_other_person_gets_404(app, client):
    person = await make_person()
    other = await make_person()
    kind = register_kind(review_flow("t_person", "测试个人事项", permission="test.review", applicant="person"))
    try:
        owner = Principal(kind="person", account_id=1, display_name=person["name"], person_id=person["id"])
        matter = await engine.create_matter(owner, kind, payload={}, title="个人申请", submit=True)
        await client.sign_in_person(other)
        assert (await client.get(url_for("matter_detail", matter_id=matter["id"]))).status_code == 404
        assert matter["number"] not in (await client.page(url_for("matters_mine"))).get_text()
        await client.sign_in_person(person)
        assert matter["number"] in (await client.page(url_for("matters_mine"))).get_text()
    finally:
        unregister_kind("t_person")


@pytest.mark.parametrize("division, permissions", [("460200", ["test.review"]), ("460000", ["test.accept"])])
async def test_staff_outside_jurisdiction_or_kind_gets_404(app, client, division, permissions):
    _, applicant = await employer_with_principal(division_code="460105")
    matter, material = await _matter_with_material(app, applicant)
    await client.sign_in_staff("far", permissions=permissions, scopes={"division": [division]})
    urls = _urls(matter["id"], material["id"])
    for url in urls["staff_get"]:
        assert (await client.get(url)).status_code == 404, url
        assert (await client.get(url, headers={"HX-Request": "true"})).status_code == 404, url
    for url, data in urls["staff_post"]:
        assert (await client.post_form(url, data, htmx=True)).status_code == 404, url
    assert matter["number"] not in (await client.page(url_for("workbench"))).get_text()
    response = await client.post_form(url_for("workbench_batch"), {"transition": "approve", "matter": f"{matter['id']}:2"})
    assert "办件不存在" in response.text
    assert (await Matter.select(Matter.state).where(Matter.id == matter["id"]).first())["state"] == "submitted"


async def test_staff_cannot_use_applicant_pages_and_applicant_cannot_use_workbench(app, client):
    employer, applicant = await employer_with_principal()
    matter, _ = await _matter_with_material(app, applicant)
    await client.sign_in_employer(employer)
    assert (await client.get(url_for("workbench_matter", matter_id=matter["id"]))).status_code == 403
    response = await client.post_form(url_for("workbench_fire", matter_id=matter["id"]), {"transition": "approve", "version": "2"})
    assert response.status_code == 403
    # Through the applicant's own URL a staff transition is refused by the engine, not only by the guard.
    response = await client.post_form(url_for("matter_fire", matter_id=matter["id"]), {"transition": "approve", "version": "2"})
    assert "只能由申请人办理" not in response.text and "没有" in response.text
    assert (await Matter.select(Matter.state).where(Matter.id == matter["id"]).first())["state"] == "submitted"
    await client.sign_in_staff("rev", permissions=["test.review"])
    assert (await client.get(url_for("matter_detail", matter_id=matter["id"]))).status_code == 403
