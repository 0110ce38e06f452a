"""ACC-9: staff sign in by scanning a QR code with the 电子社保卡 app (the sandbox platform, the real adapter)."""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from portal.auth import ecard
from portal.auth.tables import EcardSandboxScan, StaffUser
from portal.core.tables import AuditLog
from portal.pages import ecard_sandbox
from portal.settings import EcardSettings
from tests.support.factories import make_staff
from tests.support.staff import client_for, sign_in_admin
from tests.support.urls import url_for

CARD = "460100198503150025"
OTHER_CARD = "11010519491231002X"


def _ecard_app(app, mode: str = "sandbox"):
    from portal.app import create_app

    settings = app.state.settings
    return create_app(dataclasses.replace(settings, ecard=EcardSettings(mode=mode, app_secret="test-secret")))


@pytest.fixture
async def ecard_app(app):
    return _ecard_app(app)


async def _open_qr(client, next_path: str = "/") -> str:
    """The login page's QR code; returns the qr id the sandbox phone needs."""
    soup = await client.page(url_for("login_ecard") + f"?next={next_path}")
    assert soup.find("img", attrs={"data-testid": "ecard-qr"})["src"].startswith("data:image/svg+xml")
    link = soup.find("a", attrs={"data-testid": "ecard-phone-link"})["href"]
    assert link.startswith(ecard_sandbox.PHONE_PATH + "?qr=")
    return link.split("qr=", 1)[1]


async def _poll(client) -> httpx.Response:
    return await client.get(url_for("login_ecard_status"), headers={"HX-Request": "true"})


async def _phone(app, qr: str, *, action: str = "confirm", id_number: str = CARD, name: str = "张审核"):
    async with client_for(app) as phone:
        assert (await phone.get(f"{ecard_sandbox.PHONE_PATH}?qr={qr}")).status_code == 200
        return await phone.post_form(url_for("ecard_sandbox_phone_answer"),
                                     {"qr": qr, "action": action, "id_number": id_number, "name": name})


async def test_off_by_default_every_route_is_404(app, client):
    assert app.state.settings.ecard.mode == "off"
    assert (await client.get(url_for("login_ecard"))).status_code == 404
    assert (await client.get(url_for("login_ecard_status"))).status_code == 404
    assert (await client.get(ecard_sandbox.PHONE_PATH + "?qr=x")).status_code == 404
    soup = await client.page(url_for("login") + "?tab=staff")
    assert soup.find(attrs={"data-testid": "ecard-login-link"}) is None


async def test_scan_confirm_signs_the_bound_staff_member_in(app, ecard_app):
    staff = await make_staff(app, "alice", "Sunny#2026", permissions=["admin.staff"], ecard_id_number=CARD)
    async with client_for(ecard_app) as browser:
        login_page = await browser.page(url_for("login") + "?tab=staff")
        assert login_page.find(attrs={"data-testid": "ecard-login-link"}) is not None
        qr = await _open_qr(browser, url_for("admin_staff"))
        waiting = await _poll(browser)
        assert "请使用电子社保卡APP扫描二维码" in waiting.text and 'hx-trigger="every 2s"' in waiting.text
        async with client_for(ecard_app) as phone:
            await phone.get(f"{ecard_sandbox.PHONE_PATH}?qr={qr}")
            assert "已扫码，请在手机上确认登录" in (await _poll(browser)).text
            done = await phone.post_form(url_for("ecard_sandbox_phone_answer"),
                                         {"qr": qr, "action": "confirm", "id_number": CARD, "name": "张审核"})
            assert done.status_code == 303
        signed_in = await _poll(browser)
        assert signed_in.headers["HX-Redirect"] == url_for("admin_staff")
        assert (await browser.get(url_for("admin_staff"))).status_code == 200
        # The code was spent: polling again (the same QR) signs in nobody new and shows it expired.
        assert "二维码已过期" in (await _poll(browser)).text
    row = await AuditLog.select(AuditLog.detail).where(
        (AuditLog.action == "staff_login") & (AuditLog.object_id == str(staff["id"]))).first()
    assert row is not None and "ecard" in str(row["detail"])


async def test_the_qr_code_belongs_to_the_browser_that_asked_for_it(app, ecard_app):
    await make_staff(app, "alice", "Sunny#2026", permissions=["admin.staff"], ecard_id_number=CARD)
    async with client_for(ecard_app) as victim, client_for(ecard_app) as attacker:
        qr = await _open_qr(victim)
        await _phone(ecard_app, qr)
        # The attacker knows the qr id (a photo of the screen) but holds no session naming it.
        stolen = await attacker.get(url_for("login_ecard_status") + f"?qr={qr}", headers={"HX-Request": "true"})
        assert "二维码已过期" in stolen.text and "HX-Redirect" not in stolen.headers
        assert (await attacker.get(url_for("admin_staff"))).status_code in (302, 303)
        assert "HX-Redirect" in (await _poll(victim)).headers


async def test_unbound_card_is_refused_with_a_message_and_audited(ecard_app):
    async with client_for(ecard_app) as browser:
        qr = await _open_qr(browser)
        await _phone(ecard_app, qr, id_number=OTHER_CARD, name="路人")
        answer = await _poll(browser)
        assert "该电子社保卡未绑定工作人员账号" in answer.text and "HX-Redirect" not in answer.headers
        assert "刷新二维码" in answer.text and "every 2s" not in answer.text
    assert await AuditLog.exists().where(AuditLog.action == "ecard_login_refused")


async def test_inactive_account_is_refused(app, ecard_app):
    await make_staff(app, "bob", "Sunny#2026", ecard_id_number=CARD, active=False)
    async with client_for(ecard_app) as browser:
        qr = await _open_qr(browser)
        await _phone(ecard_app, qr)
        assert "该工作人员账号已停用" in (await _poll(browser)).text


async def test_cancel_on_the_phone_and_an_expired_code(app, ecard_app):
    async with client_for(ecard_app) as browser:
        qr = await _open_qr(browser)
        await _phone(ecard_app, qr, action="cancel")
        assert "您已在手机上取消登录" in (await _poll(browser)).text
        qr = await _open_qr(browser)
        await EcardSandboxScan.update({EcardSandboxScan.expires_at: datetime.now(UTC) - timedelta(seconds=1)}).where(
            EcardSandboxScan.qr_id == qr)
        assert "二维码已过期" in (await _poll(browser)).text


async def test_without_javascript_the_button_asks_once(app, ecard_app):
    await make_staff(app, "alice", "Sunny#2026", ecard_id_number=CARD)
    async with client_for(ecard_app) as browser:
        qr = await _open_qr(browser)
        waiting = await browser.post_form(url_for("login_ecard_check"), {})
        assert waiting.status_code == 200 and "请使用电子社保卡APP扫描二维码" in waiting.text
        await _phone(ecard_app, qr)
        done = await browser.post_form(url_for("login_ecard_check"), {})
        assert done.status_code == 303 and done.headers["location"] == "/"


async def test_phone_page_checks_the_id_number(ecard_app):
    async with client_for(ecard_app) as browser:
        qr = await _open_qr(browser)
        answer = await _phone(ecard_app, qr, id_number="460100198503150026")
        assert answer.status_code == 200 and "校验" in answer.text
        assert "请使用电子社保卡APP扫描二维码" not in (await _poll(browser)).text  # still only scanned


def test_signatures_cover_every_parameter_and_go_stale():
    params = ecard.signed(EcardSettings(mode="sandbox", app_secret="k"), qr_id="abc")
    assert ecard.signature_ok("k", params)
    assert not ecard.signature_ok("other", params)
    assert not ecard.signature_ok("k", {**params, "qr_id": "abd"})
    assert not ecard.signature_ok("k", params, now=time.time() + ecard.MAX_SKEW_S + 5)


async def test_the_platform_refuses_a_wrong_secret_and_the_page_says_so(app):
    settings = EcardSettings(mode="sandbox", app_secret="right", base_url=ecard_sandbox.IN_PROCESS_BASE)
    api = ecard_sandbox.create_api(settings, "http://portal.test")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url=ecard_sandbox.IN_PROCESS_BASE) as http:
        good = await ecard.EcardClient(settings, http).create()
        assert good.content == f"http://portal.test{ecard_sandbox.PHONE_PATH}?qr={good.qr_id}"
        with pytest.raises(ecard.EcardError):
            await ecard.EcardClient(dataclasses.replace(settings, app_secret="wrong"), http).create()
    broken = _ecard_app(app)
    broken.state.ecard_http = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(502)))
    async with client_for(broken) as browser:
        page = await browser.get(url_for("login_ecard"))
        assert page.status_code == 503 and "电子社保卡平台暂时无法访问" in page.text


async def test_admin_binds_and_unbinds_a_card_audited(app, client):
    await sign_in_admin(client)
    target = await make_staff(app, "carol", "Sunny#2026")
    await make_staff(app, "dave", "Sunny#2026", ecard_id_number=OTHER_CARD)
    url = url_for("admin_staff_ecard", uid=target["id"])
    bad = await client.post_form(url, {"ecard_id_number": "460100198503150026", "action": "bind"})
    assert bad.status_code == 200 and "校验" in bad.text
    taken = await client.post_form(url, {"ecard_id_number": OTHER_CARD.lower(), "action": "bind"})
    assert "已绑定其他工作人员账号" in taken.text
    empty = await client.post_form(url, {"ecard_id_number": "", "action": "bind"})
    assert "请填写持卡人身份证号" in empty.text
    done = await client.post_form(url, {"ecard_id_number": CARD, "action": "bind"})
    assert done.status_code == 303
    page = await client.page(url_for("admin_staff_edit", uid=target["id"]))
    assert "460100********0025" in page.find(attrs={"data-testid": "ecard-state"}).get_text()
    assert (await StaffUser.select(StaffUser.ecard_id_number).where(StaffUser.id == target["id"]).first()) == {
        "ecard_id_number": CARD}
    assert (await client.post_form(url, {"action": "unbind"})).status_code == 303
    assert (await StaffUser.select(StaffUser.ecard_id_number).where(StaffUser.id == target["id"]).first()) == {
        "ecard_id_number": None}
    actions = [r["action"] for r in await AuditLog.select(AuditLog.action).where(
        AuditLog.object_id == str(target["id"])).order_by(AuditLog.id)]
    assert actions[-2:] == ["staff_ecard_bind", "staff_ecard_unbind"]


async def test_binding_needs_the_staff_administration_permission(app, client):
    await client.sign_in_staff("nobody", permissions=["lc.review"])
    target = await make_staff(app, "carol", "Sunny#2026")
    answer = await client.post_form(url_for("admin_staff_ecard", uid=target["id"]),
                                    {"ecard_id_number": CARD, "action": "bind"})
    assert answer.status_code == 403
    assert (await StaffUser.select(StaffUser.ecard_id_number).where(StaffUser.id == target["id"]).first()) == {
        "ecard_id_number": None}
