"""A crawl of every page shape each role can reach by following links, for the whole-site browser checks.

`crawl_site(browser, live, role, width, visit)` signs in as the role (demo accounts, through the real login
forms), then walks same-origin links breadth-first. Pages are deduplicated by shape (numbers and tokens in the
path, and query values, do not count), so `/matters/12` and `/matters/13?page=2` are one page.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

# Downloads, sign-out and the sandbox network are not pages of the portal.
SKIP = re.compile(
    r"export=|download=|\.pdf|\.xlsx|/documents/|/template|failed-rows|/logout|/sandbox-network|^/sso/|/static/"
    r"|/materials/|/export"
)
# Query keys whose value picks another page rather than another view of the same one.
PAGE_KEYS = {"tab"}
ROLES = ("anonymous", "legal_rep", "agent", "person", "admin", "reviewer")
MAX_PAGES = 150


@dataclass
class Visit:
    role: str
    url: str  # path and query
    status: int
    html: str = ""  # as the server sent it (before any script ran)


def shape(url: str) -> str:
    parts = urlsplit(url)
    segments = []
    for seg in parts.path.split("/"):
        if re.fullmatch(r"\d+|\d{4}-\d\d-\d\d|[A-Za-z0-9_-]{20,}|[A-Z]{2,4}\d{6,}", seg):
            segments.append("{}")
        else:
            segments.append(seg)
    keys = sorted(f"{k}={v}" if k in PAGE_KEYS else k for k, v in parse_qsl(parts.query, keep_blank_values=True))
    return "/".join(segments) + ("?" + "&".join(keys) if keys else "")


def _network_login(page: Any, live: Any, tab: str, login_name: str, password: str, uscc: str = "") -> None:
    page.goto(live.url(f"/login?tab={'person' if tab == 'natural' else 'employer'}"))
    with page.expect_navigation():
        page.get_by_role("link", name="前往政务服务网登录").click()
    if tab == "agent":
        with page.expect_navigation():
            page.get_by_role("link", name="经办人登录").click()
        page.fill("#s-uscc", uscc)
    page.fill("#s-login_name", login_name)
    page.fill("#s-password", password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    if "/employer/agent/confirm" in page.url:  # the demo agent confirms its authorisation at the first login
        with page.expect_navigation():
            page.get_by_role("button", name="确认接受授权并登录").click()


def sign_in(page: Any, live: Any, role: str) -> None:
    from seeds.demo_identities import AGENT, EMPLOYERS, PERSONS

    if role == "anonymous":
        return
    if role in {"admin", "reviewer"}:
        live.login_staff(page, role, {"admin": "Admin@2026!", "reviewer": "Review@2026!"}[role])
    elif role == "legal_rep":
        _network_login(page, live, "legal", EMPLOYERS[0].uscc, EMPLOYERS[0].password)
    elif role == "agent":
        _network_login(page, live, "agent", AGENT.id_number, AGENT.password, uscc=EMPLOYERS[0].uscc)
    elif role == "person":
        _network_login(page, live, "natural", PERSONS[0].id_number, PERSONS[0].password)
    assert page.locator("[data-testid=whoami]").count() == 1, f"{role} did not sign in ({page.url})"


def crawl_site(
    browser: Any, live: Any, role: str, *, width: int, visit: Callable[[Any, Visit], None],
    elder: bool = False, limit: int = MAX_PAGES,
) -> list[Visit]:
    """Visit every page shape the role reaches from `/`; `visit(page, v)` checks each HTML page answered 200."""
    context = browser.new_context(base_url=live.base_url, locale="zh-CN", viewport={"width": width, "height": 800})
    context.set_default_timeout(15_000)
    if elder:
        context.add_cookies([{"name": "elder", "value": "1", "url": live.base_url}])
    page = context.new_page()
    visited: list[Visit] = []
    try:
        sign_in(page, live, role)
        origin = urlsplit(live.base_url).netloc
        queue: deque[str] = deque(["/"])
        seen = {shape("/")}
        while queue and len(visited) < limit:
            url = queue.popleft()
            response = page.goto(live.url(url))
            if response is None or "text/html" not in response.headers.get("content-type", ""):
                continue
            here = urlsplit(page.url)
            v = Visit(role, here.path + (f"?{here.query}" if here.query else ""), response.status, response.text())
            visited.append(v)
            if response.status != 200:
                continue
            visit(page, v)
            for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
                parts = urlsplit(href)
                if parts.netloc != origin or parts.scheme not in {"http", "https"}:
                    continue
                target = parts.path + (f"?{parts.query}" if parts.query else "")
                key = shape(target)
                if key in seen or SKIP.search(target):
                    continue
                seen.add(key)
                queue.append(target)
    finally:
        context.close()
    return visited
