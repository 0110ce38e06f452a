"""Database engines for SQLite and PostgreSQL, and the one way to open a writing transaction."""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
import weakref
from collections.abc import Iterable
from contextlib import asynccontextmanager
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType

from portal.settings import DatabaseSettings

# SQLite has one writer at a time. Its busy handler lets a waiting writer retry for `timeout` seconds and then
# fails ("database is locked" → 500): a 20,000-row import holding the lock for 15 s made every login and filing
# of the same process fail (issue #12). Writers of one process therefore queue, first come first served, on an
# asyncio lock before asking SQLite; they wait as long as the writer ahead of them needs, up to WRITER_WAIT_S.
WRITER_WAIT_S = 120.0
_writer_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC")


def _writer_lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    lock = _writer_locks.get(loop)
    if lock is None:
        lock = _writer_locks[loop] = asyncio.Lock()
    return lock


async def _acquire_writer() -> asyncio.Lock:
    lock = _writer_lock()
    try:
        async with asyncio.timeout(WRITER_WAIT_S):  # Lock.acquire() hands a wake-up on if cancelled (unlike wait_for)
            await lock.acquire()
    except TimeoutError:
        raise sqlite3.OperationalError("database is locked (waited for the writer queue)") from None
    return lock


class SafeSQLiteTransaction(SQLiteTransaction):
    """Closes the connection when BEGIN itself fails (Piccolo leaks it, and its thread blocks exit); writing
    transactions (IMMEDIATE, EXCLUSIVE) queue on the process's writer lock first."""

    _held: asyncio.Lock | None = None

    async def __aenter__(self) -> SafeSQLiteTransaction:
        if self._parent is not None:
            return self._parent
        if self.transaction_type != TransactionType.deferred:
            self._held = await _acquire_writer()
        try:
            self.connection = await self.get_connection()
            try:
                await self.begin()
            except BaseException:
                await self.connection.close()
                raise
        except BaseException:
            self._release()
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, *args: Any) -> bool:
        try:
            return await super().__aexit__(*args)
        finally:
            self._release()

    def _release(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            held.release()


class PortalSQLiteEngine(SQLiteEngine):
    """SQLite with WAL, foreign keys and a busy timeout on every connection.

    Piccolo opens a new connection (and thread) for every statement outside a transaction, ~0.7 ms
    each. While the app runs, such autocommit statements share a pool of `read_pool_size` connections
    instead, opened on demand and kept: a statement that finds all of them busy waits for one rather than
    opening a throw-away connection (at 16 concurrent requests a pool of 4 opened ~70 a second, issue #15).
    The pool is opened by the app's start-up and closed at shutdown: aiosqlite threads are not daemons,
    so scripts that never start it (migrations, seeds) keep the one-connection-per-query behaviour.
    """

    def __init__(self, *args: Any, read_pool_size: int = 2, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.read_pool_size = max(1, read_pool_size)
        self._idle: list[Any] | None = None
        self._slots: asyncio.Semaphore | None = None
        self.opened = 0  # connections the pool has opened since it started (a test and the bench read it)

    def open_read_pool(self) -> None:
        self._idle = []
        self._slots = asyncio.Semaphore(self.read_pool_size)
        self.opened = 0

    async def close_read_pool(self) -> None:
        idle, self._idle, self._slots = self._idle or [], None, None
        for connection in idle:
            await connection.close()

    async def _run_in_new_connection(self, query: str, args: list[Any] | None = None, query_type: str = "generic",
                                     table: Any = None):
        if query.lstrip()[:6].upper() in _WRITES:
            # an autocommit write (a session row, a job's progress) queues with the writing transactions
            lock = await _acquire_writer()
            try:
                return await self._run_unqueued(query, args, query_type, table)
            finally:
                lock.release()
                _wrote()
        return await self._run_unqueued(query, args, query_type, table)

    async def _run_unqueued(self, query: str, args: list[Any] | None, query_type: str, table: Any):
        slots = self._slots
        if self._idle is None or slots is None:
            return await super()._run_in_new_connection(query, args, query_type, table)
        async with slots:  # at most read_pool_size connections exist, so a free slot has one idle or room for one
            idle = self._idle
            if idle:
                connection = idle.pop()
            else:
                connection = await self.get_connection()
                self.opened += 1
            reusable = False
            try:
                # isolation_level=None: each statement is its own transaction and sees the latest commit.
                # One trip to the connection's thread (execute, fetch and cursor close together), not three:
                # every trip is a GIL hand-over, which at 16 concurrent requests costs more than the query.
                rows = await connection.execute_fetchall(query, args or [])
                reusable = not connection.in_transaction
                return rows
            finally:
                if reusable and idle is self._idle and idle is not None:
                    idle.append(connection)
                else:
                    await connection.close()

    def transaction(self, transaction_type: TransactionType = TransactionType.deferred, allow_nested: bool = True):
        return SafeSQLiteTransaction(engine=self, transaction_type=transaction_type, allow_nested=allow_nested)

    async def get_connection(self):
        connection = await super().get_connection()
        await connection.execute("PRAGMA synchronous = NORMAL")
        return connection


_PG_WRITES = (*_WRITES, "TRUNCA")


async def _keep_session_state(connection: Any) -> None:
    """What a pooled PostgreSQL connection runs when handed back: nothing.

    asyncpg's default sends `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL` after every pooled
    statement: ~60 µs of database CPU each, a fifth of a list page's (issue #15). It undoes session state the
    portal never creates: its advisory locks are transaction-scoped (lock_values), it declares no cursors, LISTENs
    only on the job queue's own pools and never SETs a session setting (tests/test_db_pool.py reads the code for
    each). asyncpg itself still rolls back a transaction left open before calling this."""


class PortalPostgresEngine(PostgresEngine):
    """PostgreSQL; an autocommit write (outside write_transaction()) bumps write_generation() like a transaction.

    Two pools. The main one plans every statement for its own values (plan_cache_mode = force_custom_plan, see
    make_engine). The keyed one (fetch_keyed) serves the statements every request runs, whose shape and plan never
    change — the session by its key, the principal by its id: there PostgreSQL's default (plan_cache_mode = auto)
    keeps each prepared statement's plan, and re-planning the principal's UNION on every request cost ~0.15 ms
    of database CPU (issue #15)."""

    keyed_pool: Any = None

    async def start_connection_pool(self, **kwargs: Any) -> None:
        import asyncpg

        kwargs.setdefault("reset", _keep_session_state)
        await super().start_connection_pool(**kwargs)
        config = {**self.config, "server_settings": {**self.config.get("server_settings", {}),
                                                     "plan_cache_mode": "auto"}}
        size = max(2, kwargs.get("max_size", 10) // 2)
        self.keyed_pool = await asyncpg.create_pool(**config, min_size=min(kwargs.get("min_size", 1), size),
                                                    max_size=size, reset=_keep_session_state)

    async def close_connection_pool(self) -> None:
        pool, self.keyed_pool = self.keyed_pool, None
        try:
            await super().close_connection_pool()
        finally:
            if pool is not None:
                await pool.close()

    async def run_keyed(self, query: Any) -> Any:
        """A read on the keyed pool; inside a transaction, or with no pool started, an ordinary one."""
        if self.keyed_pool is None or self.current_transaction.get() is not None:
            return await self.run_querystring(query)
        sql, args = query.compile_string(engine_type=self.engine_type)
        async with self.keyed_pool.acquire() as connection:
            return await connection.fetch(sql, *args)

    async def _run_in_pool(self, query: str, args: Any = None):
        try:
            return await super()._run_in_pool(query, args)
        finally:
            if query.lstrip()[:6].upper() in _PG_WRITES:
                _wrote()

    async def _run_in_new_connection(self, query: str, args: Any = None):
        try:
            return await super()._run_in_new_connection(query, args)
        finally:
            if query.lstrip()[:6].upper() in _PG_WRITES:
                _wrote()


def make_engine(settings: DatabaseSettings) -> Engine:
    if settings.is_sqlite:
        path = settings.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        # WAL is a property of the file: set it once, here, before any pooled use.
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
        return PortalSQLiteEngine(path=str(path), timeout=settings.busy_timeout_s,
                                  read_pool_size=settings.sqlite_read_pool)
    # Plan every statement for its own values: asyncpg prepares statements, and after five runs PostgreSQL may
    # switch to a generic plan that cannot see the LIKE pattern or which employer is asked for — on the 1M set
    # a 1-character 单位名称 search went from 65 ms to 1.4 s (GIN trigram scan) and 姓名包含 of the biggest
    # employer to 350 ms. Planning these queries costs well under a millisecond.
    return PortalPostgresEngine(config={"dsn": settings.url, "server_settings": {"plan_cache_mode": "force_custom_plan"}},
                          extensions=())


def is_sqlite(engine: Engine) -> bool:
    return isinstance(engine, SQLiteEngine)


_write_generation = 0


def write_generation() -> int:
    """Bumped by every write of this process (write_transaction(), autocommit INSERT/UPDATE/DELETE): caches of
    derived reads (grid counts) compare it and forget what was read before."""
    return _write_generation


def _wrote() -> None:
    global _write_generation
    _write_generation += 1


@asynccontextmanager
async def write_transaction(engine: Engine | None = None):
    """Every transaction that writes goes through here: BEGIN IMMEDIATE on SQLite (no upgrade deadlocks)."""
    engine = engine or current_engine()
    try:
        if is_sqlite(engine):
            async with engine.transaction(transaction_type=TransactionType.immediate) as txn:
                yield txn
        else:
            async with engine.transaction() as txn:
                yield txn
    finally:
        # also on failure: a rolled-back write leaves nothing stale, and forgetting costs one count
        _wrote()


def current_engine() -> Engine:
    from piccolo.engine.finder import engine_finder

    engine = engine_finder()
    assert engine is not None, "piccolo_conf.py defines no DB"
    return engine


def lock_key(value: str) -> int:
    """A value's PostgreSQL advisory-lock key: the first 64 bits of its SHA-256, signed."""
    return int.from_bytes(hashlib.sha256(value.encode()).digest()[:8], "big", signed=True)


async def lock_values(values: Iterable[str], *, namespace: str = "", slots: int = 0) -> None:
    """Serialise the transactions that decide on the same values (a person's 身份证号, an agency's USCC …): call
    inside write_transaction() before reading what the decision rests on; the locks last until it ends.

    PostgreSQL: one transaction-scoped advisory lock per value, all in one statement and in ascending key order, so
    two callers wait for each other and never deadlock. With `slots` the values share that many locks of their
    `namespace` (a 10,000-row import would otherwise exhaust the server's lock table, 64 × max_connections).
    SQLite: nothing; BEGIN IMMEDIATE already serialises writers."""
    engine = current_engine()
    if is_sqlite(engine):
        return
    if slots:
        names = {f"{namespace}#{lock_key(v) % slots}" for v in values}
    else:
        names = {f"{namespace}:{v}" if namespace else v for v in values}
    if keys := sorted(lock_key(n) for n in names):
        await fetch("SELECT count(pg_advisory_xact_lock(k)) AS n FROM unnest({}::bigint[]) AS k", keys)


async def fetch(sql: str, *args: Any) -> list[dict]:
    """Raw read with `{}` placeholders, for queries the ORM cannot express well (e.g. keyset paging)."""
    from piccolo.querystring import QueryString

    return await current_engine().run_querystring(QueryString(sql, *args))


async def fetch_keyed(sql: str, *args: Any) -> list[dict]:
    """`fetch` for a read every request makes, looked up by a key (the session, the principal): one fixed shape
    whose best plan does not depend on the values. On PostgreSQL its plan is kept across requests (the keyed
    pool); never use it for a search, a LIKE pattern or a filter whose selectivity varies with the value."""
    from piccolo.querystring import QueryString

    engine = current_engine()
    if isinstance(engine, PortalPostgresEngine):
        return await engine.run_keyed(QueryString(sql, *args))
    return await engine.run_querystring(QueryString(sql, *args))


# With analysis_limit, ANALYZE samples about this many entries per index: milliseconds even on the 1M set, and
# enough for the planner to tell a selective index from one that makes it sort (issue #15: without statistics
# SQLite walked matter (state, kind, division_code) and sorted 70,324 waiting matters, ~100 ms a page).
ANALYSIS_LIMIT = 2000


async def refresh_statistics(engine: Engine | None = None, *, full: bool = False) -> str:
    """Keep SQLite's planner statistics (sqlite_stat1) present and current; PostgreSQL's autovacuum does that.

    Run at start-up and by the periodic clean-up, and after bulk loads with full=True (a complete ANALYZE).
    When a table with rows has no statistics yet (a new database, a new index, a first load) it runs a sampled
    ANALYZE, otherwise `PRAGMA optimize`, which re-analyses only tables that changed a lot. Returns what it did.
    """
    engine = engine or current_engine()
    if not is_sqlite(engine):
        return "none"
    # ANALYZE writes sqlite_stat1: it queues with the other writers, on a connection of its own.
    lock = await _acquire_writer()
    try:
        connection = await engine.get_connection()
        try:
            action = "analyze" if full else await _unanalysed(connection)
            await connection.execute(f"PRAGMA analysis_limit = {0 if full else ANALYSIS_LIMIT}")
            await connection.execute("PRAGMA optimize" if action == "optimize" else "ANALYZE")
            await connection.commit()
        finally:
            await connection.close()
    finally:
        lock.release()
    return action


async def _unanalysed(connection: Any) -> str:
    """"analyze_sampled" when an indexed table holding rows has no sqlite_stat1 row, else "optimize"."""
    async with connection.execute(
        "SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'index' AND tbl_name NOT LIKE 'sqlite_%'"
    ) as cursor:
        indexed = {r["tbl_name"] for r in await cursor.fetchall()}
    async with connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'") as c:
        has_stats = bool(await c.fetchall())
    analysed: set[str] = set()
    if has_stats:
        async with connection.execute("SELECT DISTINCT tbl FROM sqlite_stat1") as cursor:
            analysed = {r["tbl"] for r in await cursor.fetchall()}
    for table in sorted(indexed - analysed):  # empty tables get no statistics row: they need none
        quoted = table.replace('"', '""')
        async with connection.execute(f'SELECT 1 FROM "{quoted}" LIMIT 1') as cursor:
            if await cursor.fetchall():
                return "analyze_sampled"
    return "optimize"


# -- bulk writes (imports) ---------------------------------------------------------------------------------


def _connection(engine: Engine) -> Any:
    txn = engine.current_transaction.get()
    assert txn is not None and getattr(txn, "connection", None) is not None, "call inside write_transaction()"
    return txn.connection


async def reserve_ids(table: Any, count: int) -> list[int]:
    """`count` primary keys for rows the caller then inserts with bulk_insert(), so rows of several tables can
    point at each other without reading ids back. Inside write_transaction(): on SQLite the caller holds the
    writer, so nobody else takes ids above the current maximum; PostgreSQL draws them from the id sequence."""
    if count <= 0:
        return []
    engine = current_engine()
    name = table._meta.tablename
    connection = _connection(engine)
    if is_sqlite(engine):
        async with connection.execute(f'SELECT COALESCE(MAX("id"), 0) AS top FROM "{name}"') as cursor:
            top = (await cursor.fetchone())["top"]
        return list(range(top + 1, top + count + 1))
    rows = await connection.fetch(
        "SELECT nextval(pg_get_serial_sequence($1, 'id')) AS id FROM generate_series(1, $2)", f'"{name}"', count)
    return [r["id"] for r in rows]


async def bulk_insert(table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert many rows (dicts with the same keys, plain values; JSON columns as dicts or JSON text) with the
    driver's executemany on the current transaction's connection. Piccolo builds an object and a query
    string per row, ~0.3 ms a row: inside an import's write transaction that held SQLite's writer for
    seconds (issue #12 item 14). Columns a row leaves out take the column's default."""
    if not rows:
        return
    engine = current_engine()
    given = list(rows[0])
    columns = {c._meta.db_column_name: c for c in table._meta.columns}
    missing = [name for name, c in columns.items() if name not in given and not c._meta.primary_key]
    defaults = tuple(_plain(columns[name], columns[name].get_default_value()) for name in missing)
    names = given + missing
    json_at = [i for i, name in enumerate(given) if _is_json(columns[name])]
    params: list[tuple[Any, ...]] = []
    for row in rows:
        values = [row[name] for name in given]
        for i in json_at:
            if not isinstance(values[i], str) and values[i] is not None:
                values[i] = json.dumps(values[i], ensure_ascii=False, default=str)
        params.append((*values, *defaults))
    quoted = ", ".join(f'"{name}"' for name in names)
    sqlite = is_sqlite(engine)
    marks = ", ".join("?" if sqlite else f"${i}" for i in range(1, len(names) + 1))
    await _connection(engine).executemany(f'INSERT INTO "{table._meta.tablename}" ({quoted}) VALUES ({marks})', params)


async def execute_many(sql: str, params: list[tuple[Any, ...]]) -> None:
    """Run `sql` (with `{}` placeholders) once per tuple of `params` on the current transaction's connection:
    the driver's executemany, one statement prepared once (an import's publish flips ~100 id ranges a table)."""
    if not params:
        return
    engine = current_engine()
    sqlite = is_sqlite(engine)
    sql = sql.format(*("?" if sqlite else f"${i}" for i in range(1, sql.count("{}") + 1)))
    await _connection(engine).executemany(sql, params)


def _is_json(column: Any) -> bool:
    return type(column).__name__ in ("JSON", "JSONB")


def _plain(column: Any, value: Any) -> Any:
    """A column default as the driver takes it: enums by value, JSON as text."""
    if hasattr(value, "value") and not isinstance(value, (str, int, float)):
        value = value.value
    if _is_json(column) and not isinstance(value, str) and value is not None:
        value = json.dumps(value)
    return value

