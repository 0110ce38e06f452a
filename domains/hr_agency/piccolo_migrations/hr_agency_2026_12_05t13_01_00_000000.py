"""Composite indexes of the hr_agency app (Piccolo declares only single-column ones)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T13:01:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one annual report per agency and year; register and statistics indexes"

_SQL = (
    "CREATE UNIQUE INDEX IF NOT EXISTS hra_annual_report_agency_year ON hra_annual_report (agency, year)",
    # 名录 and statistics: valid licences/filings by division, and per issue date.
    "CREATE INDEX IF NOT EXISTS hra_licence_status_division ON hra_licence (status, division_code)",
    "CREATE INDEX IF NOT EXISTS hra_filing_status_division ON hra_filing (status, division_code)",
)
_NAMES = ("hra_annual_report_agency_year", "hra_licence_status_division", "hra_filing_status_division")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="hr_agency", description=DESCRIPTION)

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
