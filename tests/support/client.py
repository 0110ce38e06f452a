"""PortalClient: a test client that sends the CSRF token like a browser and checks every page it renders."""

from __future__ import annotations

import json
import secrets
import time
from collections import Counter
from typing import Any

import html5lib
import httpx
from bs4 import BeautifulSoup

from portal.auth.sessions import DatabaseStore


class PageError(AssertionError):
    pass


def accessibility_problems(soup: BeautifulSoup) -> list[str]:
    """Structure rules a validator or screen reader trips over (issue #14 item 5)."""
    problems = []
    root = soup.body or soup  # a fragment has no body: its first heading sets the level
    headings = root.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])
    previous = 1 if soup.body else (int(headings[0].name[1]) if headings else 1)
    for heading in headings:
        level = int(heading.name[1])
        if level > previous + 1:
            problems.append(f"heading jumps h{previous}→h{level}: {heading.get_text(strip=True)[:30]}")
        previous = level
    for tag in soup.find_all(["span", "div"], attrs={"aria-label": True}):
        if not tag.get("role"):
            problems.append(f"aria-label on a plain <{tag.name}>: {str(tag)[:80]}")
    for form in soup.find_all("form"):
        if form.find_parent(["span", "p", "a", "button", "label"]):
            problems.append(f"<form> inside phrasing content: {str(form)[:80]}")
    for box in soup.find_all(attrs={"tabindex": "0"}):
        if box.name in {"div", "section"} and not (box.get("role") and (box.get("aria-label") or box.get("aria-labelledby"))):
            problems.append(f"focusable box without a role and name: {str(box)[:80]}")
    return problems


_TOLERATED = {"unexpected-character-in-unquoted-attribute-value"}


def check_page(html: str, url: str = "") -> BeautifulSoup:
    """The page parses as HTML5, has a title, no duplicate ids, every form has action, method and CSRF, and the
    structure rules of accessibility_problems() hold."""
    parser = html5lib.HTMLParser(strict=False)
    parser.parse(html)
    bad = [e for e in parser.errors if e[1] not in _TOLERATED]
    if bad:
        raise PageError(f"{url}: HTML parse errors {bad[:3]}")
    soup = BeautifulSoup(html, "html.parser")
    title = soup.title.get_text(strip=True) if soup.title else ""
    if not title:
        raise PageError(f"{url}: page has no <title>")
    return _check_parts(soup, url)


def check_fragment(html: str, url: str = "") -> BeautifulSoup:
    """What htmx swaps in (a block, a modal body, a form re-rendered with its errors): the checks of check_page
    but the title, and headings judged from the fragment's first one (its level depends on where it lands)."""
    parser = html5lib.HTMLParser(strict=False)
    parser.parseFragment(html)
    bad = [e for e in parser.errors if e[1] not in _TOLERATED]
    if bad:
        raise PageError(f"{url}: HTML parse errors in the fragment {bad[:3]}")
    return _check_parts(BeautifulSoup(html, "html.parser"), url)


def check_html(html: str, url: str = "") -> BeautifulSoup:
    """check_page for a whole document, check_fragment for anything else."""
    head = html.lstrip()[:15].lower()
    return check_page(html, url) if head.startswith(("<!doctype", "<html")) else check_fragment(html, url)


def _check_parts(soup: BeautifulSoup, url: str) -> BeautifulSoup:
    ids = Counter(tag["id"] for tag in soup.find_all(id=True))
    dupes = [i for i, n in ids.items() if n > 1]
    if dupes:
        raise PageError(f"{url}: duplicate ids {dupes}")
    for form in soup.find_all("form"):
        if not form.get("action") or not form.get("method"):
            raise PageError(f"{url}: a form lacks action or method: {str(form)[:120]}")
        if form["method"].lower() == "post" and not form.find("input", attrs={"name": "_csrf_token"}):
            raise PageError(f"{url}: a POST form lacks the CSRF field: {str(form)[:120]}")
    if problems := accessibility_problems(soup):
        raise PageError(f"{url}: {problems[:3]}")
    return soup


class PortalClient(httpx.AsyncClient):
    """Adds `page()` (GET and check), `post_form()` (with CSRF), `sign_in()` (a session of any kind) and
    `sign_in_employer()` / `sign_in_person()` / `sign_in_staff()` (the usual sessions).

    Redirects are not followed: tests assert where a form sends the user.
    """

    def __init__(self, app: Any, base_url: str = "http://testserver.local") -> None:
        # httpx's ASGI transport runs the app in the test's own event loop (Litestar's test client uses a
        # thread per request, which breaks pooled PostgreSQL connections and real concurrency tests).
        super().__init__(transport=httpx.ASGITransport(app=app), base_url=base_url, follow_redirects=False)
        self.app = app

    async def csrf_token(self) -> str:
        token = self.cookies.get("csrftoken")
        if not token:
            await self.get("/")
            token = self.cookies.get("csrftoken")
        assert token, "no CSRF cookie was set"
        return token

    async def page(self, url: str, *, status: int = 200, htmx: bool = False, **kwargs: Any) -> BeautifulSoup:
        headers = kwargs.pop("headers", {})
        if htmx:
            headers["HX-Request"] = "true"
        response = await self.get(url, headers=headers, **kwargs)
        assert response.status_code == status, f"GET {url}: {response.status_code} != {status}\n{response.text[:500]}"
        if htmx:
            return check_fragment(response.text, url)
        return check_page(response.text, url)

    async def post_form(
        self, url: str, data: dict[str, Any] | None = None, *, files: Any = None, htmx: bool = False, **kwargs: Any
    ):
        data = dict(data or {})
        data.setdefault("_csrf_token", await self.csrf_token())
        headers = kwargs.pop("headers", {})
        if htmx:
            headers["HX-Request"] = "true"
            headers["x-csrftoken"] = data["_csrf_token"]
        response = await self.post(url, data=data, files=files, headers=headers, **kwargs)
        if response.status_code < 300 and response.headers.get("content-type", "").startswith("text/html"):
            check_html(response.text, f"POST {url}")  # a form re-rendered with its errors, or an htmx answer
        return response

    async def sign_in(self, kind: str, **data: Any) -> None:
        """Start a session directly (staff: uid=…; employer: employer_id=…; person: person_id=…)."""
        session_id = secrets.token_urlsafe(32)
        payload = {"kind": kind, "auth_at": time.time(), **data}
        await DatabaseStore().set(session_id, json.dumps(payload).encode(), expires_in=1800)
        self.cookies.set("portal_session", session_id, domain="testserver.local")

    # The one set of sign-in helpers every test uses (a real login through the form: tests.support.staff.login).

    async def sign_in_employer(
        self, employer: dict[str, Any], *, acting_name: str = "张法人", acting_role: str = "legal_rep", **data: Any
    ) -> None:
        """An employer session as the network leaves it: the legal representative unless told otherwise."""
        data.setdefault("account_id", employer["id"] + 1000)
        await self.sign_in("employer", employer_id=employer["id"], acting_name=acting_name, acting_role=acting_role,
                           **data)

    async def sign_in_person(self, person: dict[str, Any], **data: Any) -> None:
        await self.sign_in("person", person_id=person["id"], **data)

    async def sign_in_staff(self, username: str = "reviewer1", *args: Any, **kwargs: Any) -> dict[str, Any]:
        """A new staff user (tests.support.factories.make_staff's arguments) and a session for them."""
        from tests.support.factories import make_staff

        staff = await make_staff(self.app, username, *args, **kwargs)
        await self.sign_in("staff", uid=staff["id"])
        return staff
