"""Staff accounts: loading the Principal of a staff session."""

from __future__ import annotations

import json
from typing import Any

from portal.auth.principal import Principal, register_loader
from portal.auth.tables import Role, StaffRole, StaffScope, StaffUser


async def load_staff_principal(session: dict[str, Any]) -> Principal | None:
    uid = session.get("uid")
    if not isinstance(uid, int):
        return None
    user = await StaffUser.select(
        StaffUser.id, StaffUser.username, StaffUser.display_name, StaffUser.active, StaffUser.must_change_password
    ).where(StaffUser.id == uid).first()
    if user is None or not user["active"]:
        return None
    roles = await StaffRole.select(StaffRole.role.code, StaffRole.role.permissions).where(StaffRole.staff == uid)
    permissions: set[str] = set()
    for r in roles:
        perms = r["role.permissions"]
        permissions.update(json.loads(perms) if isinstance(perms, str) else perms or [])
    scopes: dict[str, list[str]] = {}
    for s in await StaffScope.select(StaffScope.kind, StaffScope.code).where(StaffScope.staff == uid):
        scopes.setdefault(s["kind"], []).append(s["code"])
    return Principal(
        kind="staff",
        account_id=user["id"],
        display_name=user["display_name"],
        roles=frozenset(r["role.code"] for r in roles),
        permissions=frozenset(permissions),
        scopes={k: tuple(v) for k, v in scopes.items()},
        must_change_password=user["must_change_password"],
    )


register_loader("staff", load_staff_principal)

__all__ = ["Role", "load_staff_principal"]
