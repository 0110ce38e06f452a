"""事项变更 (HRA-1, HRA-6): the agency changes its record; 准予变更 by the 审核岗 after 受理 by the 受理岗 updates
the agency and keeps the history; nothing changes before approval; other agencies cannot touch it."""

from __future__ import annotations

import json

from bs4 import BeautifulSoup

from domains.hr_agency import register
from domains.hr_agency.tables import Agency, AgencyChange
from portal.workflow import engine
from portal.workflow.materials import upload_material
from portal.workflow.tables import Matter
from tests.hr_agency.factories import make_agency
from tests.hr_agency.support import PDF, acceptor_and_approver
from tests.support.urls import url_for
from tests.workflow.support import employer_principal

FORM = {"legal_rep": "赵法人", "agency_type": "1", "division_code": "460105", "contact_name": "钱联系",
        "contact_phone": "13912345678", "reason": "股东会决议更名并搬迁"}


async def test_change_accepted_approved_updates_record_with_history(app, client, other_client):
    a = await make_agency(name="旧名人力资源有限公司", division="460105")
    agency = await Agency.select().where(Agency.id == a["id"]).first()
    await client.sign_in_employer(a["employer"], acting_name="陈法人")
    assert (await client.page(url_for("hra_change"))).find("input", id="f-name")["value"] == "旧名人力资源有限公司"
    same = {**FORM, "name": agency["name"], "address": agency["address"]}
    response = await client.post_form(url_for("hra_change"), same)
    assert response.status_code == 200 and "没有修改任何事项" in response.text
    response = await client.post_form(url_for("hra_change"), {**same, "name": "新名人力资源有限公司",
                                                              "address": "海口市龙华区新地址8号"})
    assert response.status_code == 303
    matter_id = int(response.headers["location"].split("/matters/")[1].split("?")[0])
    matter = await Matter.select().where(Matter.id == matter_id).first()
    assert "机构名称：旧名人力资源有限公司 → 新名人力资源有限公司" in str(matter["payload"])
    principal = employer_principal(a["employer"])
    await upload_material(principal, matter_id, "change_proof", "p.pdf", PDF, storage_dir=app.state.settings.storage_dir)
    matter = await engine.fire(principal, matter_id, "submit", expected_version=(await engine.get_matter_for(
        principal, matter_id))["version"])
    assert (await Agency.select(Agency.name).where(Agency.id == a["id"]).first())["name"] == "旧名人力资源有限公司"
    (_, acc), (_, apr) = await acceptor_and_approver(app)
    matter = await engine.fire(acc, matter_id, "accept", expected_version=matter["version"])
    assert matter["state"] == "accepted"
    matter = await engine.fire(apr, matter_id, "approve", expected_version=matter["version"])
    assert matter["state"] == "approved"
    assert get_label(matter) == "审核通过"
    row = await Agency.select().where(Agency.id == a["id"]).first()
    assert row["name"] == "新名人力资源有限公司" and row["address"] == "海口市龙华区新地址8号"
    history = {h["field"]: (h["before"], h["after"]) for h in await AgencyChange.select()}
    assert history == {"name": ("旧名人力资源有限公司", "新名人力资源有限公司"),
                       "address": (agency["address"], "海口市龙华区新地址8号")}


def get_label(matter) -> str:
    from portal.workflow.kinds import get_kind

    return get_kind(matter["kind"]).state_label(matter["state"])


async def test_change_needs_a_licence_or_filing_and_stays_with_its_agency(app, client, other_client):
    none = await make_agency(licence=False)
    await client.sign_in_employer(none["employer"], acting_name="陈法人")
    response = await client.post_form(url_for("hra_change"), {**FORM, "name": "改", "address": "址"})
    assert "尚无有效的行政许可或业务备案" in response.text and await Matter.count() == 0
    a = await make_agency()
    b = await make_agency()
    await client.sign_in_employer(a["employer"], acting_name="陈法人")
    response = await client.post_form(url_for("hra_change"), {**FORM, "name": "甲新名", "address": "甲新址"})
    matter_id = int(response.headers["location"].split("/matters/")[1].split("?")[0])
    # A second change while one is under way is refused.
    again = await client.post_form(url_for("hra_change"), {**FORM, "name": "甲再改", "address": "甲新址"})
    assert "正在办理中" in again.text
    await other_client.sign_in_employer(b["employer"], acting_name="陈法人")
    assert (await other_client.get(url_for("hra_change_edit", matter_id=matter_id))).status_code == 404
    posted = await other_client.post_form(url_for("hra_change_edit", matter_id=matter_id),
                                          {**FORM, "name": "乙篡改", "address": "x", "version": "1"})
    assert posted.status_code == 404
    assert "乙篡改" not in str((await Matter.select(Matter.payload).where(Matter.id == matter_id).first())["payload"])
    # The licence edit page does not open a change matter.
    assert (await client.get(url_for("hra_edit", matter_id=matter_id))).status_code == 404
    # The draft is edited by its own agency.
    response = await client.post_form(url_for("hra_change_edit", matter_id=matter_id),
                                      {**FORM, "name": "甲改后名", "address": "甲新址", "version": "1"})
    assert response.status_code == 303
    assert "甲改后名" in str((await Matter.select(Matter.payload).where(Matter.id == matter_id).first())["payload"])


async def _post_change(client, agency: dict, services: dict[str, list[str]], **changes):
    data = {**FORM, "name": agency["name"], "address": agency["address"], **changes,
            "registrations": list(services)}
    for target, codes in services.items():
        data[f"services-{target}"] = codes
    return await client.post_form(url_for("hra_change"), data)


async def _approve(app, employer, matter_id: int) -> dict:
    principal = employer_principal(employer)
    await upload_material(principal, matter_id, "change_proof", "p.pdf", PDF, storage_dir=app.state.settings.storage_dir)
    matter = await engine.fire(principal, matter_id, "submit", expected_version=(await engine.get_matter_for(
        principal, matter_id))["version"])
    (_, acc), (_, apr) = await acceptor_and_approver(app)
    matter = await engine.fire(acc, matter_id, "accept", expected_version=matter["version"])
    return await engine.fire(apr, matter_id, "approve", expected_version=matter["version"])


async def test_other_changes_type_and_services_and_reissue_the_certificates(app, client, other_client):
    """其他: 机构类型, 许可事项 and 备案事项; on 准予变更 the licence and filing take the new services, the history keeps
    the old ones, the old certificates say 已注销 on /verify and the next download prints the new services."""
    from domains.hr_agency.tables import Licence, ServiceFiling
    from tests.hr_agency.test_flow import pdf_text

    a = await make_agency(division="460105", filing=True, services_label="为劳动者介绍用人单位")
    b = await make_agency(division="460105")
    lic, fil = f"licence:{a['licence_id']}", f"filing:{a['filing_id']}"
    agency = await Agency.select().where(Agency.id == a["id"]).first()
    await client.sign_in_employer(a["employer"], acting_name="陈法人")
    old_licence_pdf = await client.get(url_for("hra_licence_certificate", licence_id=a["licence_id"]))
    assert "为劳动者介绍用人单位" in pdf_text(old_licence_pdf.content)
    await client.get(url_for("hra_filing_certificate", filing_id=a["filing_id"]))
    old_codes = {r["id"]: r["certificate_code"] for r in await Licence.select(Licence.id, Licence.certificate_code)}
    old_filing_code = (await ServiceFiling.select(ServiceFiling.certificate_code).first())["certificate_code"]

    soup = await client.page(url_for("hra_change"))
    licence_box = soup.select_one(f"[data-testid='hra-change-{lic}']")
    assert {i["value"] for i in licence_box.select("input[type=checkbox]")} == {f"L0{n}" for n in range(1, 7)}
    assert [i["value"] for i in licence_box.select("input[checked]")] == ["L01"]
    assert [i["value"] for i in soup.select(f"[data-testid='hra-change-{fil}'] input[checked]")] == ["F02"]

    # Each list is checked as its application would be; what was ticked stays ticked.
    wrong = await _post_change(client, agency, {lic: ["L01", "F05"], fil: ["F02"]})
    assert wrong.status_code == 200 and "行政许可只能申请职业中介活动事项" in wrong.text
    cleared = await _post_change(client, agency, {lic: ["L01", "L03"], fil: []})
    assert "备案事项" in cleared.text and "请至少选择一项服务事项" in cleared.text
    kept = BeautifulSoup(cleared.text, "html.parser")
    assert {i["value"] for i in kept.select(f"[data-testid='hra-change-{lic}'] input[checked]")} == {"L01", "L03"}
    assert not kept.select(f"[data-testid='hra-change-{fil}'] input[checked]")
    assert "职业中介活动事项须申请行政许可" in (await _post_change(client, agency, {fil: ["L02"]})).text
    # Another agency's licence named in the form is ignored: nothing to change.
    theirs = await _post_change(client, agency, {f"licence:{b['licence_id']}": ["L02"]})
    assert "没有修改任何事项" in theirs.text and await Matter.count() == 0

    response = await _post_change(client, agency, {lic: ["L01", "L04"], fil: ["F03"]}, agency_type="2")
    assert response.status_code == 303
    matter_id = int(response.headers["location"].split("/matters/")[1].split("?")[0])
    payload = (await Matter.select(Matter.payload).where(Matter.id == matter_id).first())["payload"]
    assert "许可事项" in str(payload) and "组织开展现场招聘会" in str(payload) and "人力资源管理咨询" in str(payload)
    # Nothing changes before approval.
    assert json.loads((await Licence.select(Licence.services).where(Licence.id == a["licence_id"]).first())
                      ["services"]) == ["L01"]
    # The draft is corrected: the filing stays as it was; the edit page shows what the application says.
    edit = await client.page(url_for("hra_change_edit", matter_id=matter_id))
    assert {i["value"] for i in edit.select(f"[data-testid='hra-change-{lic}'] input[checked]")} == {"L01", "L04"}
    version = (await Matter.select(Matter.version).where(Matter.id == matter_id).first())["version"]
    corrected = await client.post_form(url_for("hra_change_edit", matter_id=matter_id), {
        **FORM, "name": agency["name"], "address": agency["address"], "agency_type": "2", "version": str(version),
        "registrations": [lic, fil], f"services-{lic}": ["L01", "L04"], f"services-{fil}": ["F02"]})
    assert corrected.status_code == 303
    payload = (await Matter.select(Matter.payload).where(Matter.id == matter_id).first())["payload"]
    assert "人力资源管理咨询" not in str(payload)

    matter = await _approve(app, a["employer"], matter_id)
    assert matter["state"] == "approved"
    licence = await Licence.select().where(Licence.id == a["licence_id"]).first()
    assert json.loads(licence["services"]) == ["L01", "L04"] and licence["certificate_code"] == ""
    assert json.loads((await ServiceFiling.select(ServiceFiling.services).first())["services"]) == ["F02"]
    row = await Agency.select().where(Agency.id == a["id"]).first()
    assert row["agency_type"] == "2" and "组织开展现场招聘会" in row["services_label"]
    history = {h["field"]: (h["before"], h["after"]) for h in await AgencyChange.select()}
    assert history["agency_type"] == ("1", "2")
    assert history["licence_services"] == (f"{licence['licence_no']}：为劳动者介绍用人单位",
                                           f"{licence['licence_no']}：为劳动者介绍用人单位、组织开展现场招聘会")
    assert "filing_services" not in history
    # The old licence certificate is withdrawn (the filing's printed facts did not change: it stays valid).
    status = (await client.page(url_for("verify_certificate", code=old_codes[a["licence_id"]]))).select_one(
        "[data-testid=verify-status]")
    assert "已注销" in status.get_text()
    assert "已注销" not in (await client.page(url_for("verify_certificate", code=old_filing_code))).select_one(
        "[data-testid=verify-status]").get_text()
    new_pdf = await client.get(url_for("hra_licence_certificate", licence_id=a["licence_id"]))
    assert "组织开展现场招聘会" in pdf_text(new_pdf.content)
    new_code = (await Licence.select(Licence.certificate_code).where(Licence.id == a["licence_id"]).first())
    assert new_code["certificate_code"] not in ("", old_codes[a["licence_id"]])
    assert "组织开展现场招聘会" in (await client.page("/hr-agencies/")).get_text()
    assert await register.stale() == []


async def test_a_name_change_reissues_every_certificate_that_prints_it(app, client):
    from domains.hr_agency.tables import Licence, ServiceFiling

    a = await make_agency(name="旧名机构", division="460105", filing=True)
    agency = await Agency.select().where(Agency.id == a["id"]).first()
    await client.sign_in_employer(a["employer"], acting_name="陈法人")
    await client.get(url_for("hra_licence_certificate", licence_id=a["licence_id"]))
    await client.get(url_for("hra_filing_certificate", filing_id=a["filing_id"]))
    codes = [(await t.select(t.certificate_code).first())["certificate_code"] for t in (Licence, ServiceFiling)]
    response = await _post_change(client, agency, {}, name="新名机构")
    matter = await _approve(app, a["employer"], int(response.headers["location"].split("/matters/")[1].split("?")[0]))
    assert sorted(matter["result"]["reissued"]) == sorted([f"licence:{a['licence_id']}", f"filing:{a['filing_id']}"])
    for code in codes:
        assert "已注销" in (await client.page(url_for("verify_certificate", code=code))).select_one(
            "[data-testid=verify-status]").get_text()
