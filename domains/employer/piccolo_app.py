"""Piccolo app config of employer."""

import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="employer",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=table_finder(modules=["domains.employer.tables"], exclude_imported=True),
    migration_dependencies=[
        "portal.core.piccolo_app",
        # The EMP-2 permission migration rewrites auth's roles.
        "portal.auth.piccolo_app",
    ],
    commands=[],
)
