"""Sessions: id and CSRF token rotate at login, unknown ids are never adopted, logout deletes, timeouts hold."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

from portal.auth.sessions import DatabaseStore, _hash_key
from portal.auth.tables import SessionRecord
from tests.support.factories import make_staff
from tests.support.staff import login
from tests.support.urls import url_for


def _set_cookie(response, name: str) -> str | None:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{name}="):
            return header
    return None


async def _whoami(client) -> bool:
    soup = await client.page(url_for("home"))
    return soup.find(attrs={"data-testid": "whoami"}) is not None


async def test_session_id_rotates_at_login(app, client):
    await make_staff(app, "alice", "Sunny#2026")
    # An anonymous visitor who already holds a real session (e.g. a pending SSO state).
    before = "pre-login-session-id-0123456789abcdefghij"
    await DatabaseStore().set(before, json.dumps({"sso_state": "x"}).encode(), expires_in=1800)
    client.cookies.set("portal_session", before, domain="testserver.local")
    response = await login(client, "alice", "Sunny#2026")
    after = client.cookies.get("portal_session")
    assert after and after != before
    assert not await SessionRecord.exists().where(SessionRecord.key == _hash_key(before))
    assert await SessionRecord.exists().where(SessionRecord.key == _hash_key(after))
    assert response.status_code == 303


async def test_csrf_token_rotates_at_login(app, client):
    await make_staff(app, "alice", "Sunny#2026")
    old_token = await client.csrf_token()
    response = await login(client, "alice", "Sunny#2026")
    cleared = _set_cookie(response, "csrftoken")
    assert cleared is not None and ("Max-Age=0" in cleared or "expires=" in cleared.lower())
    assert client.cookies.get("csrftoken") in (None, "")
    # The old token no longer works for the new session's forms once a fresh one is issued.
    await client.get(url_for("home"))
    assert client.cookies.get("csrftoken") and client.cookies.get("csrftoken") != old_token


async def test_unknown_session_id_is_never_adopted(app, client):
    await make_staff(app, "alice", "Sunny#2026")
    planted = "attacker-chosen-session-id-0123456789abcdef"
    client.cookies.set("portal_session", planted, domain="testserver.local")
    await login(client, "alice", "Sunny#2026")
    assert client.cookies.get("portal_session") != planted
    assert not await SessionRecord.exists().where(SessionRecord.key == _hash_key(planted))
    assert not await SessionRecord.exists().where(SessionRecord.key == planted)


async def test_logout_deletes_the_server_record(app, client):
    await make_staff(app, "alice", "Sunny#2026")
    await login(client, "alice", "Sunny#2026")
    session_id = client.cookies.get("portal_session")
    assert await SessionRecord.exists().where(SessionRecord.key == _hash_key(session_id))
    await client.get(url_for("home"))
    response = await client.post_form(url_for("logout"))
    assert response.status_code == 303
    assert not await SessionRecord.exists().where(SessionRecord.key == _hash_key(session_id))
    # Replaying the old cookie gets nothing.
    client.cookies.set("portal_session", session_id, domain="testserver.local")
    assert not await _whoami(client)


async def test_session_cookie_attributes(app, client):
    await make_staff(app, "alice", "Sunny#2026")
    response = await login(client, "alice", "Sunny#2026")
    cookie = _set_cookie(response, "portal_session")
    parts = {p.strip().split("=")[0].lower() for p in cookie.split(";")}
    assert {"httponly", "path", "samesite"} <= parts
    assert "samesite=lax" in cookie.lower() and "path=/" in cookie.lower()
    # A browser-session cookie: the server enforces idle and absolute limits, not the browser.
    assert "max-age" not in parts and "expires" not in parts
    assert "secure" not in parts  # plain HTTP in tests; behind HTTPS see test_secure_cookie_behind_https


async def test_secure_cookie_behind_https(app):
    from tests.support.client import PortalClient
    from tests.support.staff import app_with

    await make_staff(app, "alice", "Sunny#2026")
    async with PortalClient(app=app_with(app, https=True), base_url="https://testserver.local") as c:
        response = await login(c, "alice", "Sunny#2026")
        assert "secure" in _set_cookie(response, "portal_session").lower()


async def test_idle_timeout_thirty_minutes(app, client, monkeypatch):
    await make_staff(app, "alice", "Sunny#2026")
    await login(client, "alice", "Sunny#2026")
    assert await _whoami(client)
    real_now = datetime.now(UTC)
    # 29 minutes idle: still logged in, and the visit renews the expiry.
    monkeypatch.setattr("portal.auth.sessions._now", lambda: real_now + timedelta(minutes=29))
    assert await _whoami(client)
    # 29 + 29 minutes: alive, because the previous request renewed it.
    monkeypatch.setattr("portal.auth.sessions._now", lambda: real_now + timedelta(minutes=58))
    assert await _whoami(client)
    # 31 idle minutes after that: gone, and the record is deleted.
    monkeypatch.setattr("portal.auth.sessions._now", lambda: real_now + timedelta(minutes=58 + 31))
    assert not await _whoami(client)
    assert await SessionRecord.count() == 0


async def test_absolute_timeout_twelve_hours(app, client):
    await make_staff(app, "alice", "Sunny#2026")
    await login(client, "alice", "Sunny#2026")
    session_id = client.cookies.get("portal_session")
    row = await SessionRecord.select().where(SessionRecord.key == _hash_key(session_id)).first()
    data = json.loads(row["value"])
    data["auth_at"] = time.time() - 12 * 3600 + 60
    await SessionRecord.update({SessionRecord.value: json.dumps(data)}).where(SessionRecord.id == row["id"])
    assert await _whoami(client)  # 11 h 59 min: still valid although active all along
    data["auth_at"] = time.time() - 12 * 3600 - 1
    await SessionRecord.update({SessionRecord.value: json.dumps(data)}).where(SessionRecord.id == row["id"])
    assert not await _whoami(client)


async def test_pages_are_not_cached(app, client):
    await make_staff(app, "alice", "Sunny#2026")
    await login(client, "alice", "Sunny#2026")
    response = await client.get(url_for("password_change"))
    assert response.headers["cache-control"] == "no-store"


async def test_a_timed_out_user_is_told_why_on_the_login_page(app, client, other_client, monkeypatch):
    await make_staff(app, "alice", "Sunny#2026", permissions=["admin.dictionary"])
    await login(client, "alice", "Sunny#2026")
    assert (await client.get(url_for("dictionary_categories"))).status_code == 200
    real_now = datetime.now(UTC)
    monkeypatch.setattr("portal.auth.sessions._now", lambda: real_now + timedelta(minutes=31))
    response = await client.get(url_for("dictionary_categories", {"q": "1"}))
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fadmin%2Fdictionary%3Fq%3D1&reason=timeout"
    soup = await client.page(response.headers["location"])
    assert soup.find(attrs={"data-testid": "login-notice"}).get_text(strip=True) == "会话已超时，请重新登录。"
    # the expired cookie was cleared with that answer: no second message, and none for a visitor who never signed in
    response = await client.get(url_for("dictionary_categories"), headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"] == "/login?next=%2Fadmin%2Fdictionary"
    response = await other_client.get(url_for("dictionary_categories"))
    assert response.headers["location"] == "/login?next=%2Fadmin%2Fdictionary"
    assert (await other_client.page(url_for("login", {"reason": "<b>x"}))).find(attrs={"data-testid": "login-notice"}) is None


async def test_absolute_timeout_and_a_revoked_session_say_so(app, client):
    await make_staff(app, "alice", "Sunny#2026", permissions=["admin.dictionary"])
    await login(client, "alice", "Sunny#2026")
    row = await SessionRecord.select().where(SessionRecord.key == _hash_key(client.cookies.get("portal_session"))).first()
    data = json.loads(row["value"])
    data["auth_at"] = time.time() - 12 * 3600 - 1
    await SessionRecord.update({SessionRecord.value: json.dumps(data)}).where(SessionRecord.id == row["id"])
    response = await client.get(url_for("dictionary_categories"), headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"] == "/login?next=%2Fadmin%2Fdictionary&reason=timeout"
    await login(client, "alice", "Sunny#2026")
    from portal.auth.tables import StaffUser

    await StaffUser.update({StaffUser.active: False}).where(StaffUser.username == "alice")
    response = await client.get(url_for("dictionary_categories"))
    assert response.headers["location"].endswith("&reason=ended")
    soup = await client.page(response.headers["location"])
    assert "登录状态已失效" in soup.find(attrs={"data-testid": "login-notice"}).get_text()
