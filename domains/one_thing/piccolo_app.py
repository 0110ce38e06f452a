"""Piccolo app config of one_thing."""

import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="one_thing",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=table_finder(modules=["domains.one_thing.tables"], exclude_imported=True),
    migration_dependencies=[
        "domains.labor_contract.piccolo_app",
        "domains.personnel_change.piccolo_app",
    ],
    commands=[],
)
