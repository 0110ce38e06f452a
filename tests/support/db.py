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


async def schema_snapshot(tables: tuple[str, ...]) -> list[tuple]:
    """The indexes and constraints of `tables` as the database reports them, sorted: on SQLite the schema
    entries (a table's text holds its foreign keys); on PostgreSQL the indexes, the constraints with whether
    they were checked, and the foreign keys' triggers on both tables. For comparing a schema before and after
    something that drops and recreates them (seeds.bulk)."""
    engine = current_engine()
    names = ", ".join(f"'{t}'" for t in tables)  # table names of the code, never input
    if is_sqlite(engine):
        sql = f"SELECT type, name, tbl_name, sql FROM sqlite_master WHERE tbl_name IN ({names})"
    else:
        owned = f"conrelid IN (SELECT to_regclass(t) FROM unnest(ARRAY[{names}]) AS t)"
        sql = (
            "SELECT 'index' AS type, indexname AS name, tablename AS tbl_name, indexdef AS sql FROM pg_indexes"
            f" WHERE schemaname = current_schema() AND tablename IN ({names})"
            " UNION ALL SELECT 'constraint ' || contype::text, conname, conrelid::regclass::text,"
            " pg_get_constraintdef(oid) || CASE WHEN convalidated THEN '' ELSE ' NOT VALID' END"
            f" FROM pg_constraint WHERE {owned}"
            " UNION ALL SELECT 'trigger', c.conname, t.tgrelid::regclass::text, t.tgfoid::regproc::text || ' '"
            f" || t.tgtype FROM pg_trigger t JOIN pg_constraint c ON c.oid = t.tgconstraint WHERE c.{owned}"
        )
    return sorted(tuple(r.values()) for r in await engine.run_querystring(QueryString(sql)))
