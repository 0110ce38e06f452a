"""An applicant's matters of one kind, newest first: the confirm lists page by key on it (增员确认 / 减员确认)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T18:26:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "matter (employer, kind, id) for an employer's list of one kind"

# Without it the walk read the employer's index and skipped every matter of other kinds: on the scale set an
# employer's labour-contract matters outnumber its personnel changes about ten to one.
_INDEXES = (("matter_employer_kind_idx", '"matter" ("employer", "kind", "id")'),)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="workflow", description=DESCRIPTION)

    async def create():
        from piccolo.engine.finder import engine_finder

        engine = engine_finder()
        for name, target in _INDEXES:
            await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")

    async def drop():
        from piccolo.engine.finder import engine_finder

        engine = engine_finder()
        for name, _ in _INDEXES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
