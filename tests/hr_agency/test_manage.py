"""机构管理 (HRA-8): add (USCC checked, own division only), edit with history, delete with a reason; scoped; an edit
of what a certificate prints replaces it, a deletion revokes it."""

from __future__ import annotations

from domains.hr_agency.matters import ACCEPT, MANAGE
from domains.hr_agency.tables import Agency, AgencyChange, Licence, ServiceFiling
from portal.core.tables import AuditLog
from portal.dataservices.tables import Certificate
from portal.validators import org_check_digit, uscc_check_digit
from tests.hr_agency.factories import make_agency
from tests.hr_agency.support import staff
from tests.support.urls import url_for

FIRST8 = "MA5W0001"
FIRST17 = f"91460105{FIRST8}{org_check_digit(FIRST8)}"
USCC = FIRST17 + uscc_check_digit(FIRST17)
FORM = {"name": "线下人力资源有限公司", "uscc": USCC, "legal_rep": "周法人", "agency_type": "1",
        "division_code": "460105", "address": "秀英路3号", "contact_name": "吴联系", "contact_phone": "0898-66001234"}


async def test_add_edit_delete_with_history(app, client):
    manager, _ = await staff(app, "hra_man", [MANAGE], division="460100")
    await client.sign_in("staff", uid=manager["id"])
    bad = await client.post_form(url_for("hra_agency_new"), {**FORM, "uscc": "123", "division_code": "460202"})
    assert "统一社会信用代码" in bad.text and await Agency.count() == 0
    outside = await client.post_form(url_for("hra_agency_new"), {**FORM, "division_code": "460202"})
    assert "只能录入本辖区的机构" in outside.text and await Agency.count() == 0
    response = await client.post_form(url_for("hra_agency_new"), FORM)
    assert response.status_code == 303
    agency = await Agency.select().first()
    assert agency["source"] == "staff" and agency["employer"] is None
    dup = await client.post_form(url_for("hra_agency_new"), FORM)
    assert "已存在" in dup.text
    url = url_for("hra_agency_detail", agency_id=agency["id"])
    assert (await client.post_form(url, {**FORM, "uscc": "X", "address": "龙华路8号"})).status_code == 303
    row = await Agency.select().first()
    assert row["address"] == "龙华路8号" and row["uscc"] == USCC  # the code is not editable
    history = await AgencyChange.select()
    assert [(h["field"], h["before"], h["after"]) for h in history] == [("address", "秀英路3号", "龙华路8号")]
    assert "秀英路3号" in (await client.page(url)).select_one("[data-testid=hra-history]").get_text()
    assert "请填写删除原因" in (await client.post_form(url + "/delete", {"reason": ""})).text
    assert (await client.post_form(url + "/delete", {"reason": "重复录入"})).status_code == 303
    assert (await Agency.select(Agency.status).first())["status"] == "deleted"
    assert "线下人力资源" not in (await client.page(url_for("hra_agencies"))).get_text()
    assert (await client.get(url)).status_code == 404


async def test_manage_scope_and_permission(app, client):
    a = await make_agency(name="三亚的机构", division="460202")
    manager, _ = await staff(app, "hra_man2", [MANAGE], division="460100")
    acceptor, _ = await staff(app, "hra_acc2", [ACCEPT], division="460000")
    await client.sign_in("staff", uid=manager["id"])
    assert "三亚的机构" not in (await client.page(url_for("hra_agencies"))).get_text()
    url = url_for("hra_agency_detail", agency_id=a["id"])
    assert (await client.get(url)).status_code == 404
    assert (await client.post_form(url, {**FORM, "division_code": "460105"})).status_code == 404
    assert (await client.post_form(url + "/delete", {"reason": "x"})).status_code == 404
    await client.sign_in("staff", uid=acceptor["id"])
    assert (await client.get(url_for("hra_agencies"))).status_code == 403
    assert (await client.post_form(url + "/delete", {"reason": "x"})).status_code == 403
    assert (await Agency.select(Agency.status).where(Agency.id == a["id"]).first())["status"] == "active"


def _status(page) -> str:
    return page.select_one("[data-testid=verify-status]").get_text()


async def _download_both(client, a: dict) -> dict[str, str]:
    """The agency downloads its licence and filing certificates (issued on the first download): their codes."""
    for route, key in (("hra_licence_certificate", "licence_id"), ("hra_filing_certificate", "filing_id")):
        assert (await client.get(url_for(route, **{key: a[key]}))).status_code == 200
    return {"licence": (await Licence.select(Licence.certificate_code).first())["certificate_code"],
            "filing": (await ServiceFiling.select(ServiceFiling.certificate_code).first())["certificate_code"]}


async def test_an_edit_of_printed_facts_replaces_the_certificates(app, client, other_client):
    """机构管理 edits an agency that holds electronic certificates: a field no certificate prints changes none; the
    name withdraws both (/verify: 已注销, with the reason kept for staff) and the agency's next download issues new
    ones with the new name; the 法定代表人 is printed on the licence only."""
    from tests.hr_agency.test_flow import pdf_text

    a = await make_agency(name="原名人力资源有限公司", division="460105", filing=True)
    await other_client.sign_in_employer(a["employer"], acting_name="陈法人")
    old = await _download_both(other_client, a)
    manager, _ = await staff(app, "hra_man3", [MANAGE], division="460100")
    await client.sign_in("staff", uid=manager["id"])
    agency = await Agency.select().where(Agency.id == a["id"]).first()
    url = url_for("hra_agency_detail", agency_id=a["id"])
    form = {k: agency[k] for k in ("name", "legal_rep", "agency_type", "division_code", "address", "contact_name",
                                   "contact_phone")}

    contact = await client.post_form(url, {**form, "contact_name": "新联系人", "division_code": "460106"})
    assert contact.status_code == 303 and contact.headers["location"].endswith("?done=saved")
    assert await _download_both(other_client, a) == old  # not printed: the same certificates
    for code in old.values():
        assert "当前有效" in _status(await client.page(url_for("verify_certificate", code=code)))

    renamed = await client.post_form(url, {**form, "name": "新名人力资源有限公司"})
    assert renamed.headers["location"].endswith("?done=reissued")
    notice = (await client.page(renamed.headers["location"])).select_one("[data-testid=hra-notice]").get_text()
    assert "电子证书已注销" in notice
    for code in old.values():
        assert "已注销" in _status(await client.page(url_for("verify_certificate", code=code)))
    revoked = await Certificate.select(Certificate.revoke_reason).where(Certificate.code.is_in(list(old.values())))
    assert [r["revoke_reason"] for r in revoked] == ["机构管理修改机构信息，已换发新证"] * 2
    licence_pdf = await other_client.get(url_for("hra_licence_certificate", licence_id=a["licence_id"]))
    assert "新名人力资源有限公司" in pdf_text(licence_pdf.content)
    new = await _download_both(other_client, a)
    assert not set(new.values()) & {*old.values(), ""}
    for code in new.values():
        page = await client.page(url_for("verify_certificate", code=code))
        assert "当前有效" in _status(page) and "新名人力资源有限公司" in page.get_text()
        assert "原名人力资源有限公司" not in page.get_text()

    await client.post_form(url, {**form, "name": "新名人力资源有限公司", "legal_rep": "孙法人"})
    assert "已注销" in _status(await client.page(url_for("verify_certificate", code=new["licence"])))
    assert "当前有效" in _status(await client.page(url_for("verify_certificate", code=new["filing"])))
    assert (await ServiceFiling.select(ServiceFiling.certificate_code).first())["certificate_code"] == new["filing"]


async def test_deleting_an_agency_revokes_its_certificates(app, client, other_client):
    a = await make_agency(name="将删除的机构", division="460105", filing=True)
    await other_client.sign_in_employer(a["employer"], acting_name="陈法人")
    codes = await _download_both(other_client, a)
    manager, _ = await staff(app, "hra_man4", [MANAGE], division="460100")
    await client.sign_in("staff", uid=manager["id"])
    url = url_for("hra_agency_detail", agency_id=a["id"])
    assert "电子许可证、备案凭证一并注销" in (await client.page(url)).get_text()
    assert (await client.post_form(url + "/delete", {"reason": "重复录入"})).status_code == 303
    for code in codes.values():
        assert "已注销" in _status(await client.page(url_for("verify_certificate", code=code)))
    revoked = await Certificate.select(Certificate.revoke_reason).where(Certificate.code.is_in(list(codes.values())))
    assert [r["revoke_reason"] for r in revoked] == ["机构已删除：重复录入"] * 2
    assert await AuditLog.count().where(AuditLog.action == "certificate_revoke") == 2
    # the agency no longer reaches them, and nothing issues a fresh (valid-looking) one
    licence = await other_client.get(url_for("hra_licence_certificate", licence_id=a["licence_id"]))
    assert licence.status_code == 404 and await Certificate.count() == 2
