"""事项变更 (HRA-1, HRA-6): the agency changes its record; 准予变更 by the 审核岗 after 受理 by the 受理岗 updates
the agency and keeps the history; nothing changes before approval; other agencies cannot touch it."""

from __future__ import annotations

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
