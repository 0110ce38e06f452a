"""Browser tests: the portal served by uvicorn in a subprocess on its own SQLite database, driven by Playwright.

Fixtures: `live` (the running portal: base_url, url(), run(), make_staff(), login_staff(), unique()),
`browser` (Chromium, session-wide), `context` and `page` (fresh per test, base_url set to the live portal).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
T = TypeVar("T")
_lock = threading.Lock()  # one engine swap at a time (see LiveServer.run)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)


FAILURES = Path(tempfile.gettempdir()) / "portal-browser-failures"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[pytest.TestReport]:
    """A failed browser test reports the server's log tail and leaves a full-page screenshot behind."""
    report = yield
    funcargs = getattr(item, "funcargs", {})
    if report.when == "call" and report.failed and isinstance(funcargs.get("live"), LiveServer):
        report.sections.append(("portal server log (tail)", funcargs["live"].log_tail()))
        page = funcargs.get("page")
        if page is not None:
            FAILURES.mkdir(exist_ok=True)
            shot = FAILURES / f"{item.name}.png"
            try:
                page.screenshot(path=str(shot), full_page=True)
                report.sections.append(("screenshot", f"{shot} (at {page.url})"))
            except Exception as exc:  # a crashed page must not hide the original failure
                report.sections.append(("screenshot", f"not taken: {exc}"))
    return report


@pytest.fixture(autouse=True)
def _clean_db() -> Iterator[None]:
    """Overrides the in-process suite's table wipe: browser tests share one live database (use unique names)."""
    yield


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """The portal running in a subprocess; `run()` executes async factory code against the same database."""

    def __init__(self, base_url: str, db_url: str, var_dir: Path, env: dict[str, str]) -> None:
        self.base_url = base_url
        self.db_url = db_url
        self.var_dir = var_dir
        self.env = env
        self._engine = None
        self._counter = itertools.count(1)

    def log_tail(self, chars: int = 4000) -> str:
        path = self.var_dir / "server.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def unique(self, prefix: str = "u") -> str:
        """A name no other test in this session uses (the live database is not wiped between tests)."""
        return f"{prefix}{os.getpid() % 1000}{next(self._counter):03d}"

    def run(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """`await fn(*args, **kwargs)` against the live server's database and return its result.

        Runs in a worker thread with its own event loop, with every Piccolo table (and piccolo_conf.DB,
        which write_transaction() uses) pointed at the live database for the duration, then restored.
        """
        with _lock, ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(self._run_swapped, fn, args, kwargs).result()

    def _run_swapped(self, fn: Callable[..., Awaitable[T]], args: tuple, kwargs: dict) -> T:
        from piccolo.conf.apps import Finder

        import piccolo_conf
        from portal.core import dictionary
        from portal.db import make_engine
        from portal.settings import DatabaseSettings

        if self._engine is None:
            self._engine = make_engine(DatabaseSettings(url=self.db_url))
        tables = Finder().get_table_classes()
        saved_db, saved_tables = piccolo_conf.DB, {t: t._meta._db for t in tables}
        piccolo_conf.DB = self._engine
        for table in tables:
            table._meta.db = self._engine
        try:
            return asyncio.run(fn(*args, **kwargs))
        finally:
            piccolo_conf.DB = saved_db
            for table, db in saved_tables.items():
                table._meta._db = db
            dictionary.invalidate()  # the in-process cache may now hold the live database's entries

    def session(self, **payload: Any) -> str:
        """A server-side session's id (kind=employer|person with their ids, as the network leaves it)."""
        async def create() -> str:
            from portal.auth.sessions import DatabaseStore

            sid = secrets.token_urlsafe(32)
            await DatabaseStore().set(sid, json.dumps({"auth_at": time.time(), **payload}).encode(), expires_in=1800)
            return sid

        return self.run(create)

    def sign_in(self, context: Any, **payload: Any) -> str:
        """live.session() put in a browser context's cookie jar."""
        sid = self.session(**payload)
        context.add_cookies([{"name": "portal_session", "value": sid, "url": self.base_url}])
        return sid

    def make_staff(
        self,
        username: str,
        password: str = "Test@2026pw",  # noqa: S107
        *,
        permissions: list[str] | tuple[str, ...] = (),
        scopes: dict[str, list[str]] | None = None,
        display_name: str = "测试工作人员",
        **overrides: Any,
    ) -> dict[str, Any]:
        """A staff user in the live database (same rules as tests.support.factories.make_staff)."""
        from portal.auth.passwords import Passwords
        from portal.settings import SecuritySettings
        from tests.support.factories import make_staff

        async def create() -> dict[str, Any]:
            cheap = SecuritySettings(secret_key="unused", argon2_time_cost=1, argon2_memory_cost=8192)  # noqa: S106
            app = SimpleNamespace(state=SimpleNamespace(passwords=Passwords(cheap)))
            return await make_staff(
                app, username, password, permissions=permissions, scopes=scopes, display_name=display_name,
                **overrides,
            )

        return self.run(create)

    def login_staff(self, page: Any, username: str, password: str, next: str = "/") -> None:
        """Sign in through the staff login form (2FA is off on the live server) and wait for the landing page."""
        page.goto(self.url(f"/login?tab=staff&next={next}"))
        page.fill("#f-username", username)
        page.fill("#f-password", password)
        with page.expect_navigation():
            page.click("form[action='/login/staff'] button[type=submit]")


def _start(env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen:
    log = log_path.open("ab")
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "uvicorn", "--factory", "portal.app:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )


def _wait_until_up(proc: subprocess.Popen, url: str, log_path: Path, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the portal exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own http://127.0.0.1 URL)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the portal did not answer {url} within {timeout_s}s:\n{log_path.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def live() -> Iterator[LiveServer]:
    """Migrate a fresh SQLite database, load reference + demo data, serve it with uvicorn on a free port."""
    var_dir = Path(tempfile.mkdtemp(prefix="portal-live-"))
    db_url = f"sqlite:///{var_dir / 'live.sqlite3'}"
    env = {
        **os.environ,
        "PORTAL_VAR_DIR": str(var_dir),
        "PORTAL_DATABASE_URL": db_url,
        "PORTAL_SECRET_KEY": "browser-test-secret-key-0123456789abcdef",
        "PORTAL_STAFF_2FA": "0",
        "PORTAL_ECARD_LOGIN": "sandbox",  # as `make run`: the 电子社保卡 scan login against the sandbox platform
        "PORTAL_HTTPS": "0",
        "PORTAL_ARGON2_TIME_COST": "1",
        "PORTAL_ARGON2_MEMORY_COST": "8192",
        "PICCOLO_CONF": "piccolo_conf",
        "XDG_CONFIG_HOME": str(var_dir / "xdg-config"),
        "XDG_CACHE_HOME": str(var_dir / "xdg-cache"),
    }
    env.pop("PORTAL_TEST_DATABASE_URL", None)
    for step in (["-m", "piccolo.main", "migrations", "forwards", "all"], ["-m", "seeds", "demo"]):
        done = subprocess.run(  # noqa: S603
            [sys.executable, *step], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if done.returncode:
            raise RuntimeError(f"{' '.join(step)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    port = _free_port()
    log_path = var_dir / "server.log"
    proc = _start(env, port, log_path)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(proc, base_url + "/healthz", log_path)
        yield LiveServer(base_url, db_url, var_dir, env)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(var_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def browser(live: LiveServer) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            env={**os.environ, "XDG_CONFIG_HOME": live.env["XDG_CONFIG_HOME"],
                 "XDG_CACHE_HOME": live.env["XDG_CACHE_HOME"]},
        )
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Any, live: LiveServer) -> Iterator[Any]:
    """A fresh browser profile per test: no cookies, so no session or 长辈版 left over from another test."""
    ctx = browser.new_context(base_url=live.base_url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any) -> Iterator[Any]:
    """A page whose console errors (e.g. a CSP violation) are collected in `page.console_errors`."""
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.console_errors = errors
    yield pg
    pg.close()
