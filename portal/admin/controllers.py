"""HTTP handlers of portal/admin: staff users, roles, audit and login logs (each page module lists its own)."""

from portal.admin import log_controllers, role_controllers, staff_controllers

ROUTES = [*staff_controllers.ROUTES, *role_controllers.ROUTES, *log_controllers.ROUTES]
