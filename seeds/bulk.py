"""Bulk loading for generated data: one transaction, executemany on raw sqlite3, COPY through asyncpg on PostgreSQL."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterable, Sequence
from typing import Any

from piccolo.engine.base import Engine
from piccolo.table import Table

from portal.db import current_engine, is_sqlite


class BulkLoader:
    """One transaction for the whole load: executemany on raw sqlite3, COPY through asyncpg on PostgreSQL."""

    def __init__(self, engine: Engine | None = None) -> None:
        self.engine = engine or current_engine()
        self.sqlite = is_sqlite(self.engine)
        self.counts: dict[str, int] = {}
        self.seconds: dict[str, float] = {}
        self.deferred: list[str] = []
        self.deferred_keys: list[str] = []
        self.deferred_fts: list[str] = []
        self.buffers: dict[type[Table], list[dict[str, Any]]] = {}

    async def __aenter__(self) -> BulkLoader:
        if self.sqlite:
            self.conn = sqlite3.connect(self.engine.path, timeout=60, isolation_level=None)
            # Connection-level only: the file keeps WAL; a crash mid-load loses just this load.
            self.conn.execute("PRAGMA synchronous = OFF")
            self.conn.execute("PRAGMA cache_size = -200000")
            self.conn.execute("PRAGMA foreign_keys = OFF")
            self.conn.execute("BEGIN IMMEDIATE")
        else:
            self.conn = await self.engine.get_new_connection()
            self.txn = self.conn.transaction()
            await self.txn.start()
            # This transaction only: the INSERT … SELECTs' sorts and the index rebuilds and key checks of
            # restore_indexes() in memory rather than in temporary files (the defaults are 4 MB and 64 MB).
            await self.conn.execute("SET LOCAL work_mem = '256MB'")
            await self.conn.execute("SET LOCAL maintenance_work_mem = '1GB'")
        return self

    async def __aexit__(self, exc_type, exc, tb) -> None:
        try:
            if self.sqlite:
                self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
            elif exc_type:
                await self.txn.rollback()
            else:
                await self.txn.commit()
        finally:
            if self.sqlite:
                self.conn.close()
            else:
                await self.conn.close()

    async def scalar(self, sql: str) -> Any:
        if self.sqlite:
            return self.conn.execute(sql).fetchone()[0]
        return await self.conn.fetchval(sql)

    async def next_id(self, table: type[Table]) -> int:
        return int(await self.scalar(f'SELECT COALESCE(MAX(id), 0) FROM "{table._meta.tablename}"')) + 1

    async def insert(self, table: type[Table] | str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Rows into a table (a Piccolo table or a name: a temporary staging table too)."""
        name = table if isinstance(table, str) else table._meta.tablename
        rows = rows if isinstance(rows, list) else list(rows)
        if not rows:
            return 0
        started = time.perf_counter()
        if self.sqlite:
            cols = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join("?" for _ in columns)
            self.conn.executemany(f'INSERT INTO "{name}" ({cols}) VALUES ({marks})', rows)
        else:
            await self.conn.copy_records_to_table(name, records=rows, columns=list(columns))
        self.counts[name] = self.counts.get(name, 0) + len(rows)
        self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started
        return len(rows)

    async def insert_dicts(
        self, table: type[Table], rows: Iterable[dict[str, Any]], chunk: int = 20_000
    ) -> int:
        """Stream dicts in chunks (columns from the first row); the ids are in the rows, so fix sequences after."""
        total, columns, batch = 0, None, []
        for row in rows:
            if columns is None:
                columns = list(row)
            batch.append(tuple(row[c] for c in columns))
            if len(batch) >= chunk:
                total += await self.insert(table, columns, batch)
                batch = []
        if batch:
            total += await self.insert(table, columns, batch)
        return total

    async def defer_indexes(self, tables: Iterable[type[Table]], *, constraints: bool = False) -> list[str]:
        """Drop the plain (non-unique) secondary indexes of empty tables; restore_indexes() rebuilds them.

        Building an index once over sorted data is several times cheaper than updating it row by row. Unique
        indexes stay unless `constraints`, since they are what keeps generated codes honest. With `constraints`
        the unique indexes go too and, on PostgreSQL, the foreign keys (the SQLite loader has them off anyway):
        restore_indexes() recreates them, which checks every row once — a duplicate or a dangling key still fails
        the load — instead of a trigger and an index probe per inserted row. Dropping a foreign key locks the
        table it references (person, employer) until the load commits. DDL is transactional on both engines, so
        a failed load rolls the indexes and keys back too.
        """
        for table in tables:
            name = table._meta.tablename
            if await self.scalar(f'SELECT COUNT(*) FROM (SELECT 1 FROM "{name}" LIMIT 1) AS t'):
                continue
            if self.sqlite:
                # sql IS NULL: the automatic index of a PRIMARY KEY or UNIQUE column, part of the table itself
                found = self.conn.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL "
                    "AND (? OR sql NOT LIKE 'CREATE UNIQUE%')",
                    (name, constraints),
                ).fetchall()
            else:
                # An index a constraint stands on (a primary key, UNIQUE, the target of a foreign key) stays.
                found = await self.conn.fetch(
                    "SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS sql FROM pg_index x "
                    "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
                    "WHERE t.relname = $1 AND NOT x.indisprimary AND ($2 OR NOT x.indisunique) "
                    "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
                    name,
                    constraints,
                )
            for index_name, sql in found:
                await self.execute(f'DROP INDEX "{index_name}"')
                self.deferred.append(sql)
            if self.sqlite:
                self._defer_fts(name)
            elif constraints:
                await self._defer_foreign_keys(name)
        return self.deferred

    async def _defer_foreign_keys(self, table: str) -> None:
        """PostgreSQL: drop the table's foreign keys; restore_indexes() adds them back after every index, and
        ADD CONSTRAINT checks the whole table in one join."""
        keys = await self.conn.fetch(
            "SELECT conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint"
            " WHERE contype = 'f' AND conrelid = to_regclass($1) ORDER BY conname",
            f'"{table}"',
        )
        for key, definition in keys:
            await self.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{key}"')
            self.deferred_keys.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{key}" {definition}')

    def _defer_fts(self, table: str) -> None:
        """SQLite: the triggers that copy each new row into an external-content FTS5 index (the workbench's
        matter_name_fts) cost ~21 us a row, 25 s CPU for 1.2 M matters; one 'rebuild' after the load costs ~2 s.
        Drop those triggers with the indexes; restore_indexes() recreates them and rebuilds the FTS tables."""
        tables = self.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'"
        ).fetchall()
        content = re.compile(rf"content\s*=\s*['\"]?{re.escape(table)}['\"]?\s*[,)]", re.IGNORECASE)
        fts = [fts_name for fts_name, sql in tables if content.search(sql)]
        triggers = self.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,)
        ).fetchall()
        for trigger, sql in triggers:
            if any(f in sql for f in fts):
                self.conn.execute(f'DROP TRIGGER "{trigger}"')
                self.deferred.append(sql)
        self.deferred_fts += fts

    async def restore_indexes(self) -> None:
        while self.deferred:
            await self.execute(self.deferred.pop(0))
        # Keys last: one may need a unique index rebuilt just above.
        while self.deferred_keys:
            await self.execute(self.deferred_keys.pop(0))
        while self.deferred_fts:
            name = self.deferred_fts.pop(0)
            await self.execute(f"INSERT INTO \"{name}\"(\"{name}\") VALUES ('rebuild')")

    async def execute(self, sql: str) -> None:
        if self.sqlite:
            self.conn.execute(sql)
        else:
            await self.conn.execute(sql)

    def buffer(self, table: type[Table], row: dict[str, Any]) -> None:
        """Collect rows of several tables; flush() writes them parents first (the order tables were first seen)."""
        self.buffers.setdefault(table, []).append(row)

    async def flush(self) -> None:
        for table, rows in self.buffers.items():
            await self.insert_dicts(table, rows)
            rows.clear()

    async def fix_sequence(self, table: type[Table]) -> None:
        """PostgreSQL: explicit ids bypass the serial sequence, so move it past them."""
        if not self.sqlite:
            name = table._meta.tablename
            await self.conn.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                f'(SELECT COALESCE(MAX(id), 1) FROM "{name}"))'
            )

    async def analyze(self) -> None:
        if self.sqlite:
            self.conn.execute("ANALYZE")
        else:
            await self.conn.execute("ANALYZE")


async def vacuum(tables: Iterable[type[Table]], engine: Engine | None = None) -> None:
    """PostgreSQL after a bulk load: VACUUM sets the visibility map, without which the grids' covering indexes
    cannot answer COUNT(*) and keyset pages index-only (autovacuum would get there, minutes later)."""
    engine = engine or current_engine()
    if is_sqlite(engine):
        return
    conn = await engine.get_new_connection()
    try:
        for table in tables:
            await conn.execute(f'VACUUM ANALYZE "{table._meta.tablename}"')  # not allowed inside a transaction
    finally:
        await conn.close()
