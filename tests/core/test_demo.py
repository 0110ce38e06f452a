"""The demo data set: built-in roles from every module's permissions, demo accounts, idempotent."""

from __future__ import annotations

import json
import re

from portal.auth.passwords import password_problems
from portal.auth.permissions import PERMISSIONS
from portal.auth.tables import Role, StaffRole, StaffScope, StaffUser
from seeds.demo import ADMIN, REVIEWER, load_demo
from tests.support.urls import url_for


async def test_demo_is_idempotent_and_roles_follow_the_permissions(app, client):
    await load_demo()
    counts = [await StaffUser.count(), await Role.count(), await StaffRole.count(), await StaffScope.count()]
    await Role.update({Role.permissions: "[]"}).where(Role.code == "admin")  # stale role from an older release
    await load_demo()
    assert [await StaffUser.count(), await Role.count(), await StaffRole.count(), await StaffScope.count()] == counts
    roles = {r["code"]: json.loads(r["permissions"]) if isinstance(r["permissions"], str) else r["permissions"]
             for r in await Role.select(Role.code, Role.permissions)}
    assert set(roles["admin"]) == {p for p in PERMISSIONS if p.startswith("admin.")}
    assert {"admin.dictionary", "admin.staff", "admin.roles", "admin.audit"} <= set(roles["admin"])
    reviewing = {p for p in PERMISSIONS if re.search(r"[._](review|accept|approve|revoke|grade)$", p)}
    assert set(roles["reviewer"]) == reviewing and not any(p.startswith("admin.") for p in roles["reviewer"])
    assert "certificate.revoke" in reviewing  # the demo reviewer reaches 证书管理
    assert "ins.grade" in reviewing  # and 信用等级 (the demo's appeal waits for them)
    assert set(roles["operator"]) == {p for p in PERMISSIONS if not p.startswith("admin.")}
    from portal.hall.tables import Notice  # the hall's demo notice, once

    assert await Notice.count().where(Notice.status == "published") == 1


async def test_demo_accounts_sign_in_with_the_published_passwords(app, client):
    await load_demo()
    for username, password, _ in (ADMIN, REVIEWER):
        assert password_problems(password, "dengbao") == []
        response = await client.post_form(url_for("login_staff"), {"username": username, "password": password})
        assert response.status_code in (302, 303), (username, response.text[:300])
        await client.post_form(url_for("logout"))
    reviewer = await StaffUser.select(StaffUser.id).where(StaffUser.username == "reviewer").first()
    scopes = {(s["kind"], s["code"]) for s in await StaffScope.select().where(StaffScope.staff == reviewer["id"])}
    assert ("division", "460000") in scopes and ("agency", "460105") in scopes and ("squad", "Z460105001") in scopes
