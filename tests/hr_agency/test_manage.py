"""机构管理 (HRA-8): add (USCC checked, own division only), edit with history, delete with a reason; scoped."""

from __future__ import annotations

from domains.hr_agency.matters import ACCEPT, MANAGE
from domains.hr_agency.tables import Agency, AgencyChange
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
