"""Certificates: who sealed them (signed_by) and an index on pdf_sha256 (an uploaded PDF is found by its hash)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-05T11:55:01:308834"
VERSION = "1.38.0"
DESCRIPTION = "certificate.signed_by; certificate (pdf_sha256)"

_INDEX = ("certificate_pdf_sha256_idx", '"certificate" ("pdf_sha256")')


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="dataservices", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Certificate",
        tablename="certificate",
        column_name="signed_by",
        db_column_name="signed_by",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 200,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    async def create():
        from piccolo.engine.finder import engine_finder

        await engine_finder().run_ddl(f"CREATE INDEX IF NOT EXISTS {_INDEX[0]} ON {_INDEX[1]}")

    async def drop():
        from piccolo.engine.finder import engine_finder

        await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {_INDEX[0]}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
