"""The sign-in area (staff login, 2FA, password; pages in portal/pages) and, under the same Piccolo app, the administration area."""

from __future__ import annotations

from portal.admin.area import ADMIN
from portal.areas import Area
from portal.auth.permissions import ADMIN_PERMISSIONS
from portal.auth.service import load_staff_principal
from portal.auth.sessions import DatabaseStore
from portal.jobs import Periodic, Task
from portal.pages import ecard_controllers, login_controllers


async def purge_sessions(ctx: dict) -> None:
    await DatabaseStore.purge_expired()


AUTH = Area(
    name="auth",
    handlers=[*login_controllers.ROUTES, *ecard_controllers.ROUTES],
    on_shutdown=[ecard_controllers.close_client],
    permissions=ADMIN_PERMISSIONS,
    principal_loaders={"staff": load_staff_principal},
    # Expired server-side sessions (their rows outlive the cookie) go once an hour.
    periodic=[Periodic(Task("auth.purge_sessions", purge_sessions, timeout_s=600), "17 * * * *")],
)

AREAS = [AUTH, ADMIN]
