"""Rate limits (issue #16): public pages, certificate uploads and sign-in POSTs, counted per client address in a
store every app process shares (the database here; Redis when configured)."""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
import socket
import subprocess
import time

import httpx
import pytest

from portal import ratelimit
from portal.core.tables import RateLimitWindow
from portal.settings import RateLimitSettings
from tests.support.client import PortalClient


def _limited(app, **limits):
    """Another app process on the same database, with small limits."""
    from portal.app import create_app

    settings = app.state.settings
    return create_app(dataclasses.replace(settings, rate_limits=RateLimitSettings(**limits)))


def _client(app, address: str = "203.0.113.7") -> PortalClient:
    c = PortalClient(app=app)
    c._transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return c


async def test_public_pages_share_one_count_across_two_app_processes(app):
    one, two = _limited(app, public_per_minute=5), _limited(app, public_per_minute=5)
    async with _client(one) as a, _client(two) as b:
        answers = [await (a if i % 2 else b).get("/hr-agencies") for i in range(5)]
        assert [r.status_code for r in answers] == [200] * 5
        assert answers[-1].headers["RateLimit-Remaining"] == "0"
        refused = await a.get("/verify")
        assert refused.status_code == 429
        assert "操作过于频繁" in refused.text
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert refused.headers["RateLimit-Limit"] == "5"
        # Pages outside the rule are not counted nor refused.
        assert (await b.get("/login")).status_code == 200


async def test_each_client_address_has_its_own_count(app):
    limited = _limited(app, public_per_minute=2)
    async with _client(limited, "198.51.100.1") as a, _client(limited, "198.51.100.2") as b:
        assert [(await a.get("/verify")).status_code for _ in range(3)] == [200, 200, 429]
        assert (await b.get("/verify")).status_code == 200


async def test_sign_in_posts_are_limited_per_address(app):
    limited = _limited(app, sign_in_per_minute=3)
    async with _client(limited) as c:
        token = await c.csrf_token()
        statuses = []
        for i in range(4):
            r = await c.post("/login/staff", data={"_csrf_token": token, "username": f"nobody{i}", "password": "x"})
            statuses.append(r.status_code)
        assert statuses == [200, 200, 200, 429]
        assert (await c.get("/login")).status_code == 200  # the sign-in page itself is not a sign-in POST


async def test_certificate_upload_has_its_own_smaller_limit(app):
    limited = _limited(app, verify_upload_per_minute=1)
    async with _client(limited) as c:
        token = await c.csrf_token()
        first = await c.post("/verify", data={"_csrf_token": token})
        assert first.status_code != 429
        second = await c.post("/verify", data={"_csrf_token": token},
                              files={"file": ("a.pdf", b"%PDF-1.7", "application/pdf")})
        assert second.status_code == 429 and "操作过于频繁" in second.text


async def test_a_zero_limit_switches_the_rule_off(app):
    limited = _limited(app, public_per_minute=0)
    async with _client(limited) as c:
        assert {(await c.get("/verify")).status_code for _ in range(5)} == {200}
    assert await RateLimitWindow.count() == 0


async def test_the_window_restarts_after_a_minute(monkeypatch):
    store = ratelimit.DatabaseRateLimitStore()
    clock = [1_900_000_000.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: clock[0])
    assert [(await store.incr("t:1", 60))[0] for _ in range(3)] == [1, 2, 3]
    assert (await store.incr("t:1", 60))[1] == 1_900_000_060
    clock[0] += 60
    assert await store.incr("t:1", 60) == (1, 1_900_000_120)
    assert await store.get("t:1") == b"1"
    assert await store.expires_in("t:1") == 60


async def test_concurrent_requests_each_get_their_own_count():
    store = ratelimit.DatabaseRateLimitStore()
    counts = await asyncio.gather(*[store.incr("burst:1", 60) for _ in range(40)])
    assert sorted(hits for hits, _ in counts) == list(range(1, 41))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    proc = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",  # noqa: S603
                             "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)


async def test_with_redis_two_app_processes_share_the_count_in_redis(app, redis_url):
    from portal.app import create_app

    settings = dataclasses.replace(app.state.settings, redis_url=redis_url,
                                   rate_limits=RateLimitSettings(public_per_minute=4))
    one, two = create_app(settings), create_app(settings)
    async with _client(one) as a, _client(two) as b:
        statuses = [(await (a if i % 2 else b).get("/verify")).status_code for i in range(5)]
        assert statuses == [200, 200, 200, 200, 429]
        counts = await asyncio.gather(*[ratelimit.incr(one.stores.get(ratelimit.STORE), "burst:2") for _ in range(30)])
        assert sorted(h for h, _ in counts) == list(range(1, 31))
    assert await RateLimitWindow.count() == 0  # nothing went to the database
    for application in (one, two):
        await application.stores.get(ratelimit.STORE)._redis.aclose()
