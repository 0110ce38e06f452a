"""The sign-in area (staff login, 2FA, password) and, under the same Piccolo app, the administration area."""

from __future__ import annotations

from portal.admin.area import ADMIN
from portal.areas import Area
from portal.auth import controllers
from portal.auth.permissions import ADMIN_PERMISSIONS
from portal.auth.service import load_staff_principal

AUTH = Area(
    name="auth",
    handlers=controllers.ROUTES,
    permissions=ADMIN_PERMISSIONS,
    principal_loaders={"staff": load_staff_principal},
)

AREAS = [AUTH, ADMIN]
