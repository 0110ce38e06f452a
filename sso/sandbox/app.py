"""The sandbox government-service network as its own Litestar application (own templates, tables, CSRF, cookies)."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import MutableScopeHeaders
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from portal.auth.passwords import Passwords
from portal.settings import ROOT, Settings
from sso.sandbox import api, flows, oidc, pages
from sso.sandbox.config import Client, SandboxConfig, Service
from sso.sandbox.keys import KeyRing

_CSP = "default-src 'self'; script-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"


def config_from_settings(settings: Settings, prefix: str, issuer: str) -> SandboxConfig:
    """Register the portal itself as the network's one client (OIDC) and one service (ticket)."""
    sso = settings.sso
    redirect_uris = (sso.redirect_uri,) if sso.redirect_uri else ()
    ticket_returns = (sso.ticket_return_url,) if sso.ticket_return_url else ()
    public_key = None
    if sso.client_auth == "private_key_jwt" and sso.client_key_file:
        from sso.oidc import client_key

        key = client_key(sso)
        public_key = {**key.as_dict(private=False), "kid": key.kid or key.thumbprint()}
    client = Client(secret=sso.client_secret, redirect_uris=redirect_uris, auth_method=sso.client_auth,
                    public_key=public_key)
    return SandboxConfig(
        prefix=prefix,
        issuer=issuer.rstrip("/"),
        clients={sso.client_id: client},
        services={sso.ticket_service_code: Service(password=sso.ticket_service_password, return_urls=ticket_returns)},
        https=settings.security.https,
    )


def _security_headers(app: ASGIApp) -> ASGIApp:
    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                # Mounted in the portal, the portal's stricter headers are already there: keep them.
                if "content-security-policy" not in headers:
                    headers["Content-Security-Policy"] = _CSP
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Cache-Control"] = "no-store"
            await send(message)

        await app(scope, receive, send_wrapper)

    return wrapped


def create_sandbox_app(settings: Settings, prefix: str = "", passwords: Passwords | None = None,
                       issuer: str = "http://127.0.0.1:8100") -> Litestar:
    config = config_from_settings(settings, prefix, issuer)
    app = Litestar(
        route_handlers=[*pages.ROUTES, *flows.ROUTES, *api.ROUTES, *oidc.ROUTES,
                        create_static_files_router(path="/static", directories=[Path(__file__).parent / "static"])],
        template_config=TemplateConfig(directory=ROOT / "templates" / "sandbox", engine=JinjaTemplateEngine),
        csrf_config=CSRFConfig(
            secret=settings.security.secret_key + ":sandbox-network",
            cookie_name="sbx_csrftoken",
            header_name="x-sbx-csrftoken",
            cookie_path=prefix or "/",
            cookie_secure=settings.security.https,
            cookie_httponly=True,
        ),
        middleware=[_security_headers],
        debug=False,
        openapi_config=None,
    )
    app.state.config = config
    app.state.passwords = passwords or Passwords(settings.security)
    app.state.seen_jti = {}
    app.state.signing_keys = KeyRing.load(settings.var_dir / "sandbox-network-jwk.json")
    return app
