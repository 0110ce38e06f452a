"""Lockout under parallel guesses (issue #12 item 1): the attempt is counted before the password is checked."""

from __future__ import annotations

import asyncio

from portal.core.tables import AuditLog
from tests.support.factories import make_staff
from tests.support.staff import app_with, client_for, login

GUESSES = 40


def _count_verifies(app, calls: list[str]) -> None:
    passwords = app.state.passwords
    original = passwords.verify

    async def counting(stored_hash, password):
        calls.append(password)
        # Yield while "hashing", as argon2 in a thread does, so the requests really overlap.
        await asyncio.sleep(0.01)
        return await original(stored_hash, password)

    passwords.verify = counting


async def test_parallel_wrong_passwords_on_two_workers_check_at_most_five(app):
    await make_staff(app, "alice", "Alice#2026")
    second = app_with(app)
    calls: list[str] = []
    _count_verifies(app, calls)
    _count_verifies(second, calls)
    try:
        async with client_for(app) as one, client_for(second) as two:
            await one.csrf_token()
            await two.csrf_token()
            burst = [login(one if i % 2 else two, "alice", f"Wrong#{i:04d}") for i in range(GUESSES)]
            answers = await asyncio.gather(*burst)
            assert len(calls) <= 5, f"{len(calls)} passwords checked during a burst of {GUESSES}"
            assert sum("账户已锁定" in r.text for r in answers) >= GUESSES - 5
            # After the burst the account stays locked on both workers, even for the right password.
            for c in (one, two):
                late = await login(c, "alice", "Alice#2026")
                assert late.status_code == 200 and "账户已锁定" in late.text
            assert len(calls) <= 5
    finally:
        del app.state.passwords.verify
    assert await AuditLog.count().where(AuditLog.action == "staff_lockout") == 1


async def test_all_guesses_wrong_then_the_right_one_stays_locked(app):
    await make_staff(app, "bob", "Bobby#2026")
    calls: list[str] = []
    _count_verifies(app, calls)
    try:
        async with client_for(app) as c:
            await c.csrf_token()
            answers = await asyncio.gather(*[login(c, "bob", f"Wrong#{i:04d}") for i in range(GUESSES)])
            assert all(r.status_code == 200 for r in answers)
            assert len(calls) == 5
            late = await login(c, "bob", "Bobby#2026")
            assert "账户已锁定" in late.text
            assert len(calls) == 5
    finally:
        del app.state.passwords.verify
    assert await AuditLog.count().where(AuditLog.action == "staff_lockout") == 1
    assert await AuditLog.count().where(
        (AuditLog.action == "staff_login") & (AuditLog.result == "locked")
    ) == GUESSES - 5 + 1
