"""HRA-7 注销单位行政许可 by staff: reason and basis required, the licence shows 已注销, its electronic certificate
is revoked, the 名录 drops the agency; other divisions and other permissions cannot."""

from __future__ import annotations

from domains.hr_agency import certificates, register
from domains.hr_agency.matters import ACCEPT, MANAGE
from domains.hr_agency.tables import Licence
from portal.core.tables import AuditLog
from tests.hr_agency.factories import make_agency
from tests.hr_agency.support import staff
from tests.support.urls import url_for


async def test_staff_revoke_licence(app, client, other_client):
    a = await make_agency(name="待注销人力资源有限公司", division="460105")
    row = await Licence.select().where(Licence.id == a["licence_id"]).first()
    await certificates.ensure_certificate(Licence, row, "http://testserver.local")
    code = (await Licence.select(Licence.certificate_code).where(Licence.id == a["licence_id"]).first())[
        "certificate_code"]
    url = url_for("hra_licence_revoke", licence_id=a["licence_id"])

    outsider, _ = await staff(app, "hra_far", [MANAGE], division="460200")
    acceptor, _ = await staff(app, "hra_acc_only", [ACCEPT], division="460100")
    await other_client.sign_in("staff", uid=outsider["id"])
    assert (await other_client.post_form(url, {"reason": "x", "basis": "y"})).status_code == 404
    await other_client.sign_in("staff", uid=acceptor["id"])
    assert (await other_client.post_form(url, {"reason": "x", "basis": "y"})).status_code == 403
    assert "注销行政许可" not in (await other_client.page(url_for("hra_licence_detail", licence_id=a["licence_id"]))).get_text()

    manager, _ = await staff(app, "hra_mgr", [MANAGE], division="460100")
    await client.sign_in("staff", uid=manager["id"])
    response = await client.post_form(url, {"reason": "<script>x</script>机构自行停业", "basis": ""})
    assert response.status_code == 200 and "请填写注销依据" in response.text
    assert "&lt;script&gt;x&lt;/script&gt;机构自行停业" in response.text
    assert (await Licence.select(Licence.status).where(Licence.id == a["licence_id"]).first())["status"] == "valid"
    response = await client.post_form(url, {"reason": "机构自行停业", "basis": "《人力资源市场暂行条例》第四十二条"})
    assert response.status_code == 303
    soup = await client.page(response.headers["location"])
    assert "已注销" in soup.get_text() and "机构自行停业" in soup.get_text()
    again = await client.post_form(url, {"reason": "再次", "basis": "再次"})
    assert again.status_code == 200 and "该行政许可已注销" in again.text
    # The platform's verification page words a withdrawn licence 已注销, as the HRA manual does (and shows no reason).
    assert "已注销" in (await client.page(url_for("verify_certificate", code=code))).select_one("[data-testid=verify-status]").get_text()
    assert await AuditLog.count().where(AuditLog.action == "licence.revoke") == 1
    assert "待注销人力资源" not in (await client.page("/hr-agencies/")).get_text()
    assert await register.stale() == []


async def test_no_first_certificate_for_a_revoked_licence(app, client):
    a = await make_agency(division="460105")
    await Licence.update({Licence.status: "revoked"}).where(Licence.id == a["licence_id"])
    await client.sign_in_employer(a["employer"], acting_name="陈法人")
    assert (await client.get(url_for("hra_licence_certificate", licence_id=a["licence_id"]))).status_code == 404
