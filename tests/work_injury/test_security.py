"""The cross-tenant matrix over every work-injury URL: another employer, a person, staff without the permission or
outside the division, and nobody signed in; XSS in every text a report carries."""

from __future__ import annotations

from domains.work_injury import matters
from domains.work_injury.tables import WiAccident
from portal.workflow.tables import Matter
from tests.work_injury.support import person_row, report_data, save, world

SECRET = ("甲方工伤测试有限公司", "一号车间冲压线", "甲一")


def _object_urls(accident_id: int, matter_id: int) -> list[tuple[str, str]]:
    return [
        ("GET", f"/work-injury/reports/{accident_id}"), ("GET", f"/work-injury/reports/{accident_id}/edit"),
        ("POST", f"/work-injury/reports/{accident_id}/edit"), ("GET", f"/work-injury/reports/{accident_id}/delete"),
        ("POST", f"/work-injury/reports/{accident_id}/delete"), ("GET", f"/work-injury/by-matter/{matter_id}/edit"),
        ("POST", f"/work-injury/reports/{accident_id}/application"),
    ]


EMPLOYER_URLS = [("GET", "/work-injury/"), ("GET", "/work-injury/report"), ("POST", "/work-injury/report"),
                 ("GET", "/work-injury/reports"), ("GET", "/work-injury/reports?export=xlsx"),
                 ("POST", "/work-injury/reports/confirm"), ("GET", "/work-injury/proof"),
                 ("POST", "/work-injury/proof"), ("POST", "/work-injury/proof/pdf")]
STAFF_URLS = [("GET", "/wi-admin/"), ("GET", "/wi-admin/?export=xlsx"), ("GET", "/wi-admin/proof"),
              ("POST", "/wi-admin/proof"), ("POST", "/wi-admin/proof/pdf")]
PERSON_URLS = [("GET", "/person/work-injury/proof"), ("POST", "/person/work-injury/proof"),
               ("POST", "/person/work-injury/proof/pdf")]


async def _call(client, method: str, url: str, data: dict | None = None):
    return await (client.get(url) if method == "GET" else client.post_form(url, data or {}))


async def test_cross_tenant_matrix(app, client, other_client):
    w = await world()
    accident_id = await save(client, w["a"], w["a1"]["id_number"])
    row = await WiAccident.select().where(WiAccident.id == accident_id).first()
    before = await Matter.select().where(Matter.id == row["matter_id"]).first()
    # employer B: A's objects are 404, B's own pages show nothing of A
    await other_client.sign_in_employer(w["b"])
    for method, url in _object_urls(accident_id, row["matter_id"]):
        response = await _call(other_client, method, url, report_data(person_row("0", w["b1"]["id_number"])))
        assert response.status_code == 404, (method, url, response.status_code)
    for method, url in EMPLOYER_URLS:
        response = await _call(other_client, method, url)
        assert response.status_code in (200, 302, 303), (method, url)
        assert not any(s in response.text for s in SECRET), url
    confirm = await other_client.post_form("/work-injury/reports/confirm", {"pick": [str(accident_id)]})
    assert "工伤快报不存在" in confirm.text
    assert (await Matter.select().where(Matter.id == row["matter_id"]).first())["version"] == before["version"]
    assert (await other_client.post_form("/work-injury/proof", {"id_number": w["a1"]["id_number"], "name": "甲一"})
            ).text.count("参保期") == 0
    # a person and staff on the employer's pages; an employer and a person on the staff pages; others on the
    # person's pages: refused (403), never a page
    await other_client.sign_in("person", person_id=w["a1"]["id"])
    for method, url in EMPLOYER_URLS + STAFF_URLS + _object_urls(accident_id, row["matter_id"]):
        assert (await _call(other_client, method, url)).status_code == 403, (method, url)
    await other_client.sign_in_staff("wi_all", permissions=[matters.REVIEW, matters.QUERY])
    for method, url in EMPLOYER_URLS + PERSON_URLS + _object_urls(accident_id, row["matter_id"]):
        assert (await _call(other_client, method, url)).status_code == 403, (method, url)
    await other_client.sign_in_employer(w["b"])
    for method, url in STAFF_URLS + PERSON_URLS:
        assert (await _call(other_client, method, url)).status_code == 403, (method, url)
    # staff without the permission: 403; outside the division: the queue is empty and the matter 404
    await other_client.sign_in_staff("wi_none", permissions=["si.query"])
    for method, url in STAFF_URLS:
        assert (await _call(other_client, method, url)).status_code == 403, (method, url)
    await client.post_form("/work-injury/reports/confirm", {"pick": [str(accident_id)]})
    await other_client.sign_in_staff("wi_sanya", permissions=[matters.REVIEW, matters.QUERY], scopes={"division": ["460200"]})
    for url in ("/wi-admin/", "/wi-admin/?export=xlsx"):
        response = await other_client.get(url)
        assert response.status_code == 200 and not any(s in response.text for s in SECRET[:2])
    assert (await other_client.get(f"/workbench/matters/{row['matter_id']}")).status_code == 404
    await other_client.sign_in_staff("wi_haikou", permissions=[matters.REVIEW], scopes={"division": ["460100"]})
    assert "甲方工伤测试有限公司" in (await other_client.get("/wi-admin/")).text
    assert (await other_client.get(f"/workbench/matters/{row['matter_id']}")).status_code == 200
    # nobody signed in: sent to log in
    other_client.cookies.clear()
    for method, url in EMPLOYER_URLS + STAFF_URLS + PERSON_URLS:
        response = await _call(other_client, method, url)
        assert response.status_code in (302, 303, 401, 403), (method, url, response.status_code)
        assert not any(s in response.text for s in SECRET)


async def test_xss_is_escaped(client, app):
    w = await world()
    payload = "<script>alert(1)</script>"
    accident_id = await save(client, w["a"], w["a1"]["id_number"], place=payload, description=payload,
                             reporter="<b>x</b>", hospital=payload)
    for url in (f"/work-injury/reports/{accident_id}", "/work-injury/reports", f"/work-injury/reports/{accident_id}/edit",
                f"/work-injury/reports/{accident_id}/delete"):
        response = await client.get(url)
        assert payload not in response.text and "<b>x</b>" not in response.text, url
        assert "&lt;script&gt;" in response.text, url
    row = await WiAccident.select().where(WiAccident.id == accident_id).first()
    await client.post_form("/work-injury/reports/confirm", {"pick": [str(accident_id)]})
    await client.sign_in_staff("wi_xss", permissions=[matters.REVIEW])
    modal = await client.get(f"/workbench/matters/{row['matter_id']}")
    assert payload not in modal.text and "&lt;script&gt;" in modal.text


async def test_an_agent_needs_the_work_injury_right(client):
    from tests.employer.test_agent_rights import sign_in_agent
    from tests.test_areas import _ask, _routes

    w = await world()
    await sign_in_agent(client, w["a"], "social_insurance")
    routes = _routes(client.app, "work_injury")
    assert len(routes) >= 14
    for method, path, _ in routes:
        response = await _ask(client, method, path)
        assert response.status_code == 403, f"{method} {path}: {response.status_code}"
        assert "您的经办人授权不包含“工伤保险”业务" in response.text, f"{method} {path}"
    await sign_in_agent(client, w["a"], "work_injury")
    assert (await client.get("/work-injury/reports")).status_code == 200
