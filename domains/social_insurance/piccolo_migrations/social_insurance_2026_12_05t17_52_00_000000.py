"""The 上下限 key per division: one row per division and 起始结算期 ('' = the province), instead of one per 起始结算期."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T17:52:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "si_limit unique per (division_code, effective_from)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="social_insurance", description=DESCRIPTION)

    async def per_division():
        from piccolo.engine.finder import engine_finder

        engine = engine_finder()
        await engine.run_ddl("DROP INDEX IF EXISTS si_limit_key")
        await engine.run_ddl("CREATE UNIQUE INDEX IF NOT EXISTS si_limit_key ON si_limit (division_code, effective_from)")

    async def back():
        from piccolo.engine.finder import engine_finder

        engine = engine_finder()
        await engine.run_ddl("DROP INDEX IF EXISTS si_limit_key")
        await engine.run_ddl("CREATE UNIQUE INDEX IF NOT EXISTS si_limit_key ON si_limit (effective_from)")

    manager.add_raw(per_division)
    manager.add_raw_backwards(back)
    return manager
