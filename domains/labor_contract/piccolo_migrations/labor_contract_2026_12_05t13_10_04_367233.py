from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Varchar

ID = "2026-12-05T13:10:04:367233"
VERSION = "1.38.0"
DESCRIPTION = "Contract.review_state: returned (退回补正, X-1b); choices only, no SQL"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="labor_contract", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="Contract",
        tablename="contract",
        column_name="review_state",
        db_column_name="review_state",
        params={
            "choices": Enum(
                "Review",
                {
                    "pending": "pending",
                    "approved": "approved",
                    "rejected": "rejected",
                    "returned": "returned",
                },
            )
        },
        old_params={
            "choices": Enum(
                "Review",
                {
                    "pending": "pending",
                    "approved": "approved",
                    "rejected": "rejected",
                },
            )
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
