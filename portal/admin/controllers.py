"""HTTP handlers of portal/admin: staff users, roles, audit and login logs (each page module lists its own)."""

from portal.admin import log_pages, role_pages, staff_pages

ROUTES = [*staff_pages.ROUTES, *role_pages.ROUTES, *log_pages.ROUTES]
