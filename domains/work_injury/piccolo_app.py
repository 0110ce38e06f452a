"""Piccolo app config of work_injury."""

import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="work_injury",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=table_finder(modules=["domains.work_injury.tables"], exclude_imported=True),
    migration_dependencies=[
        "portal.workflow.piccolo_app",
        "domains.employer.piccolo_app",
        "domains.person.piccolo_app",
    ],
    commands=[],
)
