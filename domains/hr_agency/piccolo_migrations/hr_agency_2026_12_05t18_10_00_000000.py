"""Covering indexes for 统计分析 (HRA-11), the province's ten years read from the index alone; the 名录's order by
name walked from an index instead of sorting every listed agency (HRA-13; bench.hra)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T18:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "statistics: covering indexes by division, date and 注销 date; the register's name order"

_SQL = (
    "CREATE INDEX IF NOT EXISTS hra_licence_stats ON hra_licence (division_code, issued_on, revoked_on)",
    "CREATE INDEX IF NOT EXISTS hra_filing_stats ON hra_filing (division_code, filed_on, revoked_on)",
    "CREATE INDEX IF NOT EXISTS hra_agency_name ON hra_agency (name, id)",
)
_NAMES = ("hra_licence_stats", "hra_filing_stats", "hra_agency_name")


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
