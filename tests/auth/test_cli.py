"""`python -m portal.cli create-admin`: policy checked, idempotent, the admin can log in."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from portal.auth.tables import Role, StaffRole, StaffUser
from tests.support.staff import login
from tests.support.urls import url_for

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str, password_env: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if password_env is not None:
        env["PORTAL_ADMIN_PASSWORD"] = password_env
    return subprocess.run(
        [sys.executable, "-m", "portal.cli", "create-admin", *args], cwd=ROOT, env=env, capture_output=True,
        text=True, stdin=subprocess.DEVNULL, timeout=120,
    )


async def test_create_admin_is_idempotent_and_checks_the_policy(app, client):
    weak = _cli("--username", "root", "--password", "short")
    assert weak.returncode == 2 and "密码不符合安全策略" in weak.stderr
    assert not await StaffUser.exists().where(StaffUser.username == "root")
    first = _cli("--username", "root", password_env="Strong#Admin2026")
    assert first.returncode == 0, first.stderr
    assert "已创建" in first.stdout and "Strong#Admin2026" not in first.stdout + first.stderr
    second = _cli("--username", "root", "--password", "Another#Pass2026")
    assert second.returncode == 0 and "已存在" in second.stdout
    assert await StaffUser.count().where(StaffUser.username == "root") == 1
    role = await Role.select().where(Role.code == "admin").first()
    assert "admin.staff" in role["permissions"] and "admin.roles" in role["permissions"]
    assert await StaffRole.count() == 1
    # The first password still works (the second run did not change it); the admin reaches the admin pages.
    response = await login(client, "root", "Strong#Admin2026", next=url_for("admin_staff"))
    assert response.headers["location"] == url_for("admin_staff")
    assert (await client.get(url_for("admin_staff"))).status_code == 200
