"""The provider for this portal: protocol and endpoints from settings; in-process sandbox when no base URL is set."""

from __future__ import annotations

import httpx
from litestar import Litestar, Request

from portal.auth.once import digest, spend_once
from sso.claims import ClaimMap
from sso.mount import IN_PROCESS_ISSUER, MOUNT, sandbox_app
from sso.oidc import Cache, OIDCProvider
from sso.providers import IdentityProvider, NetworkError, TicketProvider


def http_client(app: Litestar) -> httpx.AsyncClient:
    """One client per portal; tests may put their own on `app.state.sso_client` (e.g. a network that is down)."""
    client = getattr(app.state, "sso_client", None)
    if client is None:
        s = app.state.settings.sso
        if s.issuer or s.base_url:
            client = httpx.AsyncClient(base_url=s.issuer or s.base_url, timeout=s.timeout_s)
        elif s.sandbox_enabled:
            client = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=sandbox_app(app)), base_url=IN_PROCESS_ISSUER, timeout=s.timeout_s
            )
        else:
            raise NetworkError("尚未配置政务服务网统一身份认证，请联系管理员。", "no PORTAL_SSO_BASE_URL")
        app.state.sso_client = client
    return client


def provider(app: Litestar) -> IdentityProvider:
    s = app.state.settings.sso
    client = http_client(app)
    if s.protocol == "ticket":
        return TicketProvider(s, s.base_url or MOUNT, client)
    cache = getattr(app.state, "sso_cache", None)
    if cache is None:
        cache = app.state.sso_cache = Cache()
    issuer = s.issuer or s.base_url
    if issuer:
        return OIDCProvider(s, issuer, client, cache)
    return OIDCProvider(s, IN_PROCESS_ISSUER, client, cache, front=(IN_PROCESS_ISSUER, MOUNT))


def _origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"


def callback_url(request: Request) -> str:
    """A fixed setting in production; the demo derives it from the host the browser used."""
    s = request.app.state.settings.sso
    if s.protocol == "ticket":
        return s.ticket_return_url or f"{_origin(request)}/sso/ticket"
    return s.redirect_uri or f"{_origin(request)}/sso/callback"


def home_url(request: Request) -> str:
    return (request.app.state.settings.site.public_url or _origin(request)).rstrip("/") + "/"


async def remember_once(value: str) -> bool:
    """True the first time a code or ticket is seen; False on any replay (also across workers)."""
    return await spend_once("sso_code", digest(value))


async def check_settings(app: Litestar) -> None:
    """Start-up hook (the sso area's on_startup): a mistyped claim mapping or protocol stops the start-up,
    not the first citizen who signs in."""
    s = app.state.settings.sso
    if s.protocol not in {"oidc", "oauth2", "ticket"}:
        raise ValueError(f"PORTAL_SSO_PROTOCOL must be oidc or ticket, not {s.protocol!r}")
    if s.client_auth not in {"client_secret_basic", "client_secret_post", "private_key_jwt"}:
        raise ValueError(f"PORTAL_SSO_CLIENT_AUTH: unknown method {s.client_auth!r}")
    ClaimMap.from_settings(s)


async def close_client(app: Litestar) -> None:
    """Shutdown hook (the sso area's on_shutdown): the back-channel HTTP client."""
    client = getattr(app.state, "sso_client", None)
    if client is not None:
        await client.aclose()
        app.state.sso_client = None
