"""Database helpers for tests: empty every non-reference table between tests."""

from __future__ import annotations

from piccolo.conf.apps import Finder
from piccolo.querystring import QueryString

from portal.db import current_engine, is_sqlite, write_transaction

# Loaded once from seeds/ by conftest and never changed by tests (a test that edits them restores them).
REFERENCE_TABLES = {"dict_entry", "holiday", "si_rate", "si_limit"}


def _tables():
    tables = Finder().get_table_classes()
    return [t for t in tables if t._meta.tablename not in REFERENCE_TABLES]


async def clean_database() -> None:
    engine = current_engine()
    tables = _tables()
    # Skip tables whose migration another engineer has not generated yet (the tree is shared mid-work).
    existing = await _existing_tables(engine)
    names = [t._meta.tablename for t in tables if t._meta.tablename in existing]
    if is_sqlite(engine):
        async with write_transaction():
            await engine.run_ddl("PRAGMA defer_foreign_keys = ON")
            for name in names:
                await engine.run_ddl(f'DELETE FROM "{name}"')
    else:
        await engine.run_ddl("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE")


async def _existing_tables(engine) -> set[str]:
    sql = (
        "SELECT name FROM sqlite_master WHERE type = 'table'"
        if is_sqlite(engine)
        else "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()"
    )
    return {r["name"] for r in await engine.run_querystring(QueryString(sql))}
