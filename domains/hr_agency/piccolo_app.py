"""Piccolo app config of hr_agency."""

import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="hr_agency",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=table_finder(modules=["domains.hr_agency.tables"], exclude_imported=True),
    migration_dependencies=[
        "domains.employer.piccolo_app",
        "portal.workflow.piccolo_app",
    ],
    commands=[],
)
