"""EMP-2 moves to the employer app: this app no longer owns employer_filing (the table and its rows stay).

Nothing runs on the database (fake=True, on both engines): the table keeps its name, and the employer app adopted
it in employer 2026-12-05T12:00:00:000000, so this only removes EmployerFiling from this app's schema snapshot.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T12:00:02:000000"
VERSION = "1.38.0"
DESCRIPTION = "hand employer_filing (EMP-2) over to the employer app, unchanged"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="labor_contract", description=DESCRIPTION, fake=True)
    manager.drop_table(class_name="EmployerFiling", tablename="employer_filing", schema=None)
    return manager
