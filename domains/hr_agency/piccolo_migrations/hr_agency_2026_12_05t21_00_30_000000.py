"""The 名录's listing (hra_register): indexes for its order (名称) and region filter on both engines, trigram
indexes for 名称/服务事项 contains on PostgreSQL, and the rows of the agencies already there (issue #21; bench.hra).

The fill is a frozen copy of register.py's query as it stands with this migration: a later change of that query
comes with a migration of its own (this one must keep working on a fresh database whatever register.py becomes)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T21:00:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "名录 listing: name and region indexes, pg_trgm indexes (PostgreSQL), filled from the records"

_SQL = (
    "CREATE INDEX IF NOT EXISTS hra_register_name ON hra_register (name, uid)",
    "CREATE INDEX IF NOT EXISTS hra_register_region ON hra_register (region, name, uid)",
)
# LIKE '%…%' with three or more characters reads these instead of every row (Chinese words count as trigram
# characters under a UTF-8 ctype such as C.UTF-8 or zh_CN.UTF-8; under plain "C" they would not).
_PG_SQL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS hra_register_name_trgm ON hra_register USING gin (name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS hra_register_services_trgm ON hra_register USING gin (services_label gin_trgm_ops)",
)
_NAMES = ("hra_register_name", "hra_register_region", "hra_register_name_trgm", "hra_register_services_trgm")

_ARM = ("SELECT {uid} AS uid, a.id AS holder, {name} AS name, {org}.division_code AS division_code, "
        "{org}.address AS address, a.services_label AS services_label, {status} AS status, "
        "l.licence_no AS licence_no, l.valid_until AS valid_until FROM {source} "
        "LEFT JOIN hra_licence l ON l.id = (SELECT MIN(v.id) FROM hra_licence v WHERE v.agency = a.id "
        "AND v.status = 'valid')")
_VALID_FILING = "FROM hra_filing f WHERE f.agency = org.holder AND f.status = 'valid'"
_FILL = (
    "INSERT INTO hra_register (uid, holder, name, division_code, region, address, services_label, licence_no, "
    "valid_until, filing_no) "
    "SELECT org.uid, org.holder, org.name, org.division_code, substr(org.division_code, 1, 4) || '00', "
    "org.address, org.services_label, COALESCE(org.licence_no, ''), org.valid_until, "
    f"COALESCE((SELECT MIN(f.filing_no) {_VALID_FILING}), '') FROM ("
    + _ARM.format(uid="a.id * 2", name="a.name", org="a", status="a.status", source="hra_agency a")
    + " UNION ALL "
    + _ARM.format(uid="b.id * 2 + 1", name="b.name || '（分支机构，总机构：' || a.name || '）'", org="b",
                  status="CASE WHEN b.status = 'active' THEN a.status ELSE b.status END",
                  source="hra_branch b JOIN hra_agency a ON a.id = b.agency")
    + ") AS org WHERE org.status = 'active' AND (org.licence_no IS NOT NULL OR EXISTS (SELECT 1 "
    + _VALID_FILING + "))"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="hr_agency", description=DESCRIPTION)

    async def create_and_fill():
        from piccolo.engine.finder import engine_finder

        engine = engine_finder()
        for sql in (*_SQL, *(_PG_SQL if engine.engine_type == "postgres" else ())):
            await engine.run_ddl(sql)
        await engine.run_ddl("DELETE FROM hra_register")
        await engine.run_ddl(_FILL)

    async def drop_indexes():
        from piccolo.engine.finder import engine_finder

        engine = engine_finder()
        for name in _NAMES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_and_fill)
    manager.add_raw_backwards(drop_indexes)
    return manager
