"""Jobs on a queue engine (portal.jobs): each job row names its job on the queue; the heartbeat column goes."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-05T15:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "export_job, import_job: queue_key replaces heartbeat_at"

_PARAMS = {
    "length": 120, "default": "", "null": False, "primary_key": False, "unique": False, "index": False,
    "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False,
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="dataservices", description=DESCRIPTION)
    for class_name, table in (("ExportJob", "export_job"), ("ImportJob", "import_job")):
        manager.add_column(
            table_class_name=class_name, tablename=table, column_name="queue_key", db_column_name="queue_key",
            column_class_name="Varchar", column_class=Varchar, params=dict(_PARAMS), schema=None,
        )
        manager.drop_column(
            table_class_name=class_name, tablename=table, column_name="heartbeat_at", db_column_name="heartbeat_at",
            schema=None,
        )
    return manager

