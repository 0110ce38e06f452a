"""The sign-in area (staff login, 2FA, password; pages in portal/pages) and, under the same Piccolo app, the administration area."""

from __future__ import annotations

from portal.admin.area import ADMIN
from portal.areas import Area
from portal.auth.permissions import ADMIN_PERMISSIONS
from portal.auth.service import load_staff_principal
from portal.pages import login_controllers

AUTH = Area(
    name="auth",
    handlers=login_controllers.ROUTES,
    permissions=ADMIN_PERMISSIONS,
    principal_loaders={"staff": load_staff_principal},
)

AREAS = [AUTH, ADMIN]
