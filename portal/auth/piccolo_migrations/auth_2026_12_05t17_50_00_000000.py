"""ACC-9: one 电子社保卡 signs in as at most one staff account."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T17:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique index on staff_user.ecard_id_number"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="auth", description=DESCRIPTION)

    async def unique_card():
        from piccolo.engine.finder import engine_finder

        # SQLite cannot ALTER TABLE … ADD a UNIQUE column; an index does the same on both engines (NULLs repeat).
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS staff_user_ecard_id_number ON staff_user (ecard_id_number)")

    async def drop_unique_card():
        from piccolo.engine.finder import engine_finder

        await engine_finder().run_ddl("DROP INDEX IF EXISTS staff_user_ecard_id_number")

    manager.add_raw(unique_card)
    manager.add_raw_backwards(drop_unique_card)
    return manager
