"""SQLite read pool (bounded, no throw-away connections) and planner statistics (issue #15 items 1 and 3)."""

from __future__ import annotations

import asyncio
import os
import sqlite3

import pytest

from portal.db import PortalSQLiteEngine, current_engine, is_sqlite, refresh_statistics
from portal.settings import Settings

SLOW = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) SELECT COUNT(*) AS c FROM n"


def _engine(tmp_path, **kw) -> PortalSQLiteEngine:
    path = tmp_path / "pool.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, state TEXT, kind TEXT, due TEXT)")
        conn.execute("CREATE INDEX item_state_kind ON item (state, kind)")
        conn.execute("CREATE INDEX item_state_due ON item (state, due, id)")
        conn.execute("CREATE TABLE empty (id INTEGER PRIMARY KEY, x TEXT)")
        conn.execute("CREATE INDEX empty_x ON empty (x)")
    return PortalSQLiteEngine(path=str(path), timeout=5, **kw)


async def test_read_pool_never_opens_more_than_its_size(tmp_path):
    engine = _engine(tmp_path, read_pool_size=3)
    engine.open_read_pool()
    try:
        results = await asyncio.gather(*(engine._run_in_new_connection(SLOW) for _ in range(24)))
        assert [r[0]["c"] for r in results] == [20000] * 24
        # 24 concurrent reads share 3 connections: the others waited instead of opening throw-away ones
        assert engine.opened <= 3
        assert len(engine._idle) == engine.opened
        await asyncio.gather(*(engine._run_in_new_connection("SELECT 1 AS one") for _ in range(10)))
        assert engine.opened <= 3
    finally:
        await engine.close_read_pool()


def test_read_pool_size_is_a_setting(monkeypatch):
    monkeypatch.setenv("PORTAL_SQLITE_READ_POOL", "32")
    assert Settings.from_env().database.sqlite_read_pool == 32
    monkeypatch.delenv("PORTAL_SQLITE_READ_POOL")
    assert Settings.from_env().database.sqlite_read_pool == min(8, max(2, os.cpu_count() or 2))  # one per core


async def test_statistics_are_created_when_missing_then_only_optimised(tmp_path):
    engine = _engine(tmp_path)
    with sqlite3.connect(engine.path) as conn:
        conn.executemany("INSERT INTO item (state, kind, due) VALUES (?, ?, ?)",
                         [("submitted" if i % 10 else "approved", f"k{i % 3}", f"2026-12-{i % 28 + 1:02d}")
                          for i in range(3000)])
    assert await refresh_statistics(engine) == "analyze_sampled"
    with sqlite3.connect(engine.path) as conn:
        stats = {idx for (idx,) in conn.execute("SELECT idx FROM sqlite_stat1")}
    assert {"item_state_kind", "item_state_due"} <= stats
    # Current statistics (the empty table needs none): the periodic pass is only PRAGMA optimize.
    assert await refresh_statistics(engine) == "optimize"
    assert await refresh_statistics(engine, full=True) == "analyze"


async def test_cleanup_pass_leaves_statistics_for_tables_with_rows(app):
    from portal.dataservices.cleanup import cleanup
    from tests.support.factories import make_employer

    engine = current_engine()
    if not is_sqlite(engine):
        pytest.skip("PostgreSQL keeps its statistics with autovacuum")
    await make_employer()
    if await engine._run_in_new_connection("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'"):
        await engine._run_in_new_connection("DELETE FROM sqlite_stat1 WHERE tbl = 'employer'")
    await cleanup()
    rows = await engine._run_in_new_connection("SELECT idx FROM sqlite_stat1 WHERE tbl = 'employer'")
    assert rows
