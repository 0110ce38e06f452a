"""HTTP handlers of portal/admin: staff users, roles, audit and login logs, 字典 and holidays (each page module
lists its own)."""

from portal.admin import log_controllers, reference_controllers, role_controllers, staff_controllers

ROUTES = [*staff_controllers.ROUTES, *role_controllers.ROUTES, *log_controllers.ROUTES, *reference_controllers.ROUTES]
