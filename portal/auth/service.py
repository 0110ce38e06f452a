"""Staff accounts: loading the Principal of a staff session."""

from __future__ import annotations

import json
from typing import Any

from portal.auth.login import session_predates_password
from portal.auth.principal import Principal
from portal.auth.tables import Role, StaffRole, StaffScope, StaffUser
from portal.db import fetch_keyed

# One round trip per request instead of three (user, roles, scopes): the account row first, then one row per
# role ('r', code, permissions) and per scope ('s', kind, code). Nothing is cached, so deactivating an account
# or changing its roles takes effect on its very next request.
_PRINCIPAL_SQL = (
    'SELECT u.id AS id, u.display_name AS display_name, u.active AS active, '
    'u.must_change_password AS must_change_password, u.password_changed_at AS password_changed_at, 0 AS part, 0 AS k, CAST(NULL AS TEXT) AS a, CAST(NULL AS TEXT) AS b '
    'FROM staff_user u WHERE u.id = {} '
    'UNION ALL SELECT sr.staff, NULL, NULL, NULL, NULL, 1, sr.id, r.code, CAST(r.permissions AS TEXT) '
    'FROM staff_role sr JOIN "role" r ON r.id = sr.role WHERE sr.staff = {} '
    'UNION ALL SELECT sc.staff, NULL, NULL, NULL, NULL, 2, sc.id, sc.kind, sc.code FROM staff_scope sc WHERE sc.staff = {} '
    'ORDER BY part, k'
)


async def load_staff_principal(session: dict[str, Any]) -> Principal | None:
    uid = session.get("uid")
    if not isinstance(uid, int):
        return None
    rows = await fetch_keyed(_PRINCIPAL_SQL, uid, uid, uid)
    if not rows or rows[0]["part"] != 0 or not rows[0]["active"]:
        return None
    # A password changed (by its owner elsewhere, or reset by an administrator) ends every older session.
    if session_predates_password(session, rows[0]["password_changed_at"]):
        return None
    user = rows[0]
    roles: set[str] = set()
    permissions: set[str] = set()
    scopes: dict[str, list[str]] = {}
    for row in rows[1:]:
        if row["part"] == 1:
            roles.add(row["a"])
            permissions.update(json.loads(row["b"]) if row["b"] else [])
        else:
            scopes.setdefault(row["a"], []).append(row["b"])
    return Principal(
        kind="staff",
        account_id=user["id"],
        display_name=user["display_name"],
        roles=frozenset(roles),
        permissions=frozenset(permissions),
        scopes={k: tuple(v) for k, v in scopes.items()},
        must_change_password=bool(user["must_change_password"]),
    )


__all__ = ["Role", "StaffRole", "StaffScope", "StaffUser", "load_staff_principal"]
