"""Piccolo app config of workflow."""

import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="workflow",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=table_finder(modules=["portal.workflow.tables"], exclude_imported=True),
    migration_dependencies=[
        "portal.auth.piccolo_app",
        "domains.employer.piccolo_app",
        "domains.person.piccolo_app",
    ],
    commands=[],
)
