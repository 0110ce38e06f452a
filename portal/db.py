"""Database engines for SQLite and PostgreSQL, and the one way to open a writing transaction."""

from __future__ import annotations

import asyncio
import sqlite3
import weakref
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
    each. While the app runs, such autocommit statements reuse a few idle connections instead. The
    pool is opened by the app's start-up and closed at shutdown: aiosqlite threads are not daemons,
    so scripts that never start it (migrations, seeds) keep the one-connection-per-query behaviour.
    """

    _POOL_SIZE = 4

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._idle: list[Any] | None = None

    def open_read_pool(self) -> None:
        self._idle = []

    async def close_read_pool(self) -> None:
        idle, self._idle = self._idle or [], None
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
        return await self._run_unqueued(query, args, query_type, table)

    async def _run_unqueued(self, query: str, args: list[Any] | None, query_type: str, table: Any):
        if self._idle is None:
            return await super()._run_in_new_connection(query, args, query_type, table)
        connection = self._idle.pop() if self._idle else await self.get_connection()
        reusable = False
        try:
            # isolation_level=None: each statement is its own transaction and sees the latest commit.
            async with connection.execute(query, args or []) as cursor:
                rows = await cursor.fetchall()
            reusable = not connection.in_transaction
            return rows
        finally:
            if reusable and self._idle is not None and len(self._idle) < self._POOL_SIZE:
                self._idle.append(connection)
            else:
                await connection.close()

    def transaction(self, transaction_type: TransactionType = TransactionType.deferred, allow_nested: bool = True):
        return SafeSQLiteTransaction(engine=self, transaction_type=transaction_type, allow_nested=allow_nested)

    async def get_connection(self):
        connection = await super().get_connection()
        await connection.execute("PRAGMA synchronous = NORMAL")
        return connection


def make_engine(settings: DatabaseSettings) -> Engine:
    if settings.is_sqlite:
        path = settings.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        # WAL is a property of the file: set it once, here, before any pooled use.
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
        return PortalSQLiteEngine(path=str(path), timeout=settings.busy_timeout_s)
    # Plan every statement for its own values: asyncpg prepares statements, and after five runs PostgreSQL may
    # switch to a generic plan that cannot see the LIKE pattern or which employer is asked for — on the 1M set
    # a 1-character 单位名称 search went from 65 ms to 1.4 s (GIN trigram scan) and 姓名包含 of the biggest
    # employer to 350 ms. Planning these queries costs well under a millisecond.
    return PostgresEngine(config={"dsn": settings.url, "server_settings": {"plan_cache_mode": "force_custom_plan"}},
                          extensions=())


def is_sqlite(engine: Engine) -> bool:
    return isinstance(engine, SQLiteEngine)


@asynccontextmanager
async def write_transaction(engine: Engine | None = None):
    """Every transaction that writes goes through here: BEGIN IMMEDIATE on SQLite (no upgrade deadlocks)."""
    engine = engine or current_engine()
    if is_sqlite(engine):
        async with engine.transaction(transaction_type=TransactionType.immediate) as txn:
            yield txn
    else:
        async with engine.transaction() as txn:
            yield txn


def current_engine() -> Engine:
    from piccolo.engine.finder import engine_finder

    engine = engine_finder()
    assert engine is not None, "piccolo_conf.py defines no DB"
    return engine


async def fetch(sql: str, *args: Any) -> list[dict]:
    """Raw read with `{}` placeholders, for queries the ORM cannot express well (e.g. keyset paging)."""
    from piccolo.querystring import QueryString

    return await current_engine().run_querystring(QueryString(sql, *args))
