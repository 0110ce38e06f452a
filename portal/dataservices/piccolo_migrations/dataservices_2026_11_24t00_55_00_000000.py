"""Certificates: issued_on filled for rows issued before the column existed; the staff list's index."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T00:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "certificate.issued_on backfill; certificate (division_code, issued_at, id)"

# 证书管理 is scoped by division prefix (LIKE '4601%') and sorted by issued_at DESC, id DESC (keyset).
_INDEX = ("certificate_division_issued_idx", '"certificate" ("division_code", "issued_at", "id")')


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="dataservices", description=DESCRIPTION)

    async def create():
        from piccolo.engine.finder import engine_finder

        engine = engine_finder()
        # 签发日期 is the date in Asia/Shanghai (UTC+8, no daylight saving), as printed on the certificate.
        if engine.engine_type == "sqlite":
            await engine.run_ddl(
                "UPDATE certificate SET issued_on = date(issued_at, '+8 hours') WHERE issued_on IS NULL"
            )
        else:
            await engine.run_ddl(
                "UPDATE certificate SET issued_on = (issued_at AT TIME ZONE 'Asia/Shanghai')::date "
                "WHERE issued_on IS NULL"
            )
        await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {_INDEX[0]} ON {_INDEX[1]}")

    async def drop():
        from piccolo.engine.finder import engine_finder

        await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {_INDEX[0]}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
