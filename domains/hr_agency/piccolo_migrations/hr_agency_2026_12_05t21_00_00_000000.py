from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt
from piccolo.columns.column_types import Date
from piccolo.columns.column_types import Integer
from piccolo.columns.column_types import Text
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-05T21:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the 名录's listing table (hra_register), kept by register.refresh()"


def _params(**overrides):
    return {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **overrides,
    }


_COLUMNS = (
    ("uid", BigInt, _params(default=0, primary_key=True)),
    ("holder", Integer, _params(default=0, index=True)),
    ("name", Varchar, _params(length=420, default="")),
    ("division_code", Varchar, _params(length=9, default="")),
    ("region", Varchar, _params(length=6, default="")),
    ("address", Varchar, _params(length=200, default="")),
    ("services_label", Text, _params(default="")),
    ("licence_no", Varchar, _params(length=60, default="")),
    ("valid_until", Date, _params(default=None, null=True)),
    ("filing_no", Varchar, _params(length=60, default="")),
)


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="hr_agency", description=DESCRIPTION
    )

    manager.add_table(
        class_name="RegisterEntry",
        tablename="hra_register",
        schema=None,
        columns=None,
    )

    for name, column_class, params in _COLUMNS:
        manager.add_column(
            table_class_name="RegisterEntry",
            tablename="hra_register",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )

    return manager
