"""姓名包含 on SI-1 and SI-2 without joining the employer's records to person (issue #17): si_enrolment.person_name
is back-filled from person, indexed beside the employer, and kept in step by a trigger on person.name, so every
rename — by any writer, raw SQL included — reaches the copies in its own transaction.

The index is (employer, person, person_name): SI-1's 姓名包含 tests the name on one employer's index entries and
reads a record only for a match; SI-2 tests its contribution rows through an EXISTS on the same entries (seek by
employer and person, name on the entry), so si_contribution needs no copy of its own.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T21:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "si_enrolment.person_name back-filled, indexed with the employer, kept in step with person.name"

INDEX = ("si_enrolment_employer_name", "si_enrolment (employer, person, person_name)")
TRIGGER = "si_enrolment_person_name"
_SQLITE_TRIGGER = (
    f"CREATE TRIGGER IF NOT EXISTS {TRIGGER} AFTER UPDATE OF name ON person WHEN NEW.name IS NOT OLD.name"
    " BEGIN UPDATE si_enrolment SET person_name = NEW.name WHERE person = NEW.id; END"
)
_PG_FUNCTION = (
    f"CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN UPDATE si_enrolment SET person_name = NEW.name WHERE person = NEW.id; RETURN NULL; END $$"
)
_PG_TRIGGER = (
    f"CREATE TRIGGER {TRIGGER} AFTER UPDATE OF name ON person FOR EACH ROW"
    f" WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION {TRIGGER}()"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="social_insurance", description=DESCRIPTION)

    async def create():
        from piccolo.engine.finder import engine_finder
        from piccolo.engine.sqlite import SQLiteEngine

        engine = engine_finder()
        if isinstance(engine, SQLiteEngine):
            # One pass with a primary-key lookup per record (the 1M set's 4.6 M records), before the index exists.
            await engine.run_ddl("UPDATE si_enrolment SET person_name = (SELECT p.name FROM person p"
                                 " WHERE p.id = si_enrolment.person)")
            await engine.run_ddl(_SQLITE_TRIGGER)
        else:
            await engine.run_ddl("UPDATE si_enrolment e SET person_name = p.name FROM person p WHERE p.id = e.person")
            await engine.run_ddl(_PG_FUNCTION)
            await engine.run_ddl(f"DROP TRIGGER IF EXISTS {TRIGGER} ON person")
            await engine.run_ddl(_PG_TRIGGER)
        await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {INDEX[0]} ON {INDEX[1]}")
        # Statistics for the new index (see the 18:20 migration: without them SQLite misjudged one).
        await engine.run_ddl("ANALYZE si_enrolment")

    async def drop():
        from piccolo.engine.finder import engine_finder
        from piccolo.engine.sqlite import SQLiteEngine

        engine = engine_finder()
        await engine.run_ddl(f"DROP INDEX IF EXISTS {INDEX[0]}")
        if isinstance(engine, SQLiteEngine):
            await engine.run_ddl(f"DROP TRIGGER IF EXISTS {TRIGGER}")
        else:
            await engine.run_ddl(f"DROP TRIGGER IF EXISTS {TRIGGER} ON person")
            await engine.run_ddl(f"DROP FUNCTION IF EXISTS {TRIGGER}()")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
