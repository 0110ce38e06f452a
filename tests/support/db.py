"""Database helpers for tests: empty every non-reference table between tests."""

from __future__ import annotations

from piccolo.conf.apps import Finder

from portal.db import current_engine, is_sqlite, write_transaction

# Loaded once from seeds/ by conftest and never changed by tests (a test that edits them restores them).
REFERENCE_TABLES = {"dict_entry", "holiday"}


def _tables():
    tables = Finder().get_table_classes()
    return [t for t in tables if t._meta.tablename not in REFERENCE_TABLES]


async def clean_database() -> None:
    engine = current_engine()
    tables = _tables()
    names = [t._meta.tablename for t in tables]
    if is_sqlite(engine):
        async with write_transaction():
            await engine.run_ddl("PRAGMA defer_foreign_keys = ON")
            for name in names:
                await engine.run_ddl(f'DELETE FROM "{name}"')
    else:
        await engine.run_ddl("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE")
