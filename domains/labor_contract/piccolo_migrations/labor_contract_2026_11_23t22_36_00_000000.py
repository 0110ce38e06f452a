"""Composite indexes of the labor_contract app (Piccolo declares only single-column ones)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-23T22:36:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes for the LC-2 query and roster pages"

_SQL = (
    # LC-2 on scale data: one employer's filings by state and review state, in created order.
    "CREATE INDEX IF NOT EXISTS contract_employer_state_review_created"
    " ON contract (employer, state, review_state, created_at, id)",
    "CREATE INDEX IF NOT EXISTS contract_employer_created ON contract (employer, created_at, id)",
    # The one-unreviewed-filing rule looks a person up across all employers.
    "CREATE INDEX IF NOT EXISTS contract_id_number_review ON contract (id_number, review_state)",
    "CREATE INDEX IF NOT EXISTS roster_employer_created ON roster (employer, created_at, id)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="labor_contract", description=DESCRIPTION)

    async def create_indexes():
        from piccolo.engine.finder import engine_finder

        engine = engine_finder()
        for sql in _SQL:
            await engine.run_ddl(sql)

    async def drop_indexes():
        from piccolo.engine.finder import engine_finder

        engine = engine_finder()
        for name in ("contract_employer_state_review_created", "contract_employer_created",
                     "contract_id_number_review", "roster_employer_created"):
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
