"""SECURITY 20 (error pages), 21 (security events in logs), 22 (append-only audit chain), log hygiene."""

from __future__ import annotations

import logging
import re

import pytest
from litestar import get

from portal import audit
from portal.auth.principal import PUBLIC
from portal.auth.redaction import UTCFormatter, redact
from portal.core.tables import AuditLog
from portal.refusal import Refused
from tests.support.client import check_page
from tests.support.factories import make_id_number, make_staff
from tests.support.staff import app_with, client_for, login, make_admin
from tests.support.urls import url_for

LEAKS = re.compile(r"Traceback|File \"|/work/|\.py\b|SELECT |INSERT |sqlite|asyncpg|Exception", re.I)


def _assert_error_page(response, status: int, words: str) -> None:
    assert response.status_code == status
    assert words in response.text
    correlation = response.headers["x-correlation-id"]
    assert correlation and correlation in response.text
    assert not LEAKS.search(response.text), LEAKS.search(response.text)
    check_page(response.text)


async def test_400_page(app, client):
    admin = await make_admin(app)
    await client.sign_in("staff", uid=admin["id"])
    _assert_error_page(await client.get(url_for("admin_staff", {"page": "abc"})), 400, "请求有误")


async def test_403_page(app, client):
    await client.sign_in_staff("clerk", "Sunny#2026")
    _assert_error_page(await client.get(url_for("admin_audit")), 403, "无权访问")


async def test_404_page(client):
    _assert_error_page(await client.get("/admin/../no/such/page"), 404, "页面不存在")


async def test_405_page(client):
    _assert_error_page(await client.get(url_for("logout")), 405, "操作不被允许")


async def test_500_page_hides_the_exception(app):
    # A test-only app instance with a failing route: production apps have no such route.
    broken = app_with(app)

    @get("/_test/boom", name="test_boom", opt=PUBLIC)
    async def boom() -> None:
        raise RuntimeError("SELECT password_hash FROM staff_user at /work/main/portal/secret.py")

    broken.register(boom)
    async with client_for(broken) as c:
        response = await c.get("/_test/boom")
    _assert_error_page(response, 500, "系统繁忙")
    assert "password_hash" not in response.text


async def test_an_uncaught_refusal_is_a_409_page_with_its_message(app):
    # A rule refusing outside any form (e.g. a state changed under the user) must say why, not 系统繁忙.
    broken = app_with(app)

    @get("/_test/refused", name="test_refused", opt=PUBLIC)
    async def refused() -> None:
        raise Refused("该办件已被其他工作人员处理")

    broken.register(refused)
    async with client_for(broken) as c:
        response = await c.get("/_test/refused")
    _assert_error_page(response, 409, "该办件已被其他工作人员处理")


async def test_security_events_reach_the_log_with_who_where_what(app, client, caplog):
    await make_staff(app, "alice", "Sunny#2026")
    with caplog.at_level(logging.INFO, logger="portal.security"):
        for _ in range(5):
            await login(client, "alice", "wrong")
        await client.post(url_for("elder_mode"), data={})
    lines = [r for r in caplog.records if r.name == "portal.security"]
    failed = [r.getMessage() for r in lines if "action=staff_login" in r.getMessage()]
    assert failed and all("result=failed" in m and "ip=127.0.0.1" in m and "object=staff:alice" in m for m in failed)
    assert any("action=staff_lockout" in r.getMessage() and "result=locked" in r.getMessage() for r in lines)
    assert any("action=permission_denied" in r.getMessage() for r in lines)
    stamp = UTCFormatter("%(asctime)s %(message)s").format(lines[0])
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ", stamp)
    row = await AuditLog.select().where(AuditLog.action == "staff_lockout").first()
    assert row["at"].utcoffset().total_seconds() == 0
    assert row["ip"] == "127.0.0.1" and row["actor_name"] == "alice" and row["result"] == "locked"


async def test_no_secret_reaches_any_log_line_during_login(app, client, caplog):
    await make_staff(app, "alice", "Sunny#2026")
    id_number = make_id_number()
    token = await client.csrf_token()
    with caplog.at_level(logging.DEBUG):
        await login(client, "alice", "Sunny#2026", next=url_for("home", {"id": id_number}))
        session_id = client.cookies.get("portal_session")
        await client.get(url_for("admin_staff", {"q": id_number}))
        logging.getLogger("uvicorn.access").info(
            '127.0.0.1 - "POST /login/staff?password=Sunny#2026 HTTP/1.1" cookie: portal_session=%s; csrftoken=%s',
            session_id, token,
        )
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert caplog.records
    for secret in ("Sunny#2026", session_id, token, id_number):
        assert secret not in text, secret


def test_redaction_rules():
    assert redact("password=abc123 next") == "password=*** next"
    assert redact('{"password": "s3cret"}') == '{"password": "***"}'
    assert redact("x-csrftoken: abcdef") == "x-csrftoken: ***"
    assert redact("id 460105199001011234 done") == "id 460105********1234 done"
    assert redact("order 12345 ok") == "order 12345 ok"


async def test_audit_chain_detects_edits_deletions_and_forged_rows():
    for i in range(4):
        await audit.record(category="admin", action=f"step{i}", actor_name="管理员")
    assert await audit.verify_chain() == (True, None)
    rows = await AuditLog.select().order_by(AuditLog.id)
    await AuditLog.update({AuditLog.result: "ok-edited"}).where(AuditLog.id == rows[1]["id"])
    assert await audit.verify_chain() == (False, rows[1]["id"])
    await AuditLog.update({AuditLog.result: rows[1]["result"]}).where(AuditLog.id == rows[1]["id"])
    assert await audit.verify_chain() == (True, None)
    await AuditLog.delete().where(AuditLog.id == rows[2]["id"])
    assert await audit.verify_chain() == (False, rows[3]["id"])


@pytest.mark.parametrize("n", [10])
async def test_ten_concurrent_writers_no_database_locked(app, n):
    """SECURITY 25: logins (session, failure, audit rows) and audit appends at once; the chain stays whole."""
    import asyncio

    for i in range(n):
        await make_staff(app, f"user{i}", "Sunny#2026")

    async def one(i: int) -> int:
        async with client_for(app) as c:
            r = await login(c, f"user{i}", "Sunny#2026" if i % 2 else "wrong")
            await audit.record(category="admin", action=f"concurrent{i}", actor_name=f"w{i}")
            return r.status_code

    statuses = await asyncio.gather(*(one(i) for i in range(n)))
    assert sorted(statuses) == [200] * (n // 2) + [303] * (n - n // 2)
    assert await AuditLog.count().where(AuditLog.action.like("concurrent%")) == n
    assert await audit.verify_chain() == (True, None)
