"""Mounting the sandbox network inside the portal at /sandbox-network (when settings allow it)."""

from __future__ import annotations

from litestar import Litestar
from litestar.exceptions import NotFoundException
from litestar.handlers import asgi
from litestar.types import Receive, Scope, Send

from portal.auth.principal import PUBLIC

MOUNT = "/sandbox-network"
# The embedded sandbox's issuer: the back channel reaches it in-process, the browser under MOUNT on the portal's origin.
IN_PROCESS_ISSUER = "http://sandbox-network.internal"


def sandbox_app(portal: Litestar) -> Litestar:
    """The one sandbox app of this portal, built on first use (settings are only known in create_app)."""
    app = getattr(portal.state, "sandbox_app", None)
    if app is None:
        from sso.sandbox.app import create_sandbox_app

        app = create_sandbox_app(portal.state.settings, prefix=MOUNT, passwords=portal.state.passwords,
                                 issuer=IN_PROCESS_ISSUER)
        portal.state.sandbox_app = app
    return app


@asgi(MOUNT, is_mount=True, name="sandbox_network", opt=PUBLIC, copy_scope=True)
async def sandbox_network(scope: Scope, receive: Receive, send: Send) -> None:
    portal = scope["app"]
    if not portal.state.settings.sso.sandbox_enabled:
        raise NotFoundException()
    await sandbox_app(portal)(scope, receive, send)
