"""Permission codes: each module registers the ones it checks; roles (业务角色) are sets of them."""

from __future__ import annotations

PERMISSIONS: dict[str, str] = {}


def register_permissions(permissions: dict[str, str]) -> None:
    PERMISSIONS.update(permissions)


register_permissions(
    {
        "admin.staff": "工作人员管理",
        "admin.roles": "业务角色管理",
        "admin.audit": "审计日志查阅",
        "admin.dictionary": "字典管理",
    }
)
