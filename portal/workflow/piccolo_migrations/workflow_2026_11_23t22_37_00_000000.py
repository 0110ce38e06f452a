"""Composite indexes of the workflow app that Piccolo columns cannot declare."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-23T22:37:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Workbench queue, deadline and unread-message indexes"

_INDEXES = (
    # Workbench queues filter by state + kind + division; deadline flags order by promised_deadline.
    ("matter_queue_idx", '"matter" ("state", "kind", "division_code")'),
    ("matter_deadline_idx", '"matter" ("state", "promised_deadline")'),
    ("message_unread_idx", '"message" ("employer", "person", "read_at")'),
    ("matter_event_stage_idx", '"matter_event" ("matter", "actor_id", "stage")'),
)


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
