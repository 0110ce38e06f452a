"""证书管理: the staff list (scoped, filtered), the detail (masked, PDF) and revocation (reason, confirmation, audit)."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, date, datetime, timedelta

from portal.core.tables import AuditLog
from portal.dataservices import certificates
from portal.dataservices.certificates import Fact, issue_certificate
from portal.dataservices.tables import Certificate
from portal.filters import SHANGHAI
from tests.support.factories import make_id_number, make_staff
from tests.support.urls import url_for

LIST = "/certificates"
PERMISSION = "certificate.revoke"
certificates.register_kind("test_proof", "参保证明（测试）")


async def _cert(division: str = "460105", *, title: str = "参保证明", kind: str = "test_proof",
                issued: datetime | None = None, revoked: bool = False) -> dict:
    """A certificate row without rendering its PDF (list and scope tests need many)."""
    issued = issued or datetime.now(UTC)
    row = Certificate(
        code=certificates.new_code(), kind=kind, title=title, division_code=division,
        subject_summary=json.dumps([["姓名", "张**"], ["身份证号", "460105********1234"]], ensure_ascii=False),
        issued_at=issued, issued_on=issued.astimezone(SHANGHAI).date(),
        revoked_at=datetime.now(UTC) if revoked else None, revoke_reason="旧的原因" if revoked else "",
    )
    await row.save()
    return row.to_dict()


async def _staff(app, client, *, divisions=("460100",), permissions=(PERMISSION,), name=None) -> dict:
    staff = await make_staff(app, name or f"cert{secrets.token_hex(3)}", permissions=list(permissions),
                             scopes={"division": list(divisions)})
    await client.sign_in("staff", uid=staff["id"])
    return staff


def _codes(soup) -> list[str]:
    table = soup.find(attrs={"data-testid": "grid-table"})
    return [] if table is None else [tr.find("td").get_text(strip=True) for tr in table.find("tbody").find_all("tr")]


async def test_list_shows_only_certificates_within_the_staff_divisions(app, client):
    haikou = await _cert("460105", title="海口证明")
    sanya = await _cert("460202", title="三亚证明")
    await _staff(app, client, divisions=("460100",))
    soup = await client.page(LIST)
    assert _codes(soup) == [haikou["code"]]
    assert sanya["code"] not in soup.get_text()
    nav = soup.find("nav", attrs={"aria-label": "主导航"}) or soup
    assert nav.find("a", href=LIST) is not None


async def test_filters_by_code_kind_title_status_and_issue_date(app, client):
    today = datetime.now(UTC)
    old = await _cert(title="工伤认定证明", issued=today - timedelta(days=40))
    revoked = await _cert(title="参保证明", revoked=True)
    other_kind = await _cert(title="参保证明", kind="unregistered")
    await _staff(app, client)

    assert _codes(await client.page(f"{LIST}?code={old['code'].lower()}")) == [old["code"]]
    assert set(_codes(await client.page(f"{LIST}?title=工伤"))) == {old["code"]}
    assert _codes(await client.page(f"{LIST}?status=revoked")) == [revoked["code"]]
    assert set(_codes(await client.page(f"{LIST}?status=valid"))) == {old["code"], other_kind["code"]}
    assert set(_codes(await client.page(f"{LIST}?kind=test_proof"))) == {old["code"], revoked["code"]}
    day = old["issued_on"]
    soup = await client.page(f"{LIST}?issued_on_from={day}&issued_on_to={day}")
    assert _codes(soup) == [old["code"]]
    soup = await client.page(f"{LIST}?issued_on_from={date.today() + timedelta(days=5)}&issued_on_to=2020-01-01")
    assert "结束日期不能早于开始日期" in soup.get_text()
    soup = await client.page(f"{LIST}?issued_on_from=2026-13-01")
    assert "填写的日期不存在" in soup.get_text()
    soup = await client.page(f"{LIST}?status=whatever")
    assert "请从列表中选择状态" in soup.get_text()
    # the badge names a registered kind, the status reads in Chinese
    text = (await client.page(f"{LIST}?code={revoked['code']}")).get_text()
    assert "参保证明（测试）" in text and "已撤销" in text


async def test_list_pages_by_issue_time(app, client):
    start = datetime.now(UTC) - timedelta(days=1)
    made = [await _cert(issued=start + timedelta(minutes=i)) for i in range(23)]
    await _staff(app, client)
    first = await client.page(LIST)
    assert _codes(first) == [c["code"] for c in reversed(made)][:20]
    next_link = first.find("a", rel="next")
    second = await client.page(next_link["href"])
    assert _codes(second) == [c["code"] for c in reversed(made)][20:]


async def test_permission_and_scope_are_required(app, client, other_client):
    cert = await _cert("460105")
    await _staff(app, client, permissions=())
    assert (await client.get(LIST)).status_code == 403
    soup = await client.page(url_for("home"))
    assert soup.find("a", href=LIST) is None  # no nav entry without the permission
    assert (await client.get(url_for("certificate_detail", cid=cert["id"]))).status_code == 403

    # Another division with the permission: the certificate does not exist for them.
    await _staff(app, other_client, divisions=("460200",))
    assert (await other_client.get(url_for("certificate_detail", cid=cert["id"]))).status_code == 404
    response = await other_client.post_form(url_for("certificate_revoke", cid=cert["id"]), {"reason": "越权", "confirm": "1"})
    assert response.status_code == 404
    assert (await Certificate.select(Certificate.revoked_at).where(Certificate.id == cert["id"]).first())[
        "revoked_at"] is None
    assert _codes(await other_client.page(LIST)) == []


async def test_detail_is_masked_and_links_the_stored_pdf(app, client):
    ident = make_id_number("460105")
    cert = await issue_certificate(
        kind="test_proof", title="参保缴费证明", base_url="http://portal.example", division_code="460105",
        facts=[Fact("姓名", "王小明", "name"), Fact("身份证号", ident, "id_number")],
    )
    await _staff(app, client)
    soup = await client.page(url_for("certificate_detail", cid=cert["id"]))
    text = soup.get_text()
    assert "王**" in text and ident[:6] + "********" + ident[-4:] in text
    assert ident not in text and "王小明" not in text
    assert cert["code"] in text and "有效" in soup.find(attrs={"data-testid": "cert-status"}).get_text()
    assert "秀英区" in text  # the division named by the dictionary
    pdf = await client.get(soup.find(attrs={"data-testid": "cert-pdf"})["href"])
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


async def test_revoke_needs_a_reason_then_a_confirmation_and_is_audited_once(app, client):
    cert = await _cert("460105")
    staff = await _staff(app, client)
    url = url_for("certificate_revoke", cid=cert["id"])

    response = await client.post_form(url, {"reason": "  "})
    assert response.status_code == 200
    assert "请填写撤销原因" in response.text and 'id="f-reason-error"' in response.text

    long_reason = "错" * 201
    response = await client.post_form(url, {"reason": long_reason})
    assert "撤销原因不能超过200个字" in response.text and long_reason in response.text  # input kept

    response = await client.post_form(url, {"reason": "证明信息有误<b>"})
    assert response.status_code == 200 and 'data-testid="revoke-confirm"' in response.text
    assert "证明信息有误&lt;b&gt;" in response.text
    assert (await Certificate.select(Certificate.revoked_at).where(Certificate.id == cert["id"]).first())[
        "revoked_at"] is None  # nothing happens before the confirmation

    back = await client.post_form(url, {"reason": "证明信息有误<b>", "confirm": "1", "back": "1"})
    assert 'data-testid="revoke-confirm"' not in back.text and "证明信息有误&lt;b&gt;</textarea>" in back.text

    response = await client.post_form(url, {"reason": "证明信息有误<b>", "confirm": "1"})
    assert response.status_code == 303
    assert response.headers["location"] == url_for("certificate_detail", {"revoked": "1"}, cid=cert["id"])
    detail = await client.page(response.headers["location"])
    assert "证明已撤销" in detail.get_text() and "已撤销" in detail.find(attrs={"data-testid": "cert-status"}).get_text()

    verify = await client.page(url_for("verify_certificate", code=cert["code"]))
    status = verify.find(attrs={"data-testid": "verify-status"}).get_text()
    # The public page: 已撤销 and the date; the reason is for staff only (issue #12 item 8).
    assert "已撤销" in status and "证明信息有误" not in verify.get_text()
    row = await Certificate.select().where(Certificate.id == cert["id"]).first()
    assert row["revoke_reason"] == "证明信息有误<b>"
    assert row["revoked_at"].astimezone(SHANGHAI).strftime("%Y年%m月%d日") in status

    audits = await AuditLog.select().where(AuditLog.action == "certificate_revoke")
    assert len(audits) == 1
    assert audits[0]["actor_id"] == staff["id"] and audits[0]["object_id"] == str(cert["id"])
    assert json.loads(audits[0]["detail"])["reason"] == "证明信息有误<b>"

    again = await client.post_form(url, {"reason": "再次撤销", "confirm": "1"})
    assert again.status_code == 200 and "该证明已撤销，无需重复撤销" in again.text
    assert await AuditLog.count().where(AuditLog.action == "certificate_revoke") == 1
    assert (await Certificate.select().where(Certificate.id == cert["id"]).first())["revoke_reason"] == "证明信息有误<b>"


async def test_revoke_form_answers_htmx_with_the_panel_only(app, client):
    cert = await _cert("460105")
    await _staff(app, client)
    response = await client.post_form(url_for("certificate_revoke", cid=cert["id"]), {"reason": ""}, htmx=True)
    assert response.status_code == 200
    assert "<html" not in response.text and 'id="revoke-panel"' in response.text
    assert "请填写撤销原因" in response.text


async def test_two_staff_revoking_at_once_make_one_revocation(app):
    import asyncio

    cert = await _cert("460105")
    results = await asyncio.gather(*(certificates.revoke_certificate(cert["code"], f"原因{i}") for i in range(3)))
    assert sorted(results) == [False, False, True]
    assert await AuditLog.count().where(AuditLog.action == "certificate_revoke") == 1
