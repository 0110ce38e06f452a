"""Configuration of the sandbox network: registered OAuth2 clients, ticket services, where it is mounted."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from litestar import Request


@dataclass(frozen=True)
class Client:
    secret: str
    # Exact redirect URIs. Empty: the embedded demo accepts `callback_path` on the caller's own origin only.
    redirect_uris: tuple[str, ...] = ()
    callback_path: str = "/sso/callback"
    # The registered token_endpoint_auth_method; for private_key_jwt the client's public key (a JWK).
    auth_method: str = "client_secret_basic"
    public_key: dict | None = None


@dataclass(frozen=True)
class Service:
    password: str
    return_urls: tuple[str, ...] = ()
    callback_path: str = "/sso/ticket"


@dataclass(frozen=True)
class SandboxConfig:
    prefix: str = ""
    issuer: str = "http://127.0.0.1:8100"
    clients: dict[str, Client] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    https: bool = False

    @property
    def service_passwords(self) -> dict[str, str]:
        return {k: v.password for k, v in self.services.items()}


def _same_origin(request: Request, url: str, path: str) -> bool:
    parts = urlsplit(url)
    host = request.headers.get("host", "")
    return parts.scheme in {"http", "https"} and parts.netloc == host and parts.path == path and not parts.fragment


def redirect_allowed(request: Request, client: Client, uri: str) -> bool:
    """OAuth2: the redirect_uri must equal a registered one exactly (RFC 9700 §4.1.3)."""
    if client.redirect_uris:
        return uri in client.redirect_uris
    parts = urlsplit(uri)
    return not parts.query and _same_origin(request, uri, client.callback_path)


def goto_allowed(request: Request, service: Service, goto: str) -> bool:
    """Ticket login: `goto` is a registered return URL (its query may carry the caller's own state)."""
    parts = urlsplit(goto)
    base = f"{parts.scheme}://{parts.netloc}{parts.path}"
    if parts.fragment:
        return False
    if service.return_urls:
        return base in service.return_urls
    return _same_origin(request, goto, service.callback_path)


def logout_return_allowed(request: Request, config: SandboxConfig, url: str) -> bool:
    """After logout the network returns only to the origin of a registered client (or, embedded, its own)."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or parts.fragment:
        return False
    origins = {urlsplit(u).netloc for c in config.clients.values() for u in c.redirect_uris}
    origins |= {urlsplit(u).netloc for s in config.services.values() for u in s.return_urls}
    return parts.netloc in origins or parts.netloc == request.headers.get("host", "")
