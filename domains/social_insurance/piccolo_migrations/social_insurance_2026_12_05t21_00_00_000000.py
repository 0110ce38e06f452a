from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-05T21:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "si_enrolment.person_name (a copy of person.name for 姓名包含)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="social_insurance", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="SiEnrolment",
        tablename="si_enrolment",
        column_name="person_name",
        db_column_name="person_name",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 40,
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

    return manager
