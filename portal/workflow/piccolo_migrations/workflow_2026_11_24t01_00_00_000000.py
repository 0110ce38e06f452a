"""The workbench's 单位名称/申请人 search through an index, and a queue index that answers its filters and counts.

SQLite: an FTS5 `trigram` table over matter.applicant_name (external content, so the names are stored once), kept
in step by triggers and back-filled here with one 'rebuild'. PostgreSQL: pg_trgm and a GIN trigram index (if the
extension cannot be created the search still works, as a scan). Both: matter (state, promised_deadline, id)
becomes a covering index that also holds every column the workbench filters on, so its counts and name filters
never read the table rows.
"""

import sys

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T01:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Workbench name search (FTS5 trigram / pg_trgm) and a covering queue index"

FTS = "matter_name_fts"
# detail=none and no column sizes: the workbench asks only "which rows contain these trigrams" and checks the
# real substring with LIKE, so positions and ranking data would only make the index bigger.
_FTS_CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5(applicant_name, content='matter', content_rowid='id', "
    "tokenize='trigram', detail='none', columnsize=0)"
)
# The trigger bodies follow the SQLite manual for external-content tables: a 'delete' must pass the old value.
_TRIGGERS = (
    ("matter_name_fts_ai", f"AFTER INSERT ON matter BEGIN INSERT INTO {FTS}(rowid, applicant_name) "
                           "VALUES (new.id, new.applicant_name); END"),
    ("matter_name_fts_ad", f"AFTER DELETE ON matter BEGIN INSERT INTO {FTS}({FTS}, rowid, applicant_name) "
                           "VALUES ('delete', old.id, old.applicant_name); END"),
    ("matter_name_fts_au", f"AFTER UPDATE OF applicant_name ON matter BEGIN INSERT INTO {FTS}({FTS}, rowid, "
                           f"applicant_name) VALUES ('delete', old.id, old.applicant_name); INSERT INTO {FTS}(rowid, "
                           "applicant_name) VALUES (new.id, new.applicant_name); END"),
)
_OLD_QUEUE = ("matter_queue_deadline_idx", '"matter" ("state", "promised_deadline", "id")')
_COVER_NAME = "matter_queue_cover_idx"
# The walk order (state, promised_deadline, id) first, then what scope_where, the flag filter and the name
# search test: SQLite evaluates them on the index entries and reads a row only for a match.
_COVER_SQLITE = ('"matter" ("state", "promised_deadline", "id", "kind", "division_code", "agency_code", '
                 '"squad_code", "applicant_name")')
_COVER_PG = ('"matter" ("state", "promised_deadline", "id") INCLUDE ("kind", "division_code", "agency_code", '
             '"squad_code", "applicant_name")')
_TRGM_INDEX = "matter_applicant_name_trgm_idx"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="workflow", description=DESCRIPTION)

    async def create():
        from piccolo.engine.finder import engine_finder
        from piccolo.engine.sqlite import SQLiteEngine

        engine = engine_finder()
        if isinstance(engine, SQLiteEngine):
            await engine.run_ddl(_FTS_CREATE)
            for name, body in _TRIGGERS:
                await engine.run_ddl(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
            # Back-fill: one pass over matter (~3 s for 1.2 M rows), cheaper than a trigger per row.
            await engine.run_ddl(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")
            await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {_COVER_NAME} ON {_COVER_SQLITE}")
        else:
            # pg_trgm is a trusted extension (PG 13+), yet a role without CREATE on the database cannot add it:
            # then the search stays a scan of the queue index rather than the migration failing.
            await engine.run_ddl("SAVEPOINT workflow_trgm")
            try:
                await engine.run_ddl("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                await engine.run_ddl(
                    f'CREATE INDEX IF NOT EXISTS {_TRGM_INDEX} ON "matter" USING gin ("applicant_name" gin_trgm_ops)'
                )
                await engine.run_ddl("RELEASE SAVEPOINT workflow_trgm")
            except Exception as exc:  # noqa: BLE001  (any refusal: privileges, extension not installed)
                await engine.run_ddl("ROLLBACK TO SAVEPOINT workflow_trgm")
                print(f"workflow migration: pg_trgm unavailable ({exc}); the workbench name search will scan the "
                      "queue index instead", file=sys.stderr)
            await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {_COVER_NAME} ON {_COVER_PG}")
        # The covering index starts with the same columns, so the old one is only extra writes.
        await engine.run_ddl(f"DROP INDEX IF EXISTS {_OLD_QUEUE[0]}")

    async def drop():
        from piccolo.engine.finder import engine_finder
        from piccolo.engine.sqlite import SQLiteEngine

        engine = engine_finder()
        await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {_OLD_QUEUE[0]} ON {_OLD_QUEUE[1]}")
        await engine.run_ddl(f"DROP INDEX IF EXISTS {_COVER_NAME}")
        if isinstance(engine, SQLiteEngine):
            for name, _ in _TRIGGERS:
                await engine.run_ddl(f"DROP TRIGGER IF EXISTS {name}")
            await engine.run_ddl(f"DROP TABLE IF EXISTS {FTS}")
        else:
            # The extension may serve other indexes by now: only the index is ours to drop.
            await engine.run_ddl(f"DROP INDEX IF EXISTS {_TRGM_INDEX}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
