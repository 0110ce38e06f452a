"""Constraints and indexes of the personnel_change app."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T14:34:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one pending change per person and insurance at an employer; list indexes"

_INDEXES = (
    # The rule is a constraint (partial unique index, same syntax on SQLite and PostgreSQL): two tabs or two
    # uploads racing cannot both leave a pending change of the same person and insurance.
    ("pc_change_one_pending", "UNIQUE", "pc_change (employer, id_number, insurance) WHERE settled_at IS NULL"),
    ("pc_change_employer", "", "pc_change (employer, direction, matter_id)"),
    ("pc_change_id_number", "", "pc_change (id_number, insurance)"),
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="personnel_change", description=DESCRIPTION)

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
