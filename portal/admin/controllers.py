"""HTTP handlers of portal/admin: staff users, roles, audit and login logs (each page module lists its own)."""

from portal.admin import log_pages, role_pages, staff_pages
from portal.web import NavItem, register_nav

register_nav(
    NavItem("工作人员管理", "admin_staff", "staff", permission="admin.staff", order=900),
    NavItem("业务角色管理", "admin_roles", "staff", permission="admin.roles", order=910),
    NavItem("登录日志", "admin_login_log", "staff", permission="admin.audit", order=920),
    NavItem("审计日志", "admin_audit", "staff", permission="admin.audit", order=930),
)

ROUTES = [*staff_pages.ROUTES, *role_pages.ROUTES, *log_pages.ROUTES]
