"""Staff test helpers: an app variant with other security settings, logging in, an administrator."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from tests.support.client import PortalClient
from tests.support.factories import make_staff

ADMIN_PERMISSIONS = ["admin.staff", "admin.roles", "admin.audit", "admin.dictionary"]


def app_with(app: Any, **security: Any) -> Any:
    """Another app instance (another worker) on the same database, with some security settings changed."""
    from portal.app import create_app

    settings = app.state.settings
    return create_app(dataclasses.replace(settings, security=dataclasses.replace(settings.security, **security)))


def client_for(app: Any) -> PortalClient:
    return PortalClient(app=app, base_url="http://testserver.local")


async def login(client: PortalClient, username: str, password: str, next: str = "/"):
    return await client.post_form("/login/staff", {"username": username, "password": password, "next": next})


async def make_admin(app: Any, username: str = "admin1", password: str = "Admin#2026x", **kw: Any) -> dict[str, Any]:
    return await make_staff(app, username, password, permissions=ADMIN_PERMISSIONS, display_name="管理员", **kw)


async def sign_in_admin(client: PortalClient, **kw: Any) -> dict[str, Any]:
    """An administrator (make_admin's arguments) and a session for them."""
    admin = await make_admin(client.app, **kw)
    await client.sign_in("staff", uid=admin["id"])
    return admin


def without_tokens(html: str) -> str:
    """The page with CSRF tokens blanked, to compare two responses for equality."""
    html = re.sub(r'name="_csrf_token" value="[^"]*"', 'name="_csrf_token" value=""', html)
    return re.sub(r'"x-csrftoken": "[^"]*"', '"x-csrftoken": ""', html)
