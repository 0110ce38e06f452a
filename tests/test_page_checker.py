"""The page checker the client runs on every page, htmx fragment and re-rendered POST answer."""

from __future__ import annotations

import pytest

from tests.support.client import PageError, check_fragment, check_html

GOOD = '<h2>查询结果</h2><h3>明细</h3><form action="/x" method="post"><input type="hidden" name="_csrf_token"></form>'
BAD = [
    ('<p id="a"></p><p id="a"></p>', "duplicate ids"),
    ('<form action="/x" method="post"></form>', "CSRF"),
    ('<form method="get"></form>', "action or method"),
    ("<h2>a</h2><h4>b</h4>", "heading jumps"),
    ('<span aria-label="x">y</span>', "aria-label"),
    ("<span><form action='/x' method='get'></form></span>", "<form> inside"),
    ("<table><tr><td>x</td></tr></table></div>", "parse errors"),
]


def test_a_fragment_starts_at_any_heading_level():
    assert check_fragment(GOOD).find("form")


@pytest.mark.parametrize(("html", "message"), BAD)
def test_a_bad_fragment_is_refused(html, message):
    with pytest.raises(PageError, match=message):
        check_fragment(html, "/x")


def test_a_whole_document_needs_a_title():
    with pytest.raises(PageError, match="no <title>"):
        check_html("<!DOCTYPE html><html lang='zh'><head></head><body><p>x</p></body></html>")
    assert check_html(GOOD).find("h2")


async def test_a_post_answer_is_checked(app, client):
    # The login form re-rendered with its errors (a whole page) goes through check_page in post_form.
    response = await client.post_form("/login/staff", {"username": "", "password": ""})
    assert response.status_code == 200 and "请填写用户名" in response.text


async def test_a_bad_post_answer_fails_the_test(app, client, monkeypatch):
    monkeypatch.setattr("tests.support.client.check_page", _refuse)
    with pytest.raises(PageError, match="checked"):
        await client.post_form("/login/staff", {"username": "", "password": ""})


def _refuse(html: str, url: str = "") -> None:
    raise PageError(f"{url} checked")
