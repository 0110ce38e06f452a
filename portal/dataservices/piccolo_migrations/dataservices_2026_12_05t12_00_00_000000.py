"""Stored PDFs: storage_path relative to the storage directory (was absolute: a restore elsewhere answered 404)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "stored_document and certificate: storage_path relative to settings.storage_dir"


def relative(path: str) -> str:
    """'/srv/portal/var/storage/documents/ab.pdf' → 'documents/ab.pdf' (files live in <storage>/documents/)."""
    if not path.startswith("/"):
        return path
    parts = [p for p in path.split("/") if p]
    return "/".join(parts[-2:])


async def migrate() -> None:
    from piccolo.engine.finder import engine_finder
    from piccolo.querystring import QueryString

    engine = engine_finder()
    for table in ("stored_document", "certificate"):
        rows = await engine.run_querystring(
            QueryString(f'SELECT id, storage_path FROM "{table}" WHERE storage_path LIKE \'/%\''))
        for row in rows:
            await engine.run_querystring(QueryString(f'UPDATE "{table}" SET storage_path = {{}} WHERE id = {{}}',
                                                     relative(row["storage_path"]), row["id"]))


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="dataservices", description=DESCRIPTION)
    manager.add_raw(migrate)
    return manager
