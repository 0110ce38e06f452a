"""Constraints of the labor_inspection app."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T17:50:14:000000"
VERSION = "1.38.0"
DESCRIPTION = "one 信用等级申报 per employer and year; the history by employer and year"

_INDEXES = (
    # The rule is a constraint: two tabs declaring the same year at once cannot both create one.
    ("ins_grade_employer_year", "UNIQUE", "ins_grade (employer, year)"),
    ("ins_grade_history_employer_year", "", "ins_grade_history (employer, year, id)"),
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="labor_inspection", description=DESCRIPTION)

    async def create():
        from piccolo.engine.finder import engine_finder

        engine = engine_finder()
        for name, kind, target in _INDEXES:
            await engine.run_ddl(f"CREATE {kind} INDEX IF NOT EXISTS {name} ON {target}")

    async def drop():
        from piccolo.engine.finder import engine_finder

        engine = engine_finder()
        for name, _, _ in _INDEXES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
