"""Route snapshot: every path + method + name is listed in tests/routes.snapshot, so no URL vanishes unnoticed.

After adding or renaming a route on purpose: `UPDATE_ROUTE_SNAPSHOT=1 .venv/bin/pytest tests/test_routes.py`
and commit tests/routes.snapshot with the change.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.security.routes import fresh_app, snapshot_lines

SNAPSHOT = Path(__file__).with_name("routes.snapshot")


def test_routes_match_the_snapshot():
    current = snapshot_lines(fresh_app())
    if os.environ.get("UPDATE_ROUTE_SNAPSHOT") == "1":
        SNAPSHOT.write_text("\n".join(current) + "\n", encoding="utf-8")
    expected = [line for line in SNAPSHOT.read_text(encoding="utf-8").splitlines() if line.strip()]
    missing = sorted(set(expected) - set(current))
    added = sorted(set(current) - set(expected))
    hint = "\nIf intended: UPDATE_ROUTE_SNAPSHOT=1 .venv/bin/pytest tests/test_routes.py, then commit tests/routes.snapshot"
    assert not missing, "routes disappeared:\n" + "\n".join(missing) + hint
    assert not added, "routes not in the snapshot:\n" + "\n".join(added) + hint


def test_no_request_passes_through_a_worker_thread():
    """Litestar runs a plain-function guard, before_request hook, dependency or handler in a worker thread on
    every request; the hand-over costs more than such a check (issue #15: four thread trips a page). Every one
    must be a coroutine (or a handler declared sync_to_thread=False), and so must the rate-limit predicates."""
    from litestar.utils.predicates import is_async_callable
    from litestar.utils.sync import AsyncCallable

    from portal.ratelimit import SharedRateLimitConfig

    app = fresh_app()
    threaded = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            threaded |= {f"{handler.name}: guard {getattr(g.func, '__qualname__', g.func)}"
                         for g in handler.resolve_guards() if isinstance(g, AsyncCallable)}
            hook = handler.resolve_before_request()
            if hook is not None and isinstance(hook, AsyncCallable):
                threaded.add(f"{handler.name}: before_request")
            if not is_async_callable(handler.fn) and getattr(handler, "sync_to_thread", False):
                threaded.add(f"{handler.name}: handler")
            threaded |= {f"{handler.name}: dependency {key}" for key, p in handler.resolve_dependencies().items()
                         if p.has_sync_callable and p.sync_to_thread}
    rules = [m.kwargs["config"] for m in app.middleware
             if isinstance(getattr(m, "kwargs", None), dict) and isinstance(m.kwargs.get("config"), SharedRateLimitConfig)]
    assert rules
    threaded |= {f"rate limit {r.name}" for r in rules if not is_async_callable(r.check_throttle_handler)}
    assert not threaded, "\n".join(sorted(threaded))
