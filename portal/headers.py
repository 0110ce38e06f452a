"""Security headers on every response, and the Origin check for unsafe methods (SECURITY 13, 15)."""

from __future__ import annotations

from urllib.parse import urlsplit

from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from portal.settings import Settings

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in {"http", "https"} and parts.netloc else ""


def network_origin(settings: Settings) -> str:
    """The sign-in network's own origin, where 退出 sends the browser after a form post (empty: same origin)."""
    s = settings.sso
    return next((o for o in map(_origin, (s.end_session_endpoint, s.issuer, s.base_url)) if o), "")


def csp(settings: Settings) -> str:
    """form-action 'self' plus exactly the configured network origin, so the logout redirect reaches it."""
    origin = network_origin(settings)
    return CSP.replace("form-action 'self'", f"form-action 'self' {origin}") if origin else CSP


def form_action_allows(settings: Settings, url: str) -> bool:
    origin = _origin(url)
    return not origin or origin == network_origin(settings)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.https = settings.security.https
        self.csp = csp(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] in _UNSAFE and not _same_origin(scope):
            from portal.audit import security_event

            await security_event(scope, "origin_rejected", result="denied")
            await _forbidden(send)
            return
        path = scope["path"]

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                headers["Content-Security-Policy"] = self.csp
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "same-origin"
                headers["X-Frame-Options"] = "DENY"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                if self.https:
                    headers["Strict-Transport-Security"] = "max-age=31536000"
                if not path.startswith("/static/") and "cache-control" not in headers:
                    # Pages carry personal data: the back button after logout must show nothing.
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_wrapper)


def _same_origin(scope: Scope) -> bool:
    headers = dict(scope["headers"])
    origin = headers.get(b"origin")
    if origin is None:
        # Browsers send Origin on every unsafe request; tools and old clients are held by the CSRF token.
        return True
    host = headers.get(b"host", b"")
    return origin.split(b"://", 1)[-1] == host


async def _forbidden(send: Send) -> None:
    body = "请求来源不被允许（403）".encode()
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
