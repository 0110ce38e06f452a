"""Staff login: lockout per account shared by workers, no user enumeration, forced password change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portal.auth.tables import LoginThrottle, StaffUser
from portal.core.tables import AuditLog
from tests.support.factories import make_staff
from tests.support.staff import app_with, client_for, login, without_tokens
from tests.support.urls import url_for


async def test_right_password_logs_in_and_lands_on_next(app, client):
    await make_staff(app, "alice", "Alice#2026")
    response = await login(client, "alice", "Alice#2026", next=url_for("admin_staff", {"q": "x"}))
    assert response.status_code == 303
    assert response.headers["location"] == url_for("admin_staff", {"q": "x"})
    row = await AuditLog.select().where(AuditLog.action == "staff_login").first()
    assert row["result"] == "ok" and row["actor_name"] == "alice"


async def test_wrong_password_keeps_username_and_says_so(app, client):
    await make_staff(app, "alice", "Alice#2026")
    response = await login(client, "alice", "wrong")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.text
    assert 'value="alice"' in response.text
    assert "wrong" not in response.text


async def test_empty_fields_get_messages_next_to_fields(client):
    response = await login(client, "", "")
    assert "请填写用户名" in response.text and "请填写密码" in response.text
    assert 'href="#f-username"' in response.text


async def test_five_failures_lock_the_account_for_fifteen_minutes(app, client):
    await make_staff(app, "alice", "Alice#2026")
    for _ in range(4):
        assert "用户名或密码错误" in (await login(client, "alice", "bad")).text
    fifth = await login(client, "alice", "bad")
    assert "账户已锁定" in fifth.text
    # Even the right password is refused while locked.
    locked = await login(client, "alice", "Alice#2026")
    assert locked.status_code == 200 and "账户已锁定" in locked.text
    lockouts = await AuditLog.select().where(AuditLog.action == "staff_lockout")
    assert len(lockouts) == 1 and lockouts[0]["object_id"] == "alice"
    assert await AuditLog.count().where((AuditLog.action == "staff_login") & (AuditLog.result == "locked")) == 1
    # Fifteen minutes after the lockout the window is over.
    await LoginThrottle.update({LoginThrottle.window_start: datetime.now(UTC) - timedelta(minutes=16)}, force=True)
    assert (await login(client, "alice", "Alice#2026")).status_code == 303


async def test_success_resets_the_failure_count(app, client):
    await make_staff(app, "alice", "Alice#2026")
    for _ in range(4):
        await login(client, "alice", "bad")
    assert (await login(client, "alice", "Alice#2026")).status_code == 303
    assert await LoginThrottle.count() == 0


async def test_lockout_is_shared_by_every_worker(app, client):
    await make_staff(app, "alice", "Alice#2026")
    second_worker = app_with(app)
    for _ in range(3):
        await login(client, "alice", "bad")
    async with client_for(second_worker) as other:
        for _ in range(2):
            await login(other, "alice", "bad")
        assert "账户已锁定" in (await login(other, "alice", "Alice#2026")).text
    assert "账户已锁定" in (await login(client, "alice", "Alice#2026")).text


async def test_unknown_user_and_wrong_password_look_the_same(app, client, other_client):
    await make_staff(app, "alice", "Alice#2026")
    calls: list[str | None] = []
    passwords = app.state.passwords
    original = passwords.verify

    async def counting(stored_hash, password):
        calls.append(stored_hash)
        return await original(stored_hash, password)

    passwords.verify = counting
    try:
        wrong = await login(client, "alice", "Wrong#2026")
        unknown = await login(other_client, "nobody", "Wrong#2026")
    finally:
        passwords.verify = original
    assert wrong.status_code == unknown.status_code == 200
    body = without_tokens(wrong.text).replace('value="alice"', 'value="X"')
    assert body == without_tokens(unknown.text).replace('value="nobody"', 'value="X"')
    # One argon2 verification each: the unknown name is checked against the dummy hash, so time is alike.
    assert len(calls) == 2 and calls[0] and calls[1] is None


async def test_unknown_names_lock_exactly_like_real_ones(client):
    for _ in range(5):
        response = await login(client, "ghost", "bad")
    assert "账户已锁定" in response.text


async def test_deactivated_user_cannot_log_in(app, client):
    await make_staff(app, "alice", "Alice#2026", active=False)
    assert "用户名或密码错误" in (await login(client, "alice", "Alice#2026")).text


async def test_deactivating_ends_existing_sessions_at_once(app, client):
    user = await make_staff(app, "alice", "Alice#2026")
    await login(client, "alice", "Alice#2026")
    assert (await client.get(url_for("password_change"))).status_code == 200
    await StaffUser.update({StaffUser.active: False}).where(StaffUser.id == user["id"])
    assert (await client.get(url_for("password_change"))).status_code == 303


async def test_admin_reset_forces_a_password_change_everywhere(app, client):
    await make_staff(app, "alice", "Alice#2026", must_change_password=True, permissions=["admin.staff"])
    response = await login(client, "alice", "Alice#2026", next=url_for("admin_staff"))
    assert response.headers["location"].startswith(url_for("password_change", {"next": ""}))
    for path in (url_for("home"), url_for("admin_staff"), url_for("login")):
        r = await client.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith(url_for("password_change")), path
    r = await client.get(url_for("admin_staff"), headers={"HX-Request": "true"})
    assert r.headers["hx-redirect"].startswith(url_for("password_change"))
    soup = await client.page(url_for("password_change"))
    assert soup.find(attrs={"data-testid": "forced-change"})
    done = await client.post_form(
        url_for("password_change"),
        {"current_password": "Alice#2026", "new_password": "Newpass#2027", "confirm_password": "Newpass#2027",
         "next": url_for("admin_staff")},
    )
    assert done.status_code == 303 and done.headers["location"] == url_for("admin_staff")
    assert (await client.get(url_for("admin_staff"))).status_code == 200
    row = await StaffUser.select(StaffUser.must_change_password).first()
    assert row["must_change_password"] is False


async def test_logout_is_reachable_while_a_change_is_pending(app, client):
    await make_staff(app, "alice", "Alice#2026", must_change_password=True)
    await login(client, "alice", "Alice#2026")
    await client.get(url_for("password_change"))  # the page a browser lands on; it sets the new CSRF cookie
    response = await client.post_form(url_for("logout"))
    assert response.status_code == 303 and response.headers["location"] == url_for("home")


async def test_old_password_forces_change_under_dengbao_only(app):
    old = datetime.now(UTC) - timedelta(days=91)
    user = await make_staff(app, "alice", "Alice#2026-long")
    await StaffUser.update({StaffUser.password_changed_at: old}).where(StaffUser.id == user["id"])
    async with client_for(app_with(app, password_policy="dengbao")) as c:
        response = await login(c, "alice", "Alice#2026-long")
        assert response.headers["location"].startswith(url_for("password_change"))
        assert (await c.get(url_for("home"))).headers["location"].startswith(url_for("password_change"))
    async with client_for(app_with(app, password_policy="asvs")) as c:
        response = await login(c, "alice", "Alice#2026-long")
        assert response.headers["location"] == url_for("home")


async def test_password_change_page_checks_current_confirm_and_policy(app, client):
    await make_staff(app, "alice", "Sunny#2026")
    await login(client, "alice", "Sunny#2026")

    async def change(current, new, confirm):
        r = await client.post_form(
            url_for("password_change"), {"current_password": current, "new_password": new, "confirm_password": confirm}
        )
        assert r.status_code == 200
        return r.text

    assert "当前密码不正确" in await change("nope", "Newpass#2027", "Newpass#2027")
    assert "两次输入的新密码不一致" in await change("Sunny#2026", "Newpass#2027", "Newpass#2028")
    assert "至少3类" in await change("Sunny#2026", "alllowercase", "alllowercase")
    assert "不能包含用户名" in await change("Sunny#2026", "Alice#2027x", "Alice#2027x")
    assert "不能与当前密码相同" in await change("Sunny#2026", "Sunny#2026", "Sunny#2026")


async def test_asvs_policy_applies_on_the_change_page(app):
    await make_staff(app, "alice", "Alice#2026")
    async with client_for(app_with(app, password_policy="asvs")) as c:
        await login(c, "alice", "Alice#2026")
        r = await c.post_form(
            url_for("password_change"),
            {"current_password": "Alice#2026", "new_password": "Passw0rd!", "confirm_password": "Passw0rd!"},
        )
        assert "至少12位" in r.text and "泄露" in r.text
        ok = await c.post_form(
            url_for("password_change"),
            {"current_password": "Alice#2026", "new_password": "correct horse battery", "confirm_password":
             "correct horse battery"},
        )
        assert ok.status_code == 303


async def test_failures_outside_the_window_are_pruned(app, client):
    await LoginThrottle.insert(
        LoginThrottle(account="staff:old", attempts=5, window_start=datetime.now(UTC) - timedelta(hours=1))
    )
    await login(client, "someone", "bad")
    assert [r["account"] for r in await LoginThrottle.select(LoginThrottle.account)] == ["staff:someone"]


async def test_a_weaker_hash_is_upgraded_at_login(app, client):
    from argon2 import PasswordHasher

    user = await make_staff(app, "alice", "Sunny#2026")
    weak = PasswordHasher(time_cost=1, memory_cost=1024).hash("Sunny#2026")
    await StaffUser.update({StaffUser.password_hash: weak}).where(StaffUser.id == user["id"])
    assert (await login(client, "alice", "Sunny#2026")).status_code == 303
    stored = (await StaffUser.select(StaffUser.password_hash).first())["password_hash"]
    assert stored != weak and not app.state.passwords.needs_rehash(stored)
