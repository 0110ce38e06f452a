"""TOTP second factor: enrolment by QR code, a half-authenticated step, codes never accepted twice."""

from __future__ import annotations

import time

import pyotp
import pytest

from portal.auth import login as rules
from portal.auth.tables import StaffUser, UsedToken
from portal.core.tables import AuditLog
from tests.support.factories import make_staff
from tests.support.staff import app_with, client_for, login
from tests.support.urls import url_for


@pytest.fixture
async def twofa(app):
    async with client_for(app_with(app, staff_2fa=True)) as c:
        yield c


async def _whoami(client) -> bool:
    soup = await client.page(url_for("home"))
    return soup.find(attrs={"data-testid": "whoami"}) is not None


async def test_enrolment_by_qr_code_then_login(app, twofa):
    await make_staff(app, "alice", "Sunny#2026", permissions=["admin.staff"])
    response = await login(twofa, "alice", "Sunny#2026", next=url_for("admin_staff"))
    assert response.status_code == 303 and response.headers["location"] == url_for("login_totp")
    # Half-authenticated: no Principal yet, guarded pages still send the user to the login page.
    assert not await _whoami(twofa)
    assert (await twofa.get(url_for("admin_staff"))).headers["location"].startswith(url_for("login"))
    soup = await twofa.page(url_for("login_totp"))
    img = soup.find("img", attrs={"data-testid": "totp-qr"})
    assert img["src"].startswith("data:image/svg+xml")
    secret = soup.find(attrs={"data-testid": "totp-secret"}).get_text(strip=True)
    # The same secret on a reload (it lives in the session until enrolment completes).
    again = await twofa.page(url_for("login_totp"))
    assert again.find(attrs={"data-testid": "totp-secret"}).get_text(strip=True) == secret
    done = await twofa.post_form(url_for("login_totp"), {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 303 and done.headers["location"] == url_for("admin_staff")
    assert await _whoami(twofa)
    user = await StaffUser.select(StaffUser.totp_secret).first()
    assert user["totp_secret"] == secret
    assert await AuditLog.exists().where(AuditLog.action == "totp_enrol")


async def test_a_code_cannot_be_used_twice(app, twofa):
    secret = pyotp.random_base32()
    await make_staff(app, "alice", "Sunny#2026", totp_secret=secret)
    code = pyotp.TOTP(secret).now()
    await login(twofa, "alice", "Sunny#2026")
    assert (await twofa.post_form(url_for("login_totp"), {"code": code})).status_code == 303
    await twofa.get(url_for("home"))
    await twofa.post_form(url_for("logout"))
    await login(twofa, "alice", "Sunny#2026")
    replay = await twofa.post_form(url_for("login_totp"), {"code": code})
    assert replay.status_code == 200 and "验证码不正确或已使用" in replay.text
    assert not await _whoami(twofa)


async def test_wrong_codes_count_towards_the_lockout(app, twofa):
    secret = pyotp.random_base32()
    await make_staff(app, "alice", "Sunny#2026", totp_secret=secret)
    await login(twofa, "alice", "Sunny#2026")
    wrong = f"{(int(pyotp.TOTP(secret).now()) + 500_000) % 1_000_000:06d}"
    for _ in range(4):
        r = await twofa.post_form(url_for("login_totp"), {"code": wrong})
        assert "验证码不正确" in r.text
    r = await twofa.post_form(url_for("login_totp"), {"code": wrong})
    assert "账户已锁定" in r.text
    # The half-authenticated session is gone: the TOTP page sends the user back to the password step.
    assert (await twofa.get(url_for("login_totp"))).headers["location"].startswith(url_for("login"))


async def test_bad_format_gets_a_field_message(app, twofa):
    await make_staff(app, "alice", "Sunny#2026", totp_secret=pyotp.random_base32())
    await login(twofa, "alice", "Sunny#2026")
    r = await twofa.post_form(url_for("login_totp"), {"code": "12ab"})
    assert "请输入6位数字验证码" in r.text and 'value="12ab"' in r.text


async def test_half_authenticated_state_expires(app, twofa, monkeypatch):
    secret = pyotp.random_base32()
    await make_staff(app, "alice", "Sunny#2026", totp_secret=secret)
    await login(twofa, "alice", "Sunny#2026")
    later = time.time() + rules.PENDING_TTL_S + 1
    monkeypatch.setattr("portal.pages.login_controllers.time.time", lambda: later)
    r = await twofa.post_form(url_for("login_totp"), {"code": pyotp.TOTP(secret).now()})
    assert r.status_code == 303 and r.headers["location"].startswith(url_for("login"))


async def test_totp_rule_accepts_one_step_of_drift_and_records_the_step():
    secret = pyotp.random_base32()
    totp = pyotp.TOTP(secret)
    now = time.time()
    previous = totp.at(now - 30)
    assert await rules.verify_totp(7, secret, previous, at=now)
    assert not await rules.verify_totp(7, secret, previous, at=now)
    assert not await rules.verify_totp(7, secret, totp.at(now - 120), at=now)
    assert await UsedToken.count().where(UsedToken.owner == 7) == 1
