"""A changed password ends the user's other sessions; an admin reset also unlocks; the 解锁 action (issue #12 item 2)."""

from __future__ import annotations

from portal.core.tables import AuditLog
from tests.support.factories import make_staff
from tests.support.staff import client_for, login, make_admin
from tests.support.urls import url_for


async def _signed_in(app, username: str, password: str):
    c = client_for(app)
    await c.__aenter__()
    assert (await login(c, username, password)).status_code == 303
    assert (await c.get(url_for("password_change"))).status_code == 200
    return c


async def test_own_password_change_ends_the_other_sessions_and_keeps_this_one(app):
    await make_staff(app, "alice", "Sunny#2026")
    laptop = await _signed_in(app, "alice", "Sunny#2026")
    phone = await _signed_in(app, "alice", "Sunny#2026")
    try:
        done = await laptop.post_form(
            url_for("password_change"),
            {"current_password": "Sunny#2026", "new_password": "Newpass#2027", "confirm_password": "Newpass#2027"},
        )
        assert done.status_code == 303
        assert (await laptop.get(url_for("password_change"))).status_code == 200
        gone = await phone.get(url_for("password_change"))
        assert gone.status_code == 303 and gone.headers["location"].startswith(url_for("login"))
        # A fresh login with the new password works again.
        again = client_for(app)
        async with again:
            assert (await login(again, "alice", "Newpass#2027")).status_code == 303
            assert (await again.get(url_for("password_change"))).status_code == 200
    finally:
        await laptop.__aexit__(None, None, None)
        await phone.__aexit__(None, None, None)


async def test_admin_reset_ends_the_users_sessions_and_unlocks(app, client):
    user = await make_staff(app, "alice", "Sunny#2026")
    session = await _signed_in(app, "alice", "Sunny#2026")
    try:
        async with client_for(app) as attacker:
            for _ in range(5):
                await login(attacker, "alice", "bad")
            assert "账户已锁定" in (await login(attacker, "alice", "Sunny#2026")).text
        admin = await make_admin(app)
        await client.sign_in("staff", uid=admin["id"])
        soup = await client.page(url_for("admin_staff_edit", uid=user["id"]))
        assert "已锁定" in soup.find(attrs={"data-testid": "lock-state"}).get_text()
        page = await client.post_form(url_for("admin_staff_reset_password", uid=user["id"]))
        assert page.status_code == 200
        assert (await session.get(url_for("password_change"))).status_code == 303
        temporary = _temporary_password(page.text)
        async with client_for(app) as fresh:
            r = await login(fresh, "alice", temporary)
            assert r.status_code == 303 and r.headers["location"].startswith(url_for("password_change"))
    finally:
        await session.__aexit__(None, None, None)


def _temporary_password(html: str) -> str:
    from bs4 import BeautifulSoup

    node = BeautifulSoup(html, "html.parser").find(attrs={"data-testid": "temp-password"})
    assert node is not None, html[:500]
    return node.get_text(strip=True)


async def test_unlock_action_is_a_permission_checked_audited_post(app, client, other_client):
    user = await make_staff(app, "alice", "Sunny#2026")
    for _ in range(5):
        await login(other_client, "alice", "bad")
    await client.sign_in_staff("clerk", "Clerk#2026", permissions=["lc.review"])
    assert (await client.post_form(url_for("admin_staff_unlock", uid=user["id"]))).status_code == 403
    admin = await make_admin(app)
    await client.sign_in("staff", uid=admin["id"])
    # Without the CSRF token the action is refused.
    assert (await client.post(url_for("admin_staff_unlock", uid=user["id"]))).status_code == 403
    soup = await client.page(url_for("admin_staff_edit", uid=user["id"]))
    form = soup.find("form", attrs={"action": url_for("admin_staff_unlock", uid=user["id"])})
    assert form is not None and form.find("button").get_text(strip=True) == "解锁"
    done = await client.post_form(url_for("admin_staff_unlock", uid=user["id"]))
    assert done.status_code == 303 and done.headers["location"].endswith("?unlocked=1")
    after = await client.page(done.headers["location"])
    assert "账户已解锁" in after.get_text() and "正常" in after.find(attrs={"data-testid": "lock-state"}).get_text()
    assert after.find("form", attrs={"action": url_for("admin_staff_unlock", uid=user["id"])}) is None
    rows = await AuditLog.select().where(AuditLog.action == "staff_unlock")
    assert len(rows) == 1 and rows[0]["object_id"] == str(user["id"]) and rows[0]["actor_id"] == admin["id"]
    assert (await login(other_client, "alice", "Sunny#2026")).status_code == 303
    assert (await client.post_form(f"/admin/staff/{user['id'] + 999}/unlock")).status_code == 404


async def test_a_password_reset_during_the_totp_step_ends_the_half_session(app):
    import pyotp

    from portal.auth.staff import reset_password
    from tests.support.staff import app_with

    secret = pyotp.random_base32()
    user = await make_staff(app, "alice", "Sunny#2026", totp_secret=secret)
    admin = await make_admin(app)
    async with client_for(app_with(app, staff_2fa=True)) as c:
        assert (await login(c, "alice", "Sunny#2026")).headers["location"] == url_for("login_totp")
        from tests.workflow.support import staff_principal

        await reset_password(app.state.passwords, staff_principal(admin["id"], ["admin.staff"]), "", user["id"])
        r = await c.post_form(url_for("login_totp"), {"code": pyotp.TOTP(secret).now()})
        assert r.status_code == 303 and r.headers["location"].startswith(url_for("login"))
        assert (await c.get(url_for("login_totp"))).headers["location"].startswith(url_for("login"))
