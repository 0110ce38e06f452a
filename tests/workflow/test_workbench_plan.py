"""The workbench's queue walk is planned on the covering queue index, with planner statistics present (#15)."""

from __future__ import annotations

import random
import sqlite3

import pytest

from portal.auth.principal import Principal
from portal.db import current_engine, is_sqlite, refresh_statistics
from portal.workflow import workbench
from portal.workflow.kinds import all_kinds
from portal.workflow.workbench import queue_query, walk_statement


async def test_queue_walk_reads_the_covering_index_after_analyze(app):
    engine = current_engine()
    if not is_sqlite(engine):
        pytest.skip("PostgreSQL keeps most-common-value statistics and plans the walk on the queue index")
    # A skewed queue, as in production: few matters wait, most are finished. sqlite_stat1 keeps only averages,
    # so after ANALYZE the planner used to prefer (state, kind, division_code) and sort every waiting matter.
    rnd = random.Random(15)
    kinds = ["lc_contract", "lc_employer_filing"]
    rows = [(i, f"T{i}", rnd.choice(kinds), "submitted" if i % 16 == 0 else "approved", "某某有限公司",
             f"4601{rnd.randrange(10):02d}", f"2026-{rnd.randrange(1, 13):02d}-{rnd.randrange(1, 28):02d}")
            for i in range(1, 20001)]
    with sqlite3.connect(engine.path) as conn:
        conn.executemany("INSERT INTO matter (id, number, kind, state, applicant_name, division_code, "
                         "promised_deadline) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    assert await refresh_statistics(full=True) == "analyze"
    staff = Principal(kind="staff", account_id=0, display_name="t",
                      permissions=frozenset(p for k in all_kinds() for p in k.staff_permissions),
                      scopes={"division": ("460000",)})
    # One state, as the default queue has today (test modules register kinds with more waiting states).
    query = await queue_query(staff, {"kind": "", "state": "submitted", "flag": "", "q": ""})
    for forward in (True, False):
        sql, args = walk_statement(query, forward=forward, limit=51).compile_string(engine_type="sqlite")
        with sqlite3.connect(engine.path) as conn:  # a new connection reads the new statistics
            plan = " | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, args))
        assert "matter_queue_cover_idx" in plan, plan
        assert "TEMP B-TREE" not in plan, plan


async def test_postgres_walks_the_deadline_order_from_the_index_alone(app):
    """Several waiting states: PostgreSQL reads deadline order from matter_deadline_cover_idx and tests state,
    kind and division on the index entries (on the 1M set it used to fetch ~790 table rows a page)."""
    from portal.db import fetch

    engine = current_engine()
    if is_sqlite(engine):
        pytest.skip("SQLite walks matter_queue_cover_idx per state (the test above)")
    rnd = random.Random(15)
    states = ["submitted", "accepted", "approved", "approved", "approved", "approved", "approved", "approved"]
    values = ", ".join(
        f"({i}, 'T{i}', '{rnd.choice(['lc_contract', 'lc_employer_filing'])}', '{rnd.choice(states)}', '某某有限公司', "
        f"'4601{rnd.randrange(10):02d}', DATE '2026-{rnd.randrange(1, 13):02d}-{rnd.randrange(1, 28):02d}')"
        for i in range(1, 20001))
    await engine.run_ddl("INSERT INTO matter (id, number, kind, state, applicant_name, division_code, "
                         f"promised_deadline) VALUES {values}")
    await engine.run_ddl("VACUUM ANALYZE matter")
    staff = Principal(kind="staff", account_id=0, display_name="t",
                      permissions=frozenset(p for k in all_kinds() for p in k.staff_permissions),
                      scopes={"division": ("460000",)})
    query = await queue_query(staff, {"kind": "", "state": "", "flag": "", "q": ""})
    walk = walk_statement(query, forward=True, limit=51)
    plan = " | ".join(r["QUERY PLAN"] for r in await fetch("EXPLAIN {}", walk))
    assert "Index Only Scan using matter_deadline_cover_idx" in plan, plan
    # the page's rows, every shown column included, from the same index alone: no primary-key lookups
    rows = walk_statement(query, forward=True, limit=51, select=workbench._SELECT_LIST)
    plan = " | ".join(r["QUERY PLAN"] for r in await fetch("EXPLAIN {}", rows))
    assert "Index Only Scan using matter_deadline_cover_idx" in plan and "matter_pkey" not in plan, plan
