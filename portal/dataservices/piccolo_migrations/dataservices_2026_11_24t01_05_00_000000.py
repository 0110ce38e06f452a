"""Job tables: (status, finished_at) indexes for the periodic clean-up, which every worker runs."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T01:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "export_job (status, finished_at); import_job (status, finished_at)"

# Job rows stay as small tombstones (status expired) so old links can explain themselves; without these
# indexes each clean-up pass scanned them all (200,000 rows: ~120-320 ms per pass on SQLite).
_INDEXES = [
    ("export_job_status_finished_idx", '"export_job" ("status", "finished_at")'),
    ("import_job_status_finished_idx", '"import_job" ("status", "finished_at")'),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="dataservices", description=DESCRIPTION)

    async def create():
        from piccolo.engine.finder import engine_finder

        for name, target in _INDEXES:
            await engine_finder().run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")

    async def drop():
        from piccolo.engine.finder import engine_finder

        for name, _ in _INDEXES:
            await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
