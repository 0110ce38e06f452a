"""Rate limits of the public pages and sign-in, counted in a store every app process shares (issue #16).

Litestar's RateLimitMiddleware keeps a history per client in a Store and reads, extends and writes it back under
a lock of its own process: two app processes reading the same history both pass, so N processes let through up to
N times the limit. Here the count is ONE atomic step in the shared store — `INCR` in Redis (litestar's
RedisStore, when PORTAL_REDIS_URL is set) or an `INSERT … ON CONFLICT DO UPDATE … RETURNING` on the
rate_limit_window table otherwise — in fixed windows of one minute per rule and client address.

The client address is the connection's (`request.client.host`). Behind a reverse proxy, start uvicorn with
`--proxy-headers --forwarded-allow-ips=<the proxy's address>` so that it is the browser's, not the proxy's.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from litestar.exceptions import TooManyRequestsException
from litestar.middleware.rate_limit import CacheObject, RateLimitConfig, RateLimitMiddleware
from litestar.stores.base import Store

from portal.core.tables import RateLimitWindow
from portal.db import fetch

if TYPE_CHECKING:
    from litestar import Request
    from litestar.types import Receive, Scope, Send

    from portal.settings import Settings

STORE = "rate_limit"
WINDOW_S = 60
# Expired windows are deleted now and then by a request (one DELETE per this many counted requests of a process),
# so the table holds about one row per rule and client address seen in the last minute.
_PURGE_EVERY = 500


class DatabaseRateLimitStore(Store):
    """Counters in the rate_limit_window table: the shared store when no Redis is configured.

    `incr` is what the middleware uses; the other Store methods read and write the same counters (a value is the
    count as text) so the store is a complete litestar Store.
    """

    def __init__(self) -> None:
        self._since_purge = 0

    async def incr(self, key: str, window_s: int) -> tuple[int, int]:
        """Count one request for `key`: (requests in the current window, Unix time the window ends)."""
        now = int(time.time())
        table = RateLimitWindow._meta.tablename
        # One statement on both engines (SQLite ≥ 3.35): concurrent requests of any process each get their own
        # count; an ended window restarts at 1 in the same statement.
        rows = await fetch(
            f'INSERT INTO "{table}" ("key", "hits", "reset_at") VALUES ({{}}, 1, {{}}) ON CONFLICT ("key") DO UPDATE SET '
            f'"hits" = CASE WHEN "{table}"."reset_at" <= {{}} THEN 1 ELSE "{table}"."hits" + 1 END, '
            f'"reset_at" = CASE WHEN "{table}"."reset_at" <= {{}} THEN EXCLUDED."reset_at" ELSE "{table}"."reset_at" END '
            f'RETURNING "hits", "reset_at"',
            key, now + window_s, now, now,
        )
        self._since_purge += 1
        if self._since_purge >= _PURGE_EVERY:
            self._since_purge = 0
            await RateLimitWindow.delete().where(RateLimitWindow.reset_at <= now)
        return int(rows[0]["hits"]), int(rows[0]["reset_at"])

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        hits = int(value.decode() if isinstance(value, bytes) else value)
        seconds = int(expires_in.total_seconds() if isinstance(expires_in, timedelta) else expires_in or WINDOW_S)
        table = RateLimitWindow._meta.tablename
        await fetch(
            f'INSERT INTO "{table}" ("key", "hits", "reset_at") VALUES ({{}}, {{}}, {{}}) ON CONFLICT ("key") '
            f'DO UPDATE SET "hits" = EXCLUDED."hits", "reset_at" = EXCLUDED."reset_at"',
            key, hits, int(time.time()) + seconds,
        )

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        row = await RateLimitWindow.select(RateLimitWindow.hits).where(
            (RateLimitWindow.key == key) & (RateLimitWindow.reset_at > int(time.time()))).first()
        return None if row is None else str(row["hits"]).encode()

    async def delete(self, key: str) -> None:
        await RateLimitWindow.delete().where(RateLimitWindow.key == key)

    async def delete_all(self) -> None:
        await RateLimitWindow.delete(force=True)

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        row = await RateLimitWindow.select(RateLimitWindow.reset_at).where(RateLimitWindow.key == key).first()
        return None if row is None else max(0, row["reset_at"] - int(time.time()))


async def _redis_incr(store: Any, key: str, window_s: int) -> tuple[int, int]:
    """INCR in litestar's RedisStore (its namespace kept): the window starts with the key's first request."""
    name = store._make_key(key)  # the store's namespace prefix
    async with store._redis.pipeline(transaction=True) as pipe:  # MULTI … EXEC: one atomic step
        pipe.set(name, 0, ex=window_s, nx=True)
        pipe.incr(name)
        pipe.ttl(name)
        _, hits, ttl = await pipe.execute()
    return int(hits), int(time.time()) + max(int(ttl), 0)


async def incr(store: Store, key: str, window_s: int = WINDOW_S) -> tuple[int, int]:
    if isinstance(store, DatabaseRateLimitStore):
        return await store.incr(key, window_s)
    return await _redis_incr(store, key, window_s)


def make_store(settings: Settings) -> Store:
    """litestar's RedisStore when PORTAL_REDIS_URL is set, else the database."""
    if settings.redis_url:
        from litestar.stores.redis import RedisStore

        return RedisStore.with_client(url=settings.redis_url, namespace="portal_rate_limit")
    return DatabaseRateLimitStore()


@dataclass
class SharedRateLimitConfig(RateLimitConfig):
    """One rule: `name` keys its counters, `methods` and `paths` (regular expressions on the path) choose requests."""

    name: str = ""
    methods: frozenset[str] = frozenset({"GET", "HEAD"})
    paths: tuple[str, ...] = ()
    _pattern: re.Pattern[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._pattern = re.compile("|".join(f"(?:{p})" for p in self.paths))

        async def applies(request: Request) -> bool:  # a coroutine: Litestar runs a plain function in a thread
            return self.applies(request.scope)

        self.check_throttle_handler = applies
        self.middleware_class = SharedRateLimitMiddleware
        self.store = STORE
        super().__post_init__()

    def applies(self, scope: Scope) -> bool:
        """Whether the rule counts this request (its method and path), read straight from the ASGI scope."""
        return scope["method"] in self.methods and self._pattern.fullmatch(scope["path"]) is not None


class SharedRateLimitMiddleware(RateLimitMiddleware):
    """RateLimitMiddleware whose count is one atomic step in the shared store (see the module's docstring)."""

    config: SharedRateLimitConfig

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Most requests match no rule: they pass without a Request object or a call through Litestar's
        # check_throttle_handler (issue #15: every rule is on every request's path).
        if scope["type"] == "http" and self.config.applies(scope):
            app = scope["litestar_app"]
            request = app.request_class(scope)
            key = f"{self.config.name}:{self.get_identifier_for_request(request)}"
            hits, reset = await incr(self.config.get_store_from_app(app), key, WINDOW_S)
            # The headers of litestar's middleware are built from a history: `hits` entries stand for them.
            counted = CacheObject(history=[0] * hits, reset=reset)
            if hits > self.max_requests:
                headers = self.create_response_headers(cache_object=counted)
                headers["Retry-After"] = str(max(reset - int(time.time()), 1))
                raise TooManyRequestsException(detail="操作过于频繁，请一分钟后再试。", headers=headers)
            send = self.create_send_wrapper(send=send, cache_object=counted)
        await self.app(scope, receive, send)


def rules(settings: Settings) -> list[SharedRateLimitConfig]:
    """The platform's rules; a rule whose limit is 0 is left out."""
    limits = settings.rate_limits
    found = [
        SharedRateLimitConfig(rate_limit=("minute", limits.public_per_minute), name="public",
                              paths=(r"/hr-agencies(/.*)?", r"/verify(/[^/]+)?")),
        SharedRateLimitConfig(rate_limit=("minute", limits.verify_upload_per_minute), name="verify_upload",
                              methods=frozenset({"POST"}), paths=(r"/verify",)),
        SharedRateLimitConfig(rate_limit=("minute", limits.sign_in_per_minute), name="sign_in",
                              methods=frozenset({"POST"}), paths=(r"/login/[a-z_]+",)),
    ]
    return [r for r in found if r.rate_limit[1] > 0]

