"""Walking every route of create_app(): shared by the guard test and the route snapshot."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

# Served without a guard on purpose: vendored CSS/JS/images only.
STATIC_PREFIX = "/static/"


def fresh_app() -> Any:
    """A new create_app(): other tests may register test-only routes on the shared session app."""
    from portal.app import create_app

    return create_app()


def handlers(app: Any) -> Iterator[tuple[str, str, Any]]:
    """(method, path, handler) for every handler the app registered, Litestar's automatic OPTIONS excluded."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", None) or [route.route_handler]:
            methods = sorted(getattr(handler, "http_methods", None) or ["ASGI"])
            if handler.name is None and methods == ["OPTIONS"]:
                continue
            for method in methods:
                yield method, route.path, handler


def snapshot_lines(app: Any) -> list[str]:
    return sorted({f"{method} {path} {handler.name}" for method, path, handler in handlers(app)})
