"""The demo data set: built-in roles, the demo administrator and reviewer, then each domain's demo loader."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from portal.auth.passwords import Passwords, password_problems
from portal.auth.permissions import PERMISSIONS
from portal.auth.tables import Role, StaffRole, StaffScope, StaffUser
from portal.core.tables import DictEntry
from portal.db import write_transaction
from portal.settings import Settings

ADMIN = ("admin", "Admin@2026!", "系统管理员")
REVIEWER = ("reviewer", "Review@2026!", "审核员（演示）")
# ACC-9: the reviewer's 电子社保卡, typed on the sandbox "phone" page (PORTAL_ECARD_LOGIN=sandbox, as `make run`).
REVIEWER_CARD = "460100198503150025"
# Codes are "<module>.<action>"; "_" is accepted too, as some modules separate with it (lc_review).
REVIEW_ACTIONS = re.compile(r"[._](review|accept|approve|revoke)$")  # revoke: 证书管理 (certificate.revoke)


def builtin_roles() -> dict[str, tuple[str, list[str]]]:
    """code → (name, permissions), computed from every module's registered permissions."""
    from portal.areas import install_all

    install_all()  # every area's declared permissions
    codes = sorted(PERMISSIONS)
    return {
        "admin": ("管理员", [c for c in codes if c.startswith("admin.")]),
        "reviewer": ("审核员", [c for c in codes if REVIEW_ACTIONS.search(c)]),
        "operator": ("业务经办员", [c for c in codes if not c.startswith("admin.")]),
    }


async def _ensure_roles() -> dict[str, int]:
    """Create or refresh the built-in roles: permissions follow the code, so a new module's ones are added."""
    ids: dict[str, int] = {}
    for code, (name, permissions) in builtin_roles().items():
        row = await Role.select(Role.id).where(Role.code == code).first()
        if row is None:
            role = Role(code=code, name=name, permissions=json.dumps(permissions), builtin=True)
            await role.save()
            ids[code] = role.id
        else:
            await Role.update({Role.permissions: json.dumps(permissions), Role.builtin: True}).where(
                Role.id == row["id"]
            )
            ids[code] = row["id"]
    return ids


async def _ensure_user(
    passwords: Passwords, account: tuple[str, str, str], role_id: int, scopes: dict[str, list[str]]
) -> bool:
    """Create the account when missing (an existing one keeps its password); returns True when created."""
    username, password, display_name = account
    # Published in the README; they meet the 等保 composition rules (the fixed demo pair admin / Admin@2026!
    # would fail the extra "must not contain the user name" rule, so that one is not applied here).
    problems = password_problems(password, "dengbao")
    if problems:
        raise ValueError(f"demo password of {username} breaks the policy: {problems}")
    if await StaffUser.exists().where(StaffUser.username == username):
        return False
    now = datetime.now(UTC)
    user = StaffUser(
        username=username,
        display_name=display_name,
        password_hash=await passwords.hash(password),
        password_changed_at=now,
        created_at=now,
    )
    await user.save()
    await StaffRole(staff=user.id, role=role_id).save()
    for kind, codes in scopes.items():
        for code in codes:
            await StaffScope(staff=user.id, kind=kind, code=code).save()
    return True


async def load_demo() -> dict[str, bool]:
    """Idempotent: roles are refreshed, accounts created once, domain loaders called (they are idempotent too)."""
    settings = Settings.from_env()
    passwords = Passwords(settings.security)
    agencies = [r["code"] for r in await DictEntry.select(DictEntry.code).where(DictEntry.category == "review_agency")]
    squads = [r["code"] for r in await DictEntry.select(DictEntry.code).where(DictEntry.category == "squad")]
    created: dict[str, bool] = {}
    async with write_transaction():
        roles = await _ensure_roles()
        created["admin"] = await _ensure_user(passwords, ADMIN, roles["admin"], {"division": ["460000"]})
        created["reviewer"] = await _ensure_user(
            passwords,
            REVIEWER,
            roles["reviewer"],
            {"division": ["460000"], "agency": agencies, "squad": squads},
        )
        if not await StaffUser.exists().where(StaffUser.ecard_id_number == REVIEWER_CARD):
            await StaffUser.update({StaffUser.ecard_id_number: REVIEWER_CARD}).where(
                (StaffUser.username == REVIEWER[0]) & StaffUser.ecard_id_number.is_null())
    # Each area's demo loader (idempotent), in the order the areas ask for.
    from portal.areas import install_all

    for area in sorted((a for a in install_all() if a.demo), key=lambda a: a.demo_order):
        await area.demo()
        created[f"{area.name}.demo"] = True
    print("demo:", ", ".join(f"{k} {'created' if v else 'kept'}" if "." not in k else f"{k} loaded"
                             for k, v in created.items()))
    return created
