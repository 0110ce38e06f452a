"""PostgreSQL pools (issue #15): no reset statement after each pooled statement, and the keyed reads (session,
principal) on a pool whose prepared statements keep their plan while every other statement is planned for its
values."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal.db import current_engine, fetch, fetch_keyed, is_sqlite, write_transaction

ROOT = Path(__file__).resolve().parent.parent

# Session state a pooled connection would carry to the next request if the pool no longer resets it.
_OPENS = r"""(?<=[(\s=,])[rfb]?["']\s*"""  # a Python string that starts the statement (SQL keywords are upper case)
_SESSION_STATE = {
    "session-level advisory lock": re.compile(r"pg_(try_)?advisory_lock(_shared)?\s*\("),
    "LISTEN": re.compile(_OPENS + r"LISTEN\s"),
    "DECLARE … CURSOR": re.compile(_OPENS + r"DECLARE\s"),
    "session SET": re.compile(_OPENS + r"SET\s+(?!LOCAL\b)(SESSION\s+)?[a-z_]+\s*(=|TO\b)"),
    "set_config(…, false)": re.compile(r"set_config\s*\([^)]*false\s*\)", re.I),
}


def test_the_code_leaves_no_session_state_on_a_pooled_connection():
    """The pools skip asyncpg's reset (RESET ALL, UNLISTEN *, CLOSE ALL, advisory unlock): that is safe only while
    no statement the portal sends creates such state outside a transaction."""
    found = []
    for folder in ("portal", "domains", "sso"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            found += [f"{path.relative_to(ROOT)}: {what}" for what, pattern in _SESSION_STATE.items()
                      if pattern.search(text)]
    assert found == []


def test_the_check_above_sees_what_it_looks_for():
    samples = ["SELECT pg_advisory_lock(1)", "fetch('LISTEN jobs')", 'run("DECLARE c CURSOR FOR SELECT 1")',
               "q = 'SET statement_timeout = 5'", "(\"SET SESSION work_mem TO '64MB'\"",
               "SELECT set_config('x', '1', false)"]
    assert all(any(p.search(s) for p in _SESSION_STATE.values()) for s in samples)
    harmless = ["SELECT pg_advisory_xact_lock(1)", "'SET LOCAL statement_timeout = 5'", "'UPDATE t SET a = 1'",
                "f'UPDATE \"{table}\" SET a = {{}}'", "'declare them in a second Area'",
                "SELECT set_config('x', '1', true)"]
    assert not any(p.search(s) for s in harmless for p in _SESSION_STATE.values())


def _postgres_only() -> None:
    if is_sqlite(current_engine()):
        pytest.skip("PostgreSQL pools; SQLite has one engine-level read pool (tests/test_db_perf.py)")


async def _activity(pid: int) -> dict:
    """What backend `pid` runs or ran last, read on a connection of no pool (a pooled one could be `pid` itself)."""
    connection = await current_engine().get_new_connection()
    try:
        return dict(await connection.fetchrow("SELECT state, query FROM pg_stat_activity WHERE pid = $1", pid))
    finally:
        await connection.close()


async def _last_statement(pool, marker: str) -> str:
    """Run a marked statement on a connection of `pool`, hand it back, and read what that backend ran last."""
    async with pool.acquire() as connection:
        pid = await connection.fetchval(f"SELECT pg_backend_pid() AS {marker}")
    return (await _activity(pid))["query"]


async def test_a_pooled_connection_is_handed_back_without_a_reset_statement(app):
    _postgres_only()
    engine = current_engine()
    for pool in (engine.pool, engine.keyed_pool):
        last = await _last_statement(pool, "released_marker")
        assert "released_marker" in last, last  # asyncpg's default would show "SELECT pg_advisory_unlock_all() …"


async def test_a_transaction_left_open_is_still_rolled_back_on_release(app):
    _postgres_only()
    engine = current_engine()
    async with engine.pool.acquire() as connection:
        await connection.execute("BEGIN")
        await connection.execute("CREATE TEMP TABLE never_kept (x int) ON COMMIT DROP")
        pid = await connection.fetchval("SELECT pg_backend_pid()")
    assert (await _activity(pid))["state"] == "idle"  # not "idle in transaction"


async def test_keyed_reads_keep_their_plans_and_the_rest_are_planned_for_their_values(app):
    _postgres_only()
    setting = "SELECT current_setting('plan_cache_mode') AS mode"
    assert (await fetch_keyed(setting))[0]["mode"] == "auto"
    assert (await fetch(setting))[0]["mode"] == "force_custom_plan"
    async with write_transaction():  # inside a transaction a keyed read uses the transaction's connection
        assert (await fetch_keyed(setting))[0]["mode"] == "force_custom_plan"


async def test_keyed_reads_work_on_sqlite_as_plain_reads(app):
    rows = await fetch_keyed("SELECT {} + 1 AS n", 41)
    assert rows[0]["n"] == 42
