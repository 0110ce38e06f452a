"""The administration area: staff users, roles, audit and login logs, 字典 and holidays (declared by portal.auth's area list)."""

from __future__ import annotations

from portal.admin import controllers, reference_controllers
from portal.areas import Area
from portal.web import NavItem

ADMIN = Area(
    name="admin",
    handlers=controllers.ROUTES,
    nav=[
        NavItem("工作人员管理", "admin_staff", "staff", permission="admin.staff", order=900,
                description="账号、角色、管辖范围和密码重置"),
        NavItem("业务角色管理", "admin_roles", "staff", permission="admin.roles", order=910,
                description="角色及其办理权限"),
        NavItem("登录日志", "admin_login_log", "staff", permission="admin.audit", order=920,
                description="登录成功、失败和锁定记录"),
        NavItem("审计日志", "admin_audit", "staff", permission="admin.audit", order=930,
                description="查询、导出并校验操作日志"),
        *reference_controllers.NAV,
    ],
)
