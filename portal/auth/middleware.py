"""Forced password change: a staff member who must change the password reaches only that page and logout."""

from __future__ import annotations

from urllib.parse import quote

from litestar.types import ASGIApp, Receive, Scope, Send

ALLOWED_PREFIXES = ("/account/password", "/logout", "/static/")


class PasswordChangeMiddleware:
    """Runs after PrincipalMiddleware: redirects every other request while the change is pending."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal = scope.get("user") if scope["type"] == "http" else None
        if (
            principal is not None
            and principal.is_staff
            and (principal.must_change_password or (scope.get("session") or {}).get("pw_expired"))
            and not scope["path"].startswith(ALLOWED_PREFIXES)
        ):
            target = "/account/password"
            if scope["method"] == "GET":
                target += "?next=" + quote(scope["path"], safe="")
            headers = dict(scope["headers"])
            if headers.get(b"hx-request") == b"true":
                response = [(b"hx-redirect", target.encode())]
                status = 200
            else:
                response = [(b"location", target.encode())]
                status = 303
            await send({"type": "http.response.start", "status": status,
                        "headers": [*response, (b"content-length", b"0"), (b"cache-control", b"no-store")]})
            await send({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, send)
