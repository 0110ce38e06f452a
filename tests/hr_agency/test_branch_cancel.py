"""设立分支机构报告 and the agency's 注销申请 (HRA-1, HRA-6): 受理 then 审核通过 / 已通过 by different posts; the
注销 names one of the agency's own valid registrations and ends exactly that one."""

from __future__ import annotations

from domains.hr_agency import certificates, register
from domains.hr_agency.tables import Branch, Licence, ServiceFiling
from portal.workflow import engine
from portal.workflow.kinds import get_kind
from portal.workflow.materials import upload_material
from portal.workflow.tables import Matter
from tests.hr_agency.factories import make_agency
from tests.hr_agency.support import PDF, acceptor_and_approver
from tests.support.urls import url_for
from tests.workflow.support import employer_principal


def _id(response) -> int:
    assert response.status_code == 303, response.text
    return int(response.headers["location"].split("/matters/")[1].split("?")[0])


async def _through(app, employer, matter_id: int, code: str, posts):
    principal = employer_principal(employer)
    await upload_material(principal, matter_id, code, "m.pdf", PDF, storage_dir=app.state.settings.storage_dir)
    matter = await engine.fire(principal, matter_id, "submit",
                               expected_version=(await engine.get_matter_for(principal, matter_id))["version"])
    (_, acc), (_, apr) = posts
    matter = await engine.fire(acc, matter_id, "accept", expected_version=matter["version"])
    return await engine.fire(apr, matter_id, "approve", expected_version=matter["version"])


async def test_branch_reported_and_approved(app, client):
    none = await make_agency(licence=False)
    await client.sign_in_employer(none["employer"], acting_name="陈法人")
    refused = await client.post_form(url_for("hra_branch"), {"name": "分部", "division_code": "460106", "address": "龙华路1号",
                                                           "leader": "孙负责"})
    assert "不能报告设立分支机构" in refused.text
    a = await make_agency(division="460105")
    await client.sign_in_employer(a["employer"], acting_name="陈法人")
    bad = await client.post_form(url_for("hra_branch"), {"name": "分部", "division_code": "999999"})
    assert "请从列表中选择所在地区" in bad.text and "请填写负责人" in bad.text
    matter_id = _id(await client.post_form(url_for("hra_branch"), {
        "name": "龙华分公司", "division_code": "460106", "address": "龙华路1号", "leader": "孙负责"}))
    matter = await _through(app, a["employer"], matter_id, "branch_licence", await acceptor_and_approver(app))
    assert get_kind(matter["kind"]).state_label(matter["state"]) == "审核通过"
    branch = await Branch.select().first()
    assert branch["agency"] == a["id"] and branch["name"] == "龙华分公司" and branch["division_code"] == "460106"
    assert await register.stale() == [] and "龙华分公司（分支机构" in (await client.page(url_for("hra_register"))).get_text()


async def test_cancel_names_own_registration_and_ends_it(app, client, other_client):
    a = await make_agency(division="460105", filing=True)
    b = await make_agency(division="460105")
    row = await Licence.select().where(Licence.id == a["licence_id"]).first()
    await certificates.ensure_certificate(Licence, row, "http://testserver.local")
    await client.sign_in_employer(a["employer"], acting_name="陈法人")
    soup = await client.page(url_for("hra_cancel"))
    assert {o["value"] for o in soup.select("#f-target option") if o["value"]} == {
        f"licence:{a['licence_id']}", f"filing:{a['filing_id']}"}
    # Another agency's licence cannot be named.
    stolen = await client.post_form(url_for("hra_cancel"), {"target": f"licence:{b['licence_id']}", "reason": "x"})
    assert "请从列表中选择" in stolen.text and await Matter.count() == 0
    missing = await client.post_form(url_for("hra_cancel"), {"target": f"licence:{a['licence_id']}", "reason": " "})
    assert "请填写注销原因" in missing.text
    matter_id = _id(await client.post_form(url_for("hra_cancel"), {"target": f"licence:{a['licence_id']}",
                                                                 "reason": "停止职业中介业务"}))
    matter = await _through(app, a["employer"], matter_id, "cancel_request", await acceptor_and_approver(app))
    assert get_kind(matter["kind"]).state_label(matter["state"]) == "已通过"
    licence = await Licence.select().where(Licence.id == a["licence_id"]).first()
    assert licence["status"] == "revoked" and "停止职业中介业务" in licence["revoke_reason"]
    assert (await ServiceFiling.select(ServiceFiling.status).first())["status"] == "valid"
    assert (await Licence.select(Licence.status).where(Licence.id == b["licence_id"]).first())["status"] == "valid"
    status = (await client.page(url_for("verify_certificate", code=licence["certificate_code"]))).select_one("[data-testid=verify-status]")
    assert "已注销" in status.get_text()
    assert "已注销" in (await client.page("/hr-agency/")).get_text()
    assert await register.stale() == []  # still listed by the filing, without the licence
