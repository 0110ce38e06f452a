"""The workbench queue index gains `id`, the tie-breaker of its sort, so PostgreSQL pages without a sort step."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T00:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "matter (state, promised_deadline, id) replaces matter (state, promised_deadline)"

# SQLite already ends every index with the rowid (= id); PostgreSQL needed an incremental sort on id for
# `ORDER BY promised_deadline, id` and, for keyset paging, a row-value comparison the index can serve.
_NEW = ("matter_queue_deadline_idx", '"matter" ("state", "promised_deadline", "id")')
_OLD = ("matter_deadline_idx", '"matter" ("state", "promised_deadline")')


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="workflow", description=DESCRIPTION)

    async def create():
        from piccolo.engine.finder import engine_finder

        engine = engine_finder()
        await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {_NEW[0]} ON {_NEW[1]}")
        await engine.run_ddl(f"DROP INDEX IF EXISTS {_OLD[0]}")

    async def drop():
        from piccolo.engine.finder import engine_finder

        engine = engine_finder()
        await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {_OLD[0]} ON {_OLD[1]}")
        await engine.run_ddl(f"DROP INDEX IF EXISTS {_NEW[0]}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
