"""Permission codes: each Area declares the ones it checks (portal.areas installs them); roles are sets of them."""

from __future__ import annotations

PERMISSIONS: dict[str, str] = {}


def register_permissions(permissions: dict[str, str]) -> None:
    PERMISSIONS.update(permissions)


# The platform's own codes, declared by portal.auth's area.
ADMIN_PERMISSIONS = {
    "admin.staff": "工作人员管理",
    "admin.roles": "业务角色管理",
    "admin.audit": "审计日志查阅",
    "admin.dictionary": "字典管理",
}
