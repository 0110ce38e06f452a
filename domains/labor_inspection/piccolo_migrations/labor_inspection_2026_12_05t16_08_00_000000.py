"""Constraints of the labor_inspection app."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T16:08:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one 书审 per employer and year"

_INDEXES = (
    # The rule is a constraint: two tabs starting the year's review at once cannot both create one.
    ("ins_review_employer_year", "UNIQUE", "ins_review (employer, year)"),
    ("ins_review_staff_review", "", "ins_review_staff (review, id)"),
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
