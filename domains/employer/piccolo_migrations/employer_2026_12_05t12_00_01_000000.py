"""EMP-2 gets its own review permission: every role that held lc.review (which covered it) now holds it too.

employer.filing_review replaces lc.review on the employer filing's 办件 kind, so without this step the staff who
reviewed employer filings yesterday could not today. Runs after the auth app (see piccolo_app), both engines.
"""

import json

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T12:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "grant employer.filing_review to every role holding lc.review"

OLD, NEW = "lc.review", "employer.filing_review"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="employer", description=DESCRIPTION)

    async def grant():
        from piccolo.engine.finder import engine_finder
        from piccolo.querystring import QueryString

        engine = engine_finder()
        for row in await engine.run_querystring(QueryString('SELECT id, permissions FROM "role"')):
            raw = row["permissions"]
            permissions = json.loads(raw) if isinstance(raw, str) else list(raw or [])
            if OLD in permissions and NEW not in permissions:
                await engine.run_querystring(QueryString(
                    'UPDATE "role" SET permissions = {} WHERE id = {}', json.dumps([*permissions, NEW]), row["id"]))

    manager.add_raw(grant)
    return manager
