"""Covering indexes for the LC-2 filters and name search, measured by bench/grids.py on the scale data."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-23T23:58:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "covering indexes for LC-2 filtered counts and the name filter (bench)"

_INDEXES = (
    # 是否在职 / 是否生成名册 in the index too: the filtered COUNT(*) of a 32,000-filing employer becomes an
    # index-only scan (SQLite, 1M-person set: p95 59 ms → 6 ms).
    ("contract_employer_filters",
     "contract (employer, state, review_state, employed, in_roster, created_at, id)"),
    # 姓名 contains: LIKE '%…%' scans one employer's index entries instead of its table rows (51 ms → 12 ms).
    ("contract_employer_worker_name", "contract (employer, worker_name)"),
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="labor_contract", description=DESCRIPTION)

    async def create_indexes():
        from piccolo.engine.finder import engine_finder

        engine = engine_finder()
        for name, target in _INDEXES:
            await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")

    async def drop_indexes():
        from piccolo.engine.finder import engine_finder

        engine = engine_finder()
        for name, _ in _INDEXES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
