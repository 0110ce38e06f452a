"""Migration history: every app's migrations describe its tables, and EMP-2's move between apps keeps the data."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
from piccolo.apps.migrations.commands.new import AutoMigrationManager
from piccolo.conf.apps import Finder

ROOT = Path(__file__).resolve().parent.parent

# The last migration of each app before EMP-2 moved from labor_contract to employer (the "old shape").
OLD_SHAPE = {"employer": "2026-11-23T22:25:13:797857", "labor_contract": "2026-11-23T23:58:00:000000"}

# Run in a child process: piccolo_conf binds its engine to PORTAL_DATABASE_URL on import.
SCRIPT = r'''
import asyncio, json, sys
from datetime import datetime, timezone
from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.tables import Migration
from piccolo.engine.finder import engine_finder
from piccolo.querystring import QueryString

OLD_SHAPE = json.loads(sys.argv[1])


async def main():
    engine = engine_finder()
    for app in BaseMigrationManager().get_sorted_app_names():
        assert (await run_forwards(app, migration_id=OLD_SHAPE.get(app, "all"))).success, app
    at = datetime.now(timezone.utc)
    await engine.run_querystring(QueryString(
        "INSERT INTO employer (uscc, name, created_at, updated_at) VALUES ({}, {}, {}, {})",
        "91460000MA5T2QXXXX", "旧形态有限公司", at, at))
    employer = (await engine.run_querystring(QueryString("SELECT id FROM employer")))[0]["id"]
    for state, payload in (("approved", {"name": "旧形态有限公司"}), ("pending", {"name": "变更后有限公司"})):
        await engine.run_querystring(QueryString(
            "INSERT INTO employer_filing (employer, is_first, payload, review_agency, review_state, review_opinion,"
            " matter_id, created_at, updated_at) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {})",
            employer, state == "approved", json.dumps(payload, ensure_ascii=False), "460105", state, "", None, at, at))
    for code, permissions in (("old_reviewer", ["lc.review"]), ("admins", ["admin.staff"])):
        await engine.run_querystring(QueryString(
            'INSERT INTO "role" (code, name, permissions, builtin) VALUES ({}, {}, {}, {})',
            code, code, json.dumps(permissions), False))

    assert (await run_forwards("all")).success

    from domains.employer.tables import EmployerFiling
    from portal.auth.tables import Role

    rows = await EmployerFiling.select(EmployerFiling.id, EmployerFiling.review_state, EmployerFiling.payload).order_by(
        EmployerFiling.id)
    # A new filing after the move gets a fresh id (PostgreSQL's sequence moved with the table).
    new = EmployerFiling(employer=employer, payload="{}", review_agency="460105", created_at=at, updated_at=at)
    await new.save()
    roles = {r["code"]: r["permissions"] for r in await Role.select(Role.code, Role.permissions)}
    ran = [(r["app_name"], r["name"]) for r in await Migration.select(Migration.app_name, Migration.name)]
    print("RESULT " + json.dumps({"filings": rows, "new_id": new.id, "roles": roles, "ran": ran},
                                 ensure_ascii=False, default=str))


asyncio.run(main())
'''


async def test_every_app_s_migrations_describe_its_tables():
    """A fresh database and an upgraded one end with the same schema: `migrations new --auto` finds nothing to do."""
    for app in Finder().get_app_registry().app_configs.values():
        statements = await AutoMigrationManager(auto_input="n").get_alter_statements(app_config=app)
        assert [s.statements for s in statements if s.statements] == [], app.app_name


def _throwaway_database(tmp_path: Path) -> tuple[str, str | None]:
    """A database of its own: the suite's one is already migrated."""
    url = os.environ.get("PORTAL_TEST_DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp_path / 'old-shape.sqlite3'}", None
    name = f"portal_mig_{uuid.uuid4().hex[:12]}"
    return url.rsplit("/", 1)[0] + "/" + name, name


async def _pg(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def test_filings_filed_before_emp2_moved_to_the_employer_app_survive_the_upgrade(tmp_path):
    url, pg_name = _throwaway_database(tmp_path)
    server = os.environ.get("PORTAL_TEST_DATABASE_URL", "")
    if pg_name:
        await _pg(server, f'CREATE DATABASE "{pg_name}"')
    try:
        env = {**os.environ, "PORTAL_DATABASE_URL": url, "PICCOLO_CONF": "piccolo_conf"}
        done = await asyncio.to_thread(subprocess.run, [sys.executable, "-c", SCRIPT, json.dumps(OLD_SHAPE)],
                                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    finally:
        if pg_name:
            await _pg(server, f'DROP DATABASE IF EXISTS "{pg_name}"')
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.split("RESULT ", 1)[1])
    filings = result["filings"]
    assert [f["review_state"] for f in filings] == ["approved", "pending"]
    payload = filings[1]["payload"]
    assert (json.loads(payload) if isinstance(payload, str) else payload) == {"name": "变更后有限公司"}
    assert result["new_id"] > filings[1]["id"]
    roles = {code: json.loads(p) if isinstance(p, str) else p for code, p in result["roles"].items()}
    assert roles == {"old_reviewer": ["lc.review", "employer.filing_review"], "admins": ["admin.staff"]}
    ran = {tuple(r) for r in result["ran"]}
    assert {("employer", "2026-12-05T12:00:00:000000"), ("employer", "2026-12-05T12:00:01:000000"),
            ("labor_contract", "2026-12-05T12:00:02:000000")} <= ran
