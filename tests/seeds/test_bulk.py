"""seeds.bulk.BulkLoader's deferred unique indexes and foreign keys: a bad row still fails the load, and the
schema is what the migrations made afterwards (on the suite's engine)."""

from __future__ import annotations

import sqlite3

import asyncpg
import pytest

from domains.social_insurance.tables import SiContribution
from portal.db import current_engine, is_sqlite
from seeds.bulk import BulkLoader
from tests.support.db import schema_snapshot

TABLES = ("si_contribution",)
COLUMNS = ("period", "employer", "person")
# No such employer or person: the SQLite loader has keys off, PostgreSQL's are deferred with the indexes.
ROW = (202501, 999_999, 999_999)


async def test_a_duplicate_loaded_while_unique_indexes_are_deferred_fails_the_load():
    migrated = await schema_snapshot(TABLES)
    assert "si_contribution_key" in {r[1] for r in migrated}
    with pytest.raises((sqlite3.IntegrityError, asyncpg.UniqueViolationError)):
        async with BulkLoader() as bulk:
            await bulk.defer_indexes([SiContribution], constraints=True)
            await bulk.insert("si_contribution", COLUMNS, [ROW, ROW])
            assert await bulk.scalar("SELECT COUNT(*) FROM si_contribution") == 2  # the key was off meanwhile
            await bulk.restore_indexes()
    assert await SiContribution.count() == 0
    assert await schema_snapshot(TABLES) == migrated


async def test_a_dangling_key_loaded_while_foreign_keys_are_deferred_fails_the_load():
    if is_sqlite(current_engine()):
        pytest.skip("the SQLite loader runs with foreign keys off: nothing is deferred")
    migrated = await schema_snapshot(TABLES)
    assert sum(r[0] == "constraint f" for r in migrated) == 2  # employer and person
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        async with BulkLoader() as bulk:
            await bulk.defer_indexes([SiContribution], constraints=True)
            await bulk.insert("si_contribution", COLUMNS, [ROW])
            await bulk.restore_indexes()
    assert await SiContribution.count() == 0
    assert await schema_snapshot(TABLES) == migrated


async def test_plain_deferral_keeps_unique_indexes_and_keys():
    migrated = await schema_snapshot(TABLES)
    async with BulkLoader() as bulk:
        deferred = await bulk.defer_indexes([SiContribution])
        assert deferred and not any("UNIQUE" in sql for sql in deferred) and not bulk.deferred_keys
        await bulk.restore_indexes()
    assert await schema_snapshot(TABLES) == migrated
