"""A dictionary code is unique within its category: enforced by the database, not only by the admin form."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-23T23:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique (category, code) on dict_entry"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def create_index():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS dict_entry_category_code ON dict_entry (category, code)"
        )

    async def drop_index():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS dict_entry_category_code")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
