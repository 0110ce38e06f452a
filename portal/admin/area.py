"""The administration area: staff users, roles, audit and login logs (declared by portal.auth's area list)."""

from __future__ import annotations

from portal.admin import controllers
from portal.areas import Area
from portal.web import NavItem

ADMIN = Area(
    name="admin",
    handlers=controllers.ROUTES,
    nav=[
        NavItem("工作人员管理", "admin_staff", "staff", permission="admin.staff", order=900),
        NavItem("业务角色管理", "admin_roles", "staff", permission="admin.roles", order=910),
        NavItem("登录日志", "admin_login_log", "staff", permission="admin.audit", order=920),
        NavItem("审计日志", "admin_audit", "staff", permission="admin.audit", order=930),
    ],
)
