"""404, 405 and the CSRF/Origin 403 answers carry the page security headers (issue #12 item 4)."""

from __future__ import annotations

from portal.headers import CSP
from tests.support.urls import url_for


def _assert_security_headers(response, what: str) -> None:
    h = response.headers
    assert h.get("content-security-policy") == CSP, what
    assert "frame-ancestors 'none'" in h["content-security-policy"], what
    assert h.get("x-content-type-options") == "nosniff", what
    assert h.get("referrer-policy") == "same-origin", what
    assert h.get("x-frame-options") == "DENY", what
    assert h.get("cache-control") == "no-store", what


async def test_error_answers_carry_the_security_headers(client):
    page = await client.get(url_for("login"))
    _assert_security_headers(page, "a page")
    not_found = await client.get("/no-such-page")
    assert not_found.status_code == 404
    _assert_security_headers(not_found, "404")
    wrong_method = await client.delete(url_for("login"))
    assert wrong_method.status_code == 405
    _assert_security_headers(wrong_method, "405")
    await client.csrf_token()
    no_token = await client.post(url_for("login_staff"), data={"username": "x", "password": "y"})
    assert no_token.status_code == 403
    _assert_security_headers(no_token, "CSRF 403")
    foreign = await client.post_form(url_for("login_staff"), {"username": "x", "password": "y"},
                                     headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    _assert_security_headers(foreign, "Origin 403")


async def test_static_files_are_not_marked_no_store(client):
    r = await client.get("/static/css/portal.css")
    assert r.status_code == 200 and r.headers.get("cache-control") != "no-store"
    assert r.headers.get("x-content-type-options") == "nosniff"
