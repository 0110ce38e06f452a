"""HRA-1…HRA-5 through HTTP: apply, 受理 by the 受理岗, 准予许可 / 核查通过 by the 审核岗 (never the same person),
退回 → edit → resubmit, 不通过 closes, the licence certificate."""

from __future__ import annotations

import subprocess

from domains.hr_agency import register
from domains.hr_agency.tables import Agency, Licence, ServiceFiling
from portal.core import dictionary
from portal.core.tables import DictEntry
from portal.workflow import engine
from portal.workflow.tables import Matter
from tests.hr_agency.support import (
    FORM,
    acceptor_and_approver,
    agency_employer,
    apply_online,
    fire,
    staff,
    submit_with_materials,
)
from tests.support.urls import url_for


def pdf_text(data: bytes) -> str:
    return subprocess.run(["/usr/bin/pdftotext", "-", "-"], input=data, capture_output=True,  # noqa: S603
                          check=True).stdout.decode()


async def test_licence_accepted_then_granted_with_numbers_and_certificate(app, client, other_client):
    employer, agency = await agency_employer()
    await client.sign_in_employer(employer, acting_name="陈法人")
    assert "尚未申请" in (await client.page("/hr-agency/")).get_text()
    matter_id = await apply_online(client, "licence", ["L01", "L02"])
    await submit_with_materials(app, agency, matter_id)
    (acc, _), (apr, _) = await acceptor_and_approver(app)

    await other_client.sign_in("staff", uid=acc["id"])
    # The 受理岗 cannot approve: the 审批 needs hra.approve.
    assert (await fire(other_client, matter_id, "approve")).status_code in (403, 200)
    assert (await Matter.select(Matter.state).where(Matter.id == matter_id).first())["state"] == "submitted"
    response = await fire(other_client, matter_id, "accept")
    assert response.status_code == 303
    assert (await Matter.select(Matter.state).where(Matter.id == matter_id).first())["state"] == "accepted"

    await other_client.sign_in("staff", uid=apr["id"])
    response = await fire(other_client, matter_id, "approve")
    assert response.status_code == 303
    matter = await Matter.select().where(Matter.id == matter_id).first()
    assert matter["state"] == "approved"
    licence = await Licence.select().first()
    assert licence["licence_no"].startswith("（琼）人服证字〔") and licence["licence_no"].endswith("4601050001号")
    assert licence["doc_no"].endswith("460105-1号")
    agency_row = await Agency.select().first()
    assert agency_row["name"] == FORM["name"] and agency_row["employer"] == employer["id"]
    assert await register.stale() == [] and FORM["name"] in (await client.page(url_for("hra_register"))).get_text()

    soup = await client.page("/hr-agency/")
    assert licence["licence_no"] in soup.get_text() and "通过" in soup.get_text()
    pdf = await client.get(url_for("hra_licence_certificate", licence_id=licence["id"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = pdf_text(pdf.content)
    assert licence["licence_no"] in text and "人力资源服务许可证" in text
    again = await client.get(url_for("hra_licence_certificate", licence_id=licence["id"]))
    assert again.content == pdf.content  # issued once, served byte-identical
    code = (await Licence.select(Licence.certificate_code).first())["certificate_code"]
    verify = await client.get(url_for("verify_certificate", code=code))
    assert verify.status_code == 200 and "人力资源服务许可证" in verify.text and licence["licence_no"] in verify.text


async def test_one_person_never_does_both_stages(app, client):
    employer, agency = await agency_employer()
    await client.sign_in_employer(employer, acting_name="陈法人")
    matter_id = await apply_online(client, "filing", ["F02"])
    submitted = await submit_with_materials(app, agency, matter_id)
    both, principal = await staff(app, "hra_both", ["hra.accept", "hra.approve"])
    matter = await engine.fire(principal, matter_id, "accept", expected_version=submitted["version"])
    try:
        await engine.fire(principal, matter_id, "approve", expected_version=matter["version"])
        raised = None
    except engine.NotAllowed as exc:
        raised = exc
    assert raised is not None
    assert (await Matter.select(Matter.state).where(Matter.id == matter_id).first())["state"] == "accepted"
    assert await ServiceFiling.count() == 0


async def test_filing_returned_then_edited_and_resubmitted_then_checked(app, client, other_client):
    employer, agency = await agency_employer()
    await client.sign_in_employer(employer, acting_name="陈法人")
    matter_id = await apply_online(client, "filing", ["F02", "F03"])
    await submit_with_materials(app, agency, matter_id)
    (acc, _), (apr, _) = await acceptor_and_approver(app)
    await other_client.sign_in("staff", uid=acc["id"])
    assert (await fire(other_client, matter_id, "return", "")).status_code == 200  # reason required
    assert (await fire(other_client, matter_id, "return", "营业执照不清晰")).status_code == 303
    matter = await Matter.select().where(Matter.id == matter_id).first()
    assert matter["state"] == "returned"

    soup = await client.page(url_for("matter_detail", matter_id=matter_id))
    assert "退回" in soup.get_text() and soup.find("a", href=url_for("hra_edit", matter_id=matter_id))
    # A licensed (职业中介) service cannot be filed: refused beside the field, input kept.
    response = await client.post_form(url_for("hra_edit", matter_id=matter_id),
                                      {**FORM, "name": "改名后机构", "services": ["L01"], "version": matter["version"]})
    assert response.status_code == 200 and "须申请行政许可" in response.text and "改名后机构" in response.text
    response = await client.post_form(url_for("hra_edit", matter_id=matter_id),
                                      {**FORM, "name": "改名后机构", "services": ["F03"], "version": matter["version"]})
    assert response.status_code == 303
    matter = await Matter.select().where(Matter.id == matter_id).first()
    assert matter["payload"]["name"] == "改名后机构" if isinstance(matter["payload"], dict) else "改名后机构" in matter["payload"]
    response = await client.post_form(url_for("matter_fire", matter_id=matter_id),
                                      {"transition": "resubmit", "version": str(matter["version"])})
    assert response.status_code == 303
    assert (await fire(other_client, matter_id, "accept")).status_code == 303
    await other_client.sign_in("staff", uid=apr["id"])
    assert (await fire(other_client, matter_id, "approve")).status_code == 303
    filing = await ServiceFiling.select().first()
    assert filing["filing_no"].startswith("琼人服备〔") and filing["filing_no"].endswith("4601050001号")
    assert (await Agency.select(Agency.name).first())["name"] == "改名后机构"


async def test_refused_application_is_closed_and_applied_for_anew(app, client, other_client):
    employer, agency = await agency_employer()
    await client.sign_in_employer(employer, acting_name="陈法人")
    matter_id = await apply_online(client, "licence", ["L01"])
    # A second application of the same kind while one is under way is refused.
    response = await client.post_form("/hr-agency/apply/licence", {**FORM, "services": ["L01"]})
    assert response.status_code == 200 and "正在办理中" in response.text
    await submit_with_materials(app, agency, matter_id)
    (acc, _), _ = await acceptor_and_approver(app)
    await other_client.sign_in("staff", uid=acc["id"])
    assert (await fire(other_client, matter_id, "refuse", "不符合许可条件")).status_code == 303
    matter = await Matter.select().where(Matter.id == matter_id).first()
    assert matter["state"] == "refused"
    soup = await client.page(url_for("matter_detail", matter_id=matter_id))
    assert "不通过" in soup.get_text() and soup.find("a", href=url_for("hra_edit", matter_id=matter_id)) is None
    assert (await client.get(url_for("hra_edit", matter_id=matter_id))).status_code == 303  # back to the matter
    response = await client.post_form(url_for("hra_edit", matter_id=matter_id),
                                      {**FORM, "services": ["L01"], "version": str(matter["version"])})
    assert response.status_code == 200 and await Matter.count().where(Matter.id == matter_id) == 1
    assert (await Matter.select(Matter.state).where(Matter.id == matter_id).first())["state"] == "refused"
    await apply_online(client, "licence", ["L01"])  # applied for anew


async def test_bad_input_is_refused_in_chinese_and_kept(app, client):
    employer, _ = await agency_employer()
    await client.sign_in_employer(employer, acting_name="陈法人")
    response = await client.post_form("/hr-agency/apply/licence",
                                      {**FORM, "contact_phone": "123", "name": "<b>保留</b>", "services": []})
    assert response.status_code == 200
    assert "联系电话应为11位手机号" in response.text and "&lt;b&gt;保留&lt;/b&gt;" in response.text
    response = await client.post_form("/hr-agency/apply/licence", {**FORM, "services": ["F01"]})
    assert "其他服务事项请办理业务备案" in response.text
    assert await Matter.count() == 0 and await Agency.count() == 0


async def test_a_broken_number_format_refuses_the_approval_with_the_reason(app, client, other_client):
    # An administrator's bad dictionary edit must not turn 准予许可 into 系统繁忙: the approval is refused, named, and
    # rolled back (matter still accepted, no licence, no number consumed).
    employer, agency = await agency_employer()
    await client.sign_in_employer(employer, acting_name="陈法人")
    matter_id = await apply_online(client, "licence", ["L01"])
    await submit_with_materials(app, agency, matter_id)
    (acc, _), (apr, _) = await acceptor_and_approver(app)
    await other_client.sign_in("staff", uid=acc["id"])
    assert (await fire(other_client, matter_id, "accept")).status_code == 303
    where = (DictEntry.category == "hra_number_format") & (DictEntry.code == "licence")
    kept = (await DictEntry.select(DictEntry.extra).where(where).first())["extra"]
    await DictEntry.update({DictEntry.extra: '{"format": "第{seq:04d}号{year"}'}).where(where)
    dictionary.invalidate()
    try:
        await other_client.sign_in("staff", uid=apr["id"])
        response = await fire(other_client, matter_id, "approve")
        assert response.status_code in (200, 409), response.status_code
        assert "配置有误" in response.text and "系统繁忙" not in response.text
        assert (await Matter.select(Matter.state).where(Matter.id == matter_id).first())["state"] == "accepted"
        assert await Licence.count() == 0
    finally:  # reference data outlives the test's clean-up
        await DictEntry.update({DictEntry.extra: kept}).where(where)
        dictionary.invalidate()


def test_number_format_problems():
    from domains.hr_agency.numbers import format_problem

    assert format_problem("（琼）人服证字〔{year}〕第{division}{seq:04d}号") is None
    assert "未知的占位符" in format_problem("{year}{city}{seq}")
    assert "{seq}" in format_problem("{year}{division}")
    assert "大括号" in format_problem("第{seq:04d}号{year")
    assert "大括号" in format_problem("{seq:zz}")
