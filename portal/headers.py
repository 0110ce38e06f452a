"""Security headers on every response (a before_send hook), and the Origin check for unsafe methods (SECURITY 13, 15)."""

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


def security_headers(settings: Settings):
    """A before_send hook: Litestar calls it for every response, including the router's own 404/405 and the
    403s of the CSRF and Origin checks, which never reach a route's middleware (issue #12 item 4)."""
    https = settings.security.https
    policy = csp(settings)

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start" or scope.get("type") != "http":
            return
        headers = MutableScopeHeaders.from_message(message)
        headers["Content-Security-Policy"] = policy
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["X-Frame-Options"] = "DENY"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if https:
            headers["Strict-Transport-Security"] = "max-age=31536000"
        if not scope["path"].startswith("/static/") and "cache-control" not in headers:
            # Pages carry personal data: the back button after logout must show nothing.
            headers["Cache-Control"] = "no-store"

    return add_headers


class OriginCheckMiddleware:
    """A foreign Origin on an unsafe method is refused before anything else runs (SECURITY 13)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in _UNSAFE and not _same_origin(scope):
            from portal.audit import security_event

            await security_event(scope, "origin_rejected", result="denied")
            await _forbidden(send)
            return
        await self.app(scope, receive, send)


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
