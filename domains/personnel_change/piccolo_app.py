"""Piccolo app config of personnel_change."""

import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="personnel_change",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=table_finder(modules=["domains.personnel_change.tables"], exclude_imported=True),
    migration_dependencies=[
        "domains.social_insurance.piccolo_app",
    ],
    commands=[],
)
