"""PostgreSQL: the workbench's walk in deadline order read from the index alone.

Several states wait at once (受理, 申诉, 提交), so matter_queue_cover_idx (state first) cannot give one deadline
order; PostgreSQL walked matter_promised_deadline instead and fetched each row from the table to test its state,
kind and division — on the 1M set ~790 row reads for a page of 51, mostly finished matters (0.8 ms of server CPU
per page view, issue #15). This index holds the same tests beside the deadline: an index-only scan, ~50 pages.
SQLite keeps its hinted walk on matter_queue_cover_idx, which stops early per state (see workbench.py).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T21:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "PostgreSQL: matter (promised_deadline, id) covering the workbench's filters"

_NAME = "matter_deadline_cover_idx"
_TARGET = ('"matter" ("promised_deadline", "id") INCLUDE ("state", "kind", "division_code", "agency_code", '
           '"squad_code", "applicant_name")')


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="workflow", description=DESCRIPTION)

    async def create():
        from piccolo.engine.finder import engine_finder
        from piccolo.engine.sqlite import SQLiteEngine

        engine = engine_finder()
        if not isinstance(engine, SQLiteEngine):
            await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {_NAME} ON {_TARGET}")

    async def drop():
        from piccolo.engine.finder import engine_finder
        from piccolo.engine.sqlite import SQLiteEngine

        engine = engine_finder()
        if not isinstance(engine, SQLiteEngine):
            await engine.run_ddl(f"DROP INDEX IF EXISTS {_NAME}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
