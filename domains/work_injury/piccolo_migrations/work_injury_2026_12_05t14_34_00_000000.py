"""Composite indexes of the work_injury app (Piccolo declares only single-column ones)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T14:34:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "快报确认 grid and staff queue indexes"

_SQL = (
    # 快报确认: an employer's reports by accident date (the default sort) and by deadline (keyset walks).
    "CREATE INDEX IF NOT EXISTS wi_accident_employer_occurred ON wi_accident (employer, occurred_on, id)",
    "CREATE INDEX IF NOT EXISTS wi_accident_employer_deadline ON wi_accident (employer, deadline_on, id)",
    # Staff queue: reports of a division by deadline.
    "CREATE INDEX IF NOT EXISTS wi_accident_division_deadline ON wi_accident (division_code, deadline_on, id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS wi_injured_accident_person ON wi_injured (accident, person)",
)
_NAMES = ("wi_accident_employer_occurred", "wi_accident_employer_deadline", "wi_accident_division_deadline",
          "wi_injured_accident_person")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="work_injury", description=DESCRIPTION)

    async def create_indexes():
        from piccolo.engine.finder import engine_finder

        engine = engine_finder()
        for sql in _SQL:
            await engine.run_ddl(sql)

    async def drop_indexes():
        from piccolo.engine.finder import engine_finder

        engine = engine_finder()
        for name in _NAMES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
