"""退回 and 不通过 of the 设立分支机构报告 and the 注销申请 (manual 2.9, 2.11): a returned one is edited by its own
agency and resubmitted; a refused one is closed (no edit, no resubmit) and is applied for anew."""

from __future__ import annotations

from domains.hr_agency.tables import Branch, Licence
from portal.workflow import engine
from portal.workflow.materials import upload_material
from portal.workflow.tables import Matter
from tests.hr_agency.factories import make_agency
from tests.hr_agency.support import PDF, acceptor_and_approver
from tests.support.urls import url_for
from tests.workflow.support import employer_principal

BRANCH = {"name": "龙华分公司", "division_code": "460106", "address": "龙华路1号", "leader": "孙负责"}


def _id(response) -> int:
    assert response.status_code == 303, response.text
    return int(response.headers["location"].split("/matters/")[1].split("?")[0])


async def _submitted(app, employer, matter_id: int, material: str) -> dict:
    principal = employer_principal(employer)
    await upload_material(principal, matter_id, material, "m.pdf", PDF, storage_dir=app.state.settings.storage_dir)
    version = (await engine.get_matter_for(principal, matter_id))["version"]
    return await engine.fire(principal, matter_id, "submit", expected_version=version)


async def _version(matter_id: int) -> str:
    return str((await Matter.select(Matter.version).where(Matter.id == matter_id).first())["version"])


async def _state(matter_id: int) -> str:
    return (await Matter.select(Matter.state).where(Matter.id == matter_id).first())["state"]


async def test_returned_branch_report_is_edited_resubmitted_and_approved(app, client, other_client):
    a = await make_agency(division="460105")
    b = await make_agency(division="460105")
    await client.sign_in_employer(a["employer"], acting_name="陈法人")
    matter_id = _id(await client.post_form(url_for("hra_branch"), BRANCH))
    matter = await _submitted(app, a["employer"], matter_id, "branch_licence")
    (_, acc), (_, apr) = await acceptor_and_approver(app)
    # Only the 受理岗 returns; the agency cannot fire a staff transition, the 审核岗 cannot return.
    refused = await client.post_form(url_for("matter_fire", matter_id=matter_id),
                                     {"transition": "return", "version": str(matter["version"])})
    assert refused.status_code in (200, 403) and await _state(matter_id) == "submitted"
    try:
        await engine.fire(apr, matter_id, "return", expected_version=matter["version"], opinion="x")
        raise AssertionError("审核岗 returned a matter at 受理")
    except engine.WorkflowError:
        pass
    await engine.fire(acc, matter_id, "return", expected_version=matter["version"], opinion="地址与执照不一致")

    soup = await client.page(url_for("matter_detail", matter_id=matter_id))
    assert soup.find("a", href=url_for("hra_branch_edit", matter_id=matter_id))
    soup = await client.page(url_for("hra_branch_edit", matter_id=matter_id))
    assert soup.find("input", id="f-name")["value"] == "龙华分公司"
    # Another agency reaches nothing of it.
    await other_client.sign_in_employer(b["employer"], acting_name="陈法人")
    assert (await other_client.get(url_for("hra_branch_edit", matter_id=matter_id))).status_code == 404
    stolen = await other_client.post_form(url_for("hra_branch_edit", matter_id=matter_id),
                                          {**BRANCH, "name": "乙篡改", "version": await _version(matter_id)})
    assert stolen.status_code == 404
    # A bad value is refused in Chinese beside its field, what was typed kept.
    bad = await client.post_form(url_for("hra_branch_edit", matter_id=matter_id),
                                 {**BRANCH, "address": "龙华路2号", "leader": "", "version": await _version(matter_id)})
    assert bad.status_code == 200 and "请填写负责人" in bad.text and "龙华路2号" in bad.text
    stale = await client.post_form(url_for("hra_branch_edit", matter_id=matter_id),
                                   {**BRANCH, "address": "龙华路2号", "version": "999"})
    assert stale.status_code == 200 and "龙华路2号" in stale.text
    saved = await client.post_form(url_for("hra_branch_edit", matter_id=matter_id),
                                   {**BRANCH, "address": "龙华路2号", "version": await _version(matter_id)})
    assert saved.status_code == 303
    resubmitted = await client.post_form(url_for("matter_fire", matter_id=matter_id),
                                         {"transition": "resubmit", "version": await _version(matter_id)})
    assert resubmitted.status_code == 303 and await _state(matter_id) == "submitted"
    matter = await engine.fire(acc, matter_id, "accept", expected_version=int(await _version(matter_id)))
    await engine.fire(apr, matter_id, "approve", expected_version=matter["version"])
    branch = await Branch.select().first()
    assert branch["address"] == "龙华路2号" and branch["agency"] == a["id"]
    # Approved, the report is no longer editable: the edit page sends back to the matter.
    assert (await client.get(url_for("hra_branch_edit", matter_id=matter_id))).status_code == 303


async def test_refused_branch_report_is_closed_and_reported_anew(app, client):
    a = await make_agency(division="460105")
    await client.sign_in_employer(a["employer"], acting_name="陈法人")
    matter_id = _id(await client.post_form(url_for("hra_branch"), BRANCH))
    matter = await _submitted(app, a["employer"], matter_id, "branch_licence")
    (_, acc), _ = await acceptor_and_approver(app)
    await engine.fire(acc, matter_id, "refuse", expected_version=matter["version"], opinion="未办理工商登记")
    soup = await client.page(url_for("matter_detail", matter_id=matter_id))
    assert "不通过" in soup.get_text() and soup.find("a", href=url_for("hra_branch_edit", matter_id=matter_id)) is None
    assert soup.find("button", attrs={"value": "resubmit"}) is None
    assert (await client.get(url_for("hra_branch_edit", matter_id=matter_id))).status_code == 303
    closed = await client.post_form(url_for("hra_branch_edit", matter_id=matter_id),
                                    {**BRANCH, "name": "改名分公司", "version": await _version(matter_id)})
    assert closed.status_code == 200 and "不能修改" in closed.text
    assert "改名分公司" not in str((await Matter.select(Matter.payload).where(Matter.id == matter_id).first())["payload"])
    again = await client.post_form(url_for("matter_fire", matter_id=matter_id),
                                   {"transition": "resubmit", "version": await _version(matter_id)})
    assert again.status_code in (200, 403, 409) and await _state(matter_id) == "refused"
    assert _id(await client.post_form(url_for("hra_branch"), BRANCH)) != matter_id  # reported anew


async def test_returned_cancel_is_edited_and_resubmitted_refused_one_is_closed(app, client, other_client):
    a = await make_agency(division="460105", filing=True)
    b = await make_agency(division="460105")
    await client.sign_in_employer(a["employer"], acting_name="陈法人")
    matter_id = _id(await client.post_form(url_for("hra_cancel"), {"target": f"filing:{a['filing_id']}",
                                                                 "reason": "停止培训业务"}))
    matter = await _submitted(app, a["employer"], matter_id, "cancel_request")
    (_, acc), (_, apr) = await acceptor_and_approver(app)
    await engine.fire(acc, matter_id, "return", expected_version=matter["version"], opinion="请注销许可而非备案")
    soup = await client.page(url_for("hra_cancel_edit", matter_id=matter_id))
    assert soup.select_one("#f-target option[selected]")["value"] == f"filing:{a['filing_id']}"
    assert soup.find("textarea", id="f-reason").get_text() == "停止培训业务"
    await other_client.sign_in_employer(b["employer"], acting_name="陈法人")
    assert (await other_client.get(url_for("hra_cancel_edit", matter_id=matter_id))).status_code == 404
    stolen = await other_client.post_form(url_for("hra_cancel_edit", matter_id=matter_id), {
        "target": f"licence:{b['licence_id']}", "reason": "x", "version": await _version(matter_id)})
    assert stolen.status_code == 404
    # Another agency's licence cannot be named; a reason is required; the input stays.
    bad = await client.post_form(url_for("hra_cancel_edit", matter_id=matter_id), {
        "target": f"licence:{b['licence_id']}", "reason": "停止职业中介", "version": await _version(matter_id)})
    assert bad.status_code == 200 and "请从列表中选择" in bad.text and "停止职业中介" in bad.text
    empty = await client.post_form(url_for("hra_cancel_edit", matter_id=matter_id), {
        "target": f"licence:{a['licence_id']}", "reason": "", "version": await _version(matter_id)})
    assert "请填写注销原因" in empty.text
    saved = await client.post_form(url_for("hra_cancel_edit", matter_id=matter_id), {
        "target": f"licence:{a['licence_id']}", "reason": "停止职业中介", "version": await _version(matter_id)})
    assert saved.status_code == 303
    await client.post_form(url_for("matter_fire", matter_id=matter_id),
                           {"transition": "resubmit", "version": await _version(matter_id)})
    matter = await engine.fire(acc, matter_id, "accept", expected_version=int(await _version(matter_id)))
    await engine.fire(apr, matter_id, "approve", expected_version=matter["version"])
    assert (await Licence.select(Licence.status).where(Licence.id == a["licence_id"]).first())["status"] == "revoked"

    # A refused 注销 is closed: no edit; a new application names the filing again.
    second = _id(await client.post_form(url_for("hra_cancel"), {"target": f"filing:{a['filing_id']}",
                                                              "reason": "停止培训业务"}))
    matter = await _submitted(app, a["employer"], second, "cancel_request")
    await engine.fire(acc, second, "refuse", expected_version=matter["version"], opinion="尚有未结业务")
    assert (await client.get(url_for("hra_cancel_edit", matter_id=second))).status_code == 303
    closed = await client.post_form(url_for("hra_cancel_edit", matter_id=second), {
        "target": f"filing:{a['filing_id']}", "reason": "改", "version": await _version(second)})
    assert closed.status_code == 200 and "不能修改" in closed.text and await _state(second) == "refused"
    assert _id(await client.post_form(url_for("hra_cancel"), {"target": f"filing:{a['filing_id']}",
                                                            "reason": "停止培训业务"})) != second


async def test_staff_cannot_open_agency_edit_pages(app, client):
    a = await make_agency(division="460105")
    await client.sign_in_employer(a["employer"], acting_name="陈法人")
    matter_id = _id(await client.post_form(url_for("hra_branch"), BRANCH))
    (acc_row, _), _ = await acceptor_and_approver(app)
    await client.sign_in("staff", uid=acc_row["id"])
    for url in (url_for("hra_branch_edit", matter_id=matter_id), url_for("hra_cancel_edit", matter_id=matter_id)):
        assert (await client.get(url)).status_code in (401, 403), url
