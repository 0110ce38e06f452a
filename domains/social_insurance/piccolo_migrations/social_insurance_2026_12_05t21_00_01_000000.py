"""姓名包含 on SI-1 and SI-2 without joining the employer's records to person (issue #17): si_enrolment.person_name
is back-filled from person and kept in step by a trigger on person.name, so every rename — by any writer, raw SQL
included — reaches the copies in its own transaction. Indexes (measured, bench/README.md):

- (employer, person, person_name): SI-2 (and SI-1 on PostgreSQL) test the name through an EXISTS on it — an
  index-only pass over the employer's entries joined back, or one covering seek per row — so the contribution rows
  need no copy; the SI-1 身份证号 filter seeks it too.
- (employer, start_period, id, person_name) replaces (employer, start_period, id): SQLite walks SI-1 in page order
  and tests the name on each entry, reading a record only for a match (its planner takes the walk either way).
- (employer, insurance, start_period, id): with the wider walk index SQLite's planner chose the 险种 filter's
  (employer, insurance, status) and sorted every record of the insurance; this one walks it in page order.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T21:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "si_enrolment.person_name back-filled, indexed with the employer, kept in step with person.name"

START = "si_enrolment_employer_start"
OLD_START = "si_enrolment (employer, start_period, id)"
INDEXES = (
    ("si_enrolment_employer_name", "si_enrolment (employer, person, person_name)"),
    (START, "si_enrolment (employer, start_period, id, person_name)"),
    ("si_enrolment_employer_insurance_start", "si_enrolment (employer, insurance, start_period, id)"),
)
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
        # The back-fill comes before the indexes that hold the name: each is built once, over the final values.
        if isinstance(engine, SQLiteEngine):
            await engine.run_ddl("UPDATE si_enrolment SET person_name = (SELECT p.name FROM person p"
                                 " WHERE p.id = si_enrolment.person)")
            await engine.run_ddl(_SQLITE_TRIGGER)
        else:
            await engine.run_ddl("UPDATE si_enrolment e SET person_name = p.name FROM person p WHERE p.id = e.person")
            await engine.run_ddl(_PG_FUNCTION)
            await engine.run_ddl(f"DROP TRIGGER IF EXISTS {TRIGGER} ON person")
            await engine.run_ddl(_PG_TRIGGER)
        await engine.run_ddl(f"DROP INDEX IF EXISTS {START}")
        for name, target in INDEXES:
            await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")
        # Statistics for the new indexes (see the 18:20 migration: without them SQLite misjudged one).
        await engine.run_ddl("ANALYZE si_enrolment")

    async def drop():
        from piccolo.engine.finder import engine_finder
        from piccolo.engine.sqlite import SQLiteEngine

        engine = engine_finder()
        for name, _ in INDEXES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")
        await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {START} ON {OLD_START}")
        if isinstance(engine, SQLiteEngine):
            await engine.run_ddl(f"DROP TRIGGER IF EXISTS {TRIGGER}")
        else:
            await engine.run_ddl(f"DROP TRIGGER IF EXISTS {TRIGGER} ON person")
            await engine.run_ddl(f"DROP FUNCTION IF EXISTS {TRIGGER}()")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
