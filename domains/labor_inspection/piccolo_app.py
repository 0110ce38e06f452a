"""Piccolo app config of labor_inspection."""

import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="labor_inspection",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=table_finder(modules=["domains.labor_inspection.tables"], exclude_imported=True),
    migration_dependencies=[
        "portal.workflow.piccolo_app",
    ],
    commands=[],
)
