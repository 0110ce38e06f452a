"""劳动用工合规证明 over HTTP (INS-5): 合规证明登记 with each bad input refused beside its field, the squad's decision
with the warnings it must see, the PDF with its verification page, refusal, revocation, and the cross-tenant matrix
over every new URL."""

from __future__ import annotations

import json
import re
import secrets

from domains.labor_inspection import compliance
from domains.labor_inspection.tables import InsCompliance
from portal.core import dictionary
from portal.dataservices.certificates import revoke_certificate
from portal.workflow.tables import Matter
from tests.dataservices.test_documents import pdf_text
from tests.labor_inspection.support import SQUAD, complete_steps, sign_in_squad
from tests.support.factories import make_employer, make_person

APPLY = "/labor-inspection/compliance"
PROGRESS = "/labor-inspection/compliance/progress"


def _month(offset: int = 0) -> str:
    """This month moved by `offset` months, as the form's YYYY-MM."""
    m = compliance.this_month()
    total = (m // 100) * 12 + m % 100 - 1 + offset
    return f"{total // 12}-{total % 12 + 1:02d}"


def application(**overrides: str) -> dict[str, str]:
    data = {"purpose": "bidding", "purpose_other": "", "start_month": _month(-12), "end_month": _month(-1),
            "contact_name": "王联系", "contact_phone": "13800138000", "form_id": secrets.token_urlsafe(16)}
    data.update(overrides)
    return data


async def _apply(client, **overrides: str) -> dict:
    response = await client.post_form(APPLY, application(**overrides))
    assert response.status_code == 303, response.text[response.text.find("app-error-summary"):][:600]
    return await Matter.select().where(Matter.kind == compliance.KIND).order_by(Matter.id, ascending=False).first()


async def _squad_of_factory_employer() -> str:
    return (await dictionary.squad_for("460105")).code  # the factories' employers are registered in 秀英区


async def _fire(client, matter: dict, transition: str, opinion: str = ""):
    return await client.post_form(f"/workbench/matters/{matter['id']}/fire", {
        "transition": transition, "version": str(matter["version"]), "opinion": opinion}, htmx=True)


async def test_each_bad_input_is_refused_beside_its_field_with_what_was_typed_kept(client):
    await client.sign_in_employer(await make_employer())
    form = await client.page(APPLY)
    assert form.select_one("#f-start_month")["type"] == "month"
    cases = [
        ({"purpose": ""}, "purpose", "请选择用途"),
        ({"purpose": "lottery"}, "purpose", "请从列表中选择用途"),
        ({"purpose": "other"}, "purpose_other", "用途选择“其他”时，请填写具体用途"),
        ({"start_month": "2025-13"}, "start_month", "起始年月不存在，请检查年份和月份"),
        ({"start_month": "去年"}, "start_month", "起始年月格式不正确，请按“年月”填写"),
        ({"end_month": _month(1)}, "end_month", "截止年月不能晚于本月"),
        ({"start_month": _month(-1), "end_month": _month(-2)}, "end_month", "截止年月不能早于起始年月"),
        ({"start_month": _month(-37), "end_month": _month(-1)}, "start_month", "证明期间最长36个月（3年），现为37个月"),
        ({"contact_name": ""}, "contact_name", "请填写联系人"),
        ({"contact_phone": "12345"}, "contact_phone", "电话号码格式不正确"),
    ]
    for overrides, field, message in cases:
        response = await client.post_form(APPLY, application(**{"contact_name": "李四方", **overrides}))
        assert response.status_code == 200, overrides
        page = response.text
        error = re.search(rf'id="f-{field}-error">(.*?)</p>', page, re.S)
        assert error and message in error.group(1), (overrides, error and error.group(1))
        if overrides.get("contact_name", "x"):
            assert 'value="李四方"' in page, overrides  # what was typed stays
    assert await InsCompliance.count() == 0 and await Matter.count() == 0
    # 36 months exactly, 其他 with its words, a landline: accepted
    matter = await _apply(client, purpose="other", purpose_other="申请政府补贴", start_month=_month(-35),
                          end_month=_month(0), contact_phone="0898-66668888")
    assert matter["state"] == "submitted"
    payload = json.loads(matter["payload"]) if isinstance(matter["payload"], str) else matter["payload"]
    assert payload["purpose_text"] == "其他（申请政府补贴）" and payload["contact_phone"] == "0898-66668888"


async def test_apply_issue_download_verify_and_revoke(client, other_client):
    employer = await make_employer(name="合规测试科技有限公司")
    await client.sign_in_employer(employer)
    matter = await _apply(client)
    squad = await _squad_of_factory_employer()
    assert matter["squad_code"] == squad
    progress = await client.page(PROGRESS)
    assert matter["number"] in progress.get_text() and "监察中队核查中" in progress.get_text()
    row = await InsCompliance.select().first()
    assert (await client.get(f"/labor-inspection/compliance/{row['id']}/certificate.pdf")).status_code == 404

    await sign_in_squad(other_client, "cert_squad", squad=squad)
    modal = await other_client.page(f"/workbench/matters/{matter['id']}", htmx=True)
    assert "招投标" in modal.get_text() and "138****8000" in modal.get_text()
    assert not modal.select("[data-testid=review-notices]")  # nothing to warn about
    done = await _fire(other_client, matter, "approve")
    assert done.status_code == 200 and "已出具证明" in done.text

    progress = await client.page(PROGRESS)
    link = progress.select_one("[data-testid=ins-cert-download]")["href"]
    document = await client.get(link)
    assert document.status_code == 200 and document.content.startswith(b"%PDF")
    text = pdf_text(document.content)
    assert "劳动用工合规证明" in text and "合规测试科技有限公司" in text and "未发现违反劳动保障法律法规" in text
    code = re.search(r"验证码\s*([A-Z2-7]{24})", text).group(1)
    assert (await client.get(link)).content == document.content  # issued once, served byte-identical
    verify = await other_client.get(f"/verify/{code}")
    assert verify.status_code == 200 and "劳动用工合规证明" in verify.text and "合规测试科技有限公司" in verify.text
    assert "有效" in verify.text and "13800138000" not in verify.text

    assert await revoke_certificate(code, "发现期间内存在违法行为")
    assert "已撤销" in (await other_client.get(f"/verify/{code}")).text
    assert "证明已撤销" in (await client.page(PROGRESS)).get_text()


async def test_warnings_are_shown_and_issuing_over_them_needs_an_opinion(client, other_client):
    employer = await make_employer()
    await client.sign_in_employer(employer)
    await complete_steps(client, overtime_hours="40")  # a finding: overtime above 36 hours
    await client.post_form("/labor-inspection/review/submit", {"form_token": secrets.token_urlsafe(16)})
    year = compliance.this_month() // 100
    matter = await _apply(client, start_month=f"{year}-01", end_month=_month(0))
    assert matter["squad_code"] == SQUAD  # the squad of the employer's 书审

    await sign_in_squad(other_client, "cert_warn")
    modal = await other_client.page(f"/workbench/matters/{matter['id']}", htmx=True)
    notices = modal.select_one("[data-testid=review-notices]").get_text()
    assert f"{year}年度网上书审尚未办结（待审核）" in notices
    assert "超过每月36小时的上限" in notices
    refused = await _fire(other_client, matter, "approve")
    assert "出具证明须填写核实意见" in refused.text and "请填写核实意见" in refused.text
    assert (await Matter.select(Matter.state).where(Matter.id == matter["id"]).first())["state"] == "submitted"
    done = await _fire(other_client, matter, "approve", "已现场核查，加班问题已整改")
    assert "已出具证明" in done.text
    row = await InsCompliance.select().first()
    seen = json.loads(row["warnings"]) if isinstance(row["warnings"], str) else row["warnings"]
    assert any("尚未办结" in w for w in seen) and any("超过每月36小时" in w for w in seen)
    assert row["opinion"] == "已现场核查，加班问题已整改"


async def test_refusal_with_a_reason_is_final(client, other_client):
    await client.sign_in_employer(await make_employer())
    matter = await _apply(client)
    await sign_in_squad(other_client, "cert_no", squad=await _squad_of_factory_employer())
    empty = await _fire(other_client, matter, "reject")
    assert "审核意见" in empty.text and "不予出具" in empty.text
    matter = await Matter.select().where(Matter.id == matter["id"]).first()
    done = await _fire(other_client, matter, "reject", "证明期间内有未结案的投诉举报")
    assert "已不予出具" in done.text
    progress = (await client.page(PROGRESS)).get_text()
    assert "不予出具：证明期间内有未结案的投诉举报" in progress
    row = await InsCompliance.select().first()
    assert (await client.get(f"/labor-inspection/compliance/{row['id']}/certificate.pdf")).status_code == 404
    detail = await client.page(f"/matters/{matter['id']}")
    assert not detail.select("form[action$='/fire']")  # no 重新提交 after a refusal


async def test_cross_tenant_matrix(client, other_client):
    a, b = await make_employer(name="甲合规单位"), await make_employer(name="乙合规单位")
    await client.sign_in_employer(a)
    matter = await _apply(client, contact_name="甲联系人")
    squad = await _squad_of_factory_employer()
    await sign_in_squad(client, "cert_a", squad=squad)
    await _fire(client, matter, "approve")
    row = await InsCompliance.select().first()
    download = f"/labor-inspection/compliance/{row['id']}/certificate.pdf"
    urls = [("GET", APPLY), ("POST", APPLY), ("GET", PROGRESS), ("GET", download)]

    async def call(c, method, url):
        return await (c.get(url) if method == "GET" else c.post_form(url, application()))

    # another employer: its own pages show nothing of A; A's certificate and matter are 404
    await other_client.sign_in_employer(b)
    assert "甲联系人" not in (await other_client.get(APPLY)).text
    assert matter["number"] not in (await other_client.page(PROGRESS)).get_text()
    assert (await other_client.get(download)).status_code == 404
    assert (await other_client.get(f"/matters/{matter['id']}")).status_code == 404
    # a natural person and staff on the employer's pages: refused
    await other_client.sign_in_person(await make_person())
    for method, url in urls:
        assert (await call(other_client, method, url)).status_code == 403, (method, url)
    await other_client.sign_in_staff("cert_staff_all", permissions=["ins.review"], scopes={"squad": [squad]})
    for method, url in urls:
        assert (await call(other_client, method, url)).status_code == 403, (method, url)
    # another squad, and staff of the squad without ins.review: the 办件 is 404
    await sign_in_squad(other_client, "cert_far", squad="Z460105002")
    assert (await other_client.get(f"/workbench/matters/{matter['id']}")).status_code == 404
    await other_client.sign_in_staff("cert_noperm", permissions=[], scopes={"squad": [squad]})
    assert (await other_client.get(f"/workbench/matters/{matter['id']}")).status_code == 404
    # nobody signed in: sent to log in, nothing shown
    other_client.cookies.clear()
    for method, url in urls:
        response = await call(other_client, method, url)
        assert response.status_code in (302, 303, 401, 403), (method, url, response.status_code)
        assert "甲联系人" not in response.text
    assert await InsCompliance.count() == 1


async def test_xss_is_escaped(client, other_client):
    await client.sign_in_employer(await make_employer())
    payload = "<script>alert(1)</script>"
    matter = await _apply(client, purpose="other", purpose_other=payload, contact_name="<b>x</b>")
    for url in (PROGRESS, f"/matters/{matter['id']}"):
        text = (await client.get(url)).text
        assert payload not in text and "&lt;script&gt;" in text, url
    await sign_in_squad(other_client, "cert_xss", squad=await _squad_of_factory_employer())
    modal = (await other_client.get(f"/workbench/matters/{matter['id']}")).text
    assert payload not in modal and "<b>x</b>" not in modal and "&lt;script&gt;" in modal


async def test_a_c_grade_in_the_period_is_a_warning_and_a_later_change_lifts_it():
    from datetime import UTC, datetime

    from domains.labor_inspection.tables import InsGradeHistory

    employer = await make_employer()
    year = datetime.now(UTC).year - 1
    for grade, source in (("C", "decide"), ("B", "appeal_change")):
        await InsGradeHistory(employer=employer["id"], year=year, grade=grade, reasons="测试", decided_at=datetime.now(UTC),
                              source=source, matter_id=1).save()
        found = await compliance._warnings_for(employer["id"], year * 100 + 1, year * 100 + 12)
        assert (f"{year}年度信用等级为C级（不守法诚信）" in found) is (grade == "C")
    # Outside the period's years the grade says nothing.
    assert await compliance._warnings_for(employer["id"], (year + 1) * 100 + 1, (year + 1) * 100 + 2) == []
