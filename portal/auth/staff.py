"""Staff administration use-cases: users, roles, jurisdictions, password resets — each audited with before/after."""

from __future__ import annotations

import json
import secrets
import string
from datetime import UTC, datetime
from typing import Any

from portal import audit
from portal.auth import login
from portal.auth.passwords import Passwords, password_problems
from portal.auth.permissions import PERMISSIONS
from portal.auth.tables import Role, StaffRole, StaffScope, StaffUser
from portal.db import current_engine, is_sqlite, write_transaction
from portal.refusal import Refused
from portal.settings import SecuritySettings
from portal.validators import mask_id_number

ADMIN_ROLE = "admin"
# Holding these is what makes someone an administrator; nobody may take them from themselves.
ADMIN_PERMISSIONS = ("admin.staff", "admin.roles")
SCOPE_KINDS = {"division": "行政区划", "squad": "监察中队", "agency": "审核机构"}
# Dictionary category behind each scope kind.
SCOPE_CATEGORIES = {"division": "division", "squad": "squad", "agency": "review_agency"}


def _now() -> datetime:
    return datetime.now(UTC)


def temporary_password() -> str:
    """16 characters of four kinds: passes both the 等保 and the ASVS policy."""
    alphabet = string.ascii_letters + string.digits + "@#%+=?"
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(16))
        if not password_problems(pw, "dengbao") and not password_problems(pw, "asvs") and any(
            c in "@#%+=?" for c in pw
        ):
            return pw


def contains(column: Any, pattern: str) -> Any:
    """Case-insensitive LIKE: ILIKE on PostgreSQL; SQLite's LIKE already ignores ASCII case."""
    return column.like(pattern) if is_sqlite(current_engine()) else column.ilike(pattern)


def _perms(raw: Any) -> list[str]:
    return json.loads(raw) if isinstance(raw, str) else list(raw or [])


async def list_staff(q: str = "", *, page: int = 1, per_page: int = 20) -> tuple[list[dict[str, Any]], int]:
    """Users whose username, name or mobile contains `q`, with their role names."""
    query = StaffUser.select(
        StaffUser.id, StaffUser.username, StaffUser.display_name, StaffUser.mobile, StaffUser.active,
        StaffUser.last_login_at, StaffUser.totp_secret,
    )
    count = StaffUser.count()
    if q:
        pattern = f"%{q.replace('%', '').replace('_', '')}%"
        cond = contains(StaffUser.username, pattern) | contains(StaffUser.display_name, pattern) | contains(
            StaffUser.mobile, pattern
        )
        query, count = query.where(cond), count.where(cond)
    total = await count
    rows = await query.order_by(StaffUser.username).limit(per_page).offset((page - 1) * per_page)
    if rows:
        links = await StaffRole.select(StaffRole.staff, StaffRole.role.name).where(
            StaffRole.staff.is_in([r["id"] for r in rows])
        )
        names: dict[int, list[str]] = {}
        for link in links:
            names.setdefault(link["staff"], []).append(link["role.name"])
        for r in rows:
            r["roles"] = names.get(r["id"], [])
            r["has_totp"] = bool(r.pop("totp_secret"))
    return rows, total


async def get_staff(uid: int) -> dict[str, Any] | None:
    user = await StaffUser.select(
        StaffUser.id, StaffUser.username, StaffUser.display_name, StaffUser.mobile, StaffUser.active,
        StaffUser.must_change_password, StaffUser.totp_secret, StaffUser.last_login_at, StaffUser.created_at,
        StaffUser.ecard_id_number,
    ).where(StaffUser.id == uid).first()
    if user is None:
        return None
    user["has_totp"] = bool(user.pop("totp_secret"))
    card = user.pop("ecard_id_number")
    user["ecard"] = mask_id_number(card) if card else ""
    user["role_ids"] = sorted(r["role"] for r in await StaffRole.select(StaffRole.role).where(StaffRole.staff == uid))
    scopes: dict[str, list[str]] = {k: [] for k in SCOPE_KINDS}
    for s in await StaffScope.select(StaffScope.kind, StaffScope.code).where(StaffScope.staff == uid):
        scopes.setdefault(s["kind"], []).append(s["code"])
    user["scopes"] = {k: sorted(v) for k, v in scopes.items()}
    return user


def _snapshot(user: dict[str, Any]) -> dict[str, Any]:
    return {
        k: user.get(k) for k in ("username", "display_name", "mobile", "active", "role_ids", "scopes")
    }


async def _role_permissions(role_ids: list[int]) -> set[str]:
    perms: set[str] = set()
    if role_ids:
        for r in await Role.select(Role.permissions).where(Role.id.is_in(role_ids)):
            perms.update(_perms(r["permissions"]))
    return perms


async def _write_links(uid: int, role_ids: list[int], scopes: dict[str, list[str]]) -> None:
    await StaffRole.delete().where(StaffRole.staff == uid)
    await StaffScope.delete().where(StaffScope.staff == uid)
    if role_ids:
        await StaffRole.insert(*[StaffRole(staff=uid, role=rid) for rid in role_ids])
    rows = [StaffScope(staff=uid, kind=kind, code=code) for kind, codes in scopes.items() for code in codes]
    if rows:
        await StaffScope.insert(*rows)


async def create_staff(
    passwords: Passwords, actor: Any, ip: str, *, username: str, display_name: str, mobile: str,
    role_ids: list[int], scopes: dict[str, list[str]],
) -> tuple[int, str]:
    """A new user with a temporary password (returned once) that must be changed at first login."""
    if await StaffUser.exists().where(StaffUser.username == username):
        raise Refused("该用户名已被使用", "username")
    temp = temporary_password()
    password_hash = await passwords.hash(temp)
    async with write_transaction():
        row = StaffUser(
            username=username, display_name=display_name, mobile=mobile, password_hash=password_hash,
            password_changed_at=_now(), must_change_password=True, active=True, created_at=_now(),
        )
        await row.save()
        await _write_links(row.id, role_ids, scopes)
    after = {"username": username, "display_name": display_name, "mobile": mobile, "active": True,
             "role_ids": sorted(role_ids), "scopes": scopes}
    await audit.record(
        category="admin", action="staff_create", actor=actor, ip=ip, object_type="staff", object_id=row.id,
        detail={"before": None, "after": after},
    )
    return row.id, temp


async def update_staff(
    actor: Any, ip: str, uid: int, *, display_name: str, mobile: str, active: bool,
    role_ids: list[int], scopes: dict[str, list[str]],
) -> None:
    before = await get_staff(uid)
    if before is None:
        raise LookupError(uid)
    if uid == actor.account_id:
        if not active:
            raise Refused("不能停用自己的账户", "active")
        if not set(ADMIN_PERMISSIONS) <= await _role_permissions(role_ids):
            raise Refused("不能取消自己的管理员角色", "roles")
    async with write_transaction():
        await StaffUser.update(
            {StaffUser.display_name: display_name, StaffUser.mobile: mobile, StaffUser.active: active}
        ).where(StaffUser.id == uid)
        await _write_links(uid, role_ids, scopes)
    after = {**before, "display_name": display_name, "mobile": mobile, "active": active,
             "role_ids": sorted(role_ids), "scopes": {k: sorted(v) for k, v in scopes.items()}}
    await audit.record(
        category="admin", action="staff_update", actor=actor, ip=ip, object_type="staff", object_id=uid,
        detail={"before": _snapshot(before), "after": _snapshot(after)},
    )


async def reset_password(passwords: Passwords, actor: Any, ip: str, uid: int) -> str:
    """A new temporary password, shown to the administrator once; the user must change it at next login.

    The user's sessions end (they predate the new password) and a lockout is lifted: the administrator
    has just handed over a password to sign in with.
    """
    user = await StaffUser.select(StaffUser.username).where(StaffUser.id == uid).first()
    if user is None:
        raise LookupError(uid)
    temp = temporary_password()
    password_hash = await passwords.hash(temp)
    async with write_transaction():
        await StaffUser.update(
            {StaffUser.password_hash: password_hash, StaffUser.must_change_password: True,
             StaffUser.password_changed_at: _now()}
        ).where(StaffUser.id == uid)
        await login.clear_failures(user["username"])
    await audit.record(
        category="admin", action="staff_reset_password", actor=actor, ip=ip, object_type="staff", object_id=uid,
        detail={"before": {"must_change_password": None}, "after": {"must_change_password": True, "locked": False}},
    )
    return temp


async def unlock(settings: SecuritySettings, actor: Any, ip: str, uid: int) -> bool:
    """解锁: forget the counted sign-in attempts of the user; False (nothing audited) when it was not locked."""
    user = await StaffUser.select(StaffUser.username).where(StaffUser.id == uid).first()
    if user is None:
        raise LookupError(uid)
    if not await login.is_locked(user["username"], settings):
        return False
    await login.clear_failures(user["username"])
    await audit.record(
        category="security", action="staff_unlock", actor=actor, ip=ip, object_type="staff", object_id=uid,
        detail={"before": {"locked": True}, "after": {"locked": False}},
    )
    return True


async def reset_totp(actor: Any, ip: str, uid: int) -> None:
    """Forget the user's authenticator: they enrol a new one at next login."""
    user = await StaffUser.select(StaffUser.totp_secret).where(StaffUser.id == uid).first()
    if user is None:
        raise LookupError(uid)
    async with write_transaction():
        await StaffUser.update({StaffUser.totp_secret: ""}).where(StaffUser.id == uid)
    await audit.record(
        category="admin", action="staff_reset_totp", actor=actor, ip=ip, object_type="staff", object_id=uid,
        detail={"before": {"has_totp": bool(user["totp_secret"])}, "after": {"has_totp": False}},
    )


async def change_own_password(
    passwords: Passwords, policy: str, uid: int, current: str, new: str, ip: str, actor: Any = None
) -> dict[str, str]:
    """Field → message for each problem; empty when the password was changed."""
    user = await StaffUser.select(StaffUser.username, StaffUser.password_hash).where(StaffUser.id == uid).first()
    if user is None:
        raise LookupError(uid)
    if not await passwords.verify(user["password_hash"], current):
        return {"current_password": "当前密码不正确"}
    if problems := password_problems(new, policy, username=user["username"]):
        return {"new_password": "；".join(problems)}
    if await passwords.verify(user["password_hash"], new):
        return {"new_password": "新密码不能与当前密码相同"}
    password_hash = await passwords.hash(new)
    async with write_transaction():
        await StaffUser.update(
            {StaffUser.password_hash: password_hash, StaffUser.must_change_password: False,
             StaffUser.password_changed_at: _now()}
        ).where(StaffUser.id == uid)
    await audit.record(
        category="login", action="password_change", actor=actor, ip=ip, object_type="staff", object_id=uid,
        actor_name=user["username"],
    )
    return {}


async def list_roles() -> list[dict[str, Any]]:
    rows = await Role.select().order_by(Role.code)
    for r in rows:
        r["permissions"] = _perms(r["permissions"])
        r["labels"] = [PERMISSIONS.get(p, p) for p in r["permissions"]]
    counts = await StaffRole.select(StaffRole.role).where(StaffRole.role.is_in([r["id"] for r in rows])) if rows else []
    for r in rows:
        r["users"] = sum(1 for c in counts if c["role"] == r["id"])
    return rows


async def get_role(role_id: int) -> dict[str, Any] | None:
    row = await Role.select().where(Role.id == role_id).first()
    if row:
        row["permissions"] = _perms(row["permissions"])
    return row


async def save_role(
    actor: Any, ip: str, role_id: int | None, *, code: str, name: str, permissions: list[str]
) -> int:
    unknown = [p for p in permissions if p not in PERMISSIONS]
    if unknown:
        raise Refused("包含未注册的权限", "permissions")
    permissions = sorted(set(permissions))
    before = await get_role(role_id) if role_id else None
    if role_id and before is None:
        raise LookupError(role_id)
    clash = Role.exists().where(Role.code == code)
    if role_id:
        clash = clash.where(Role.id != role_id)
    if await clash:
        raise Refused("该角色代码已被使用", "code")
    if before:
        # Would this edit take administration away from the administrator making it?
        mine = [r["role"] for r in await StaffRole.select(StaffRole.role).where(StaffRole.staff == actor.account_id)]
        if role_id in mine:
            others = await _role_permissions([r for r in mine if r != role_id])
            if not set(ADMIN_PERMISSIONS) <= others | set(permissions):
                raise Refused("不能取消自己的管理员权限", "permissions")
    async with write_transaction():
        if before:
            await Role.update({Role.code: code, Role.name: name, Role.permissions: json.dumps(permissions)}).where(
                Role.id == role_id
            )
        else:
            row = Role(code=code, name=name, permissions=json.dumps(permissions))
            await row.save()
            role_id = row.id
    snap = (lambda r: {"code": r["code"], "name": r["name"], "permissions": r["permissions"]}) if before else None
    await audit.record(
        category="admin", action="role_update" if before else "role_create", actor=actor, ip=ip,
        object_type="role", object_id=role_id,
        detail={"before": snap(before) if snap else None,
                "after": {"code": code, "name": name, "permissions": permissions}},
    )
    return role_id


async def ensure_admin_role() -> int:
    """The built-in 系统管理员 role holding every admin.* permission (idempotent)."""
    perms = sorted(p for p in PERMISSIONS if p.startswith("admin."))
    async with write_transaction():
        row = await Role.select(Role.id, Role.permissions).where(Role.code == ADMIN_ROLE).first()
        if row is None:
            role = Role(code=ADMIN_ROLE, name="系统管理员", permissions=json.dumps(perms), builtin=True)
            await role.save()
            return role.id
        merged = sorted(set(_perms(row["permissions"])) | set(perms))
        await Role.update({Role.permissions: json.dumps(merged)}).where(Role.id == row["id"])
        return row["id"]


async def ensure_admin(
    passwords: Passwords, username: str, password: str, *, display_name: str = "系统管理员",
    must_change_password: bool = False,
) -> tuple[int, bool]:
    """Create the administrator, or make an existing user one again; (id, created). Idempotent."""
    role_id = await ensure_admin_role()
    existing = await StaffUser.select(StaffUser.id).where(StaffUser.username == username).first()
    created = existing is None
    password_hash = await passwords.hash(password) if created else ""
    async with write_transaction():
        if created:
            row = StaffUser(
                username=username, display_name=display_name, password_hash=password_hash,
                password_changed_at=_now(), must_change_password=must_change_password, active=True,
                created_at=_now(),
            )
            await row.save()
            uid = row.id
        else:
            uid = existing["id"]
            await StaffUser.update({StaffUser.active: True}).where(StaffUser.id == uid)
        if not await StaffRole.exists().where((StaffRole.staff == uid) & (StaffRole.role == role_id)):
            await StaffRole.insert(StaffRole(staff=uid, role=role_id))
        if not await StaffScope.exists().where(StaffScope.staff == uid):
            await StaffScope.insert(StaffScope(staff=uid, kind="division", code="460000"))
    await audit.record(
        category="admin", action="admin_ensure", actor_name="cli", object_type="staff", object_id=uid,
        detail={"username": username, "created": created},
    )
    return uid, created
