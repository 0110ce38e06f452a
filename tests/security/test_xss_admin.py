"""SECURITY 14: the payloads typed into every text field of the admin forms come back inert, page and fragment."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup

from portal.auth.tables import Role, StaffUser
from tests.support.staff import make_admin
from tests.support.urls import url_for

PAYLOADS = [
    "\"'><img src=x onerror=alert(1)>{{7*7}}",
    '" hx-get="/x" hx-trigger="load',
    "<script>alert(1)</script>",
]


def assert_inert(html: str, where: str) -> None:
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find("img", attrs={"onerror": True}), where
    assert not soup.find(attrs={"hx-get": "/x"}), where
    assert not soup.find(attrs={"hx-trigger": "load"}), where
    assert not [s for s in soup.find_all("script") if not s.get("src")], where
    assert not [t for t in soup.find_all(True) if any(a.lower().startswith("on") for a in t.attrs)], where


@pytest.fixture
async def admin_client(app, client):
    admin = await make_admin(app)
    await client.sign_in("staff", uid=admin["id"])
    return client


@pytest.mark.parametrize("payload", PAYLOADS)
async def test_staff_forms_and_lists(admin_client, payload):
    c = admin_client
    # Rejected input is echoed back in the form: inert.
    r = await c.post_form(url_for("admin_staff_new"), {"username": payload, "display_name": payload, "mobile": payload})
    assert r.status_code == 200 and "app-error-summary" in r.text
    assert_inert(r.text, "staff create errors")
    # Accepted input is stored and shown on the list, the htmx fragment and the edit page.
    r = await c.post_form(url_for("admin_staff_new"), {"username": "xss.user", "display_name": payload})
    assert r.status_code == 200
    uid = (await StaffUser.select(StaffUser.id).where(StaffUser.username == "xss.user").first())["id"]
    for url, htmx in ((url_for("admin_staff"), False), (url_for("admin_staff", {"q": "xss"}), True), (url_for("admin_staff_edit", uid=uid), False)):
        response = await c.get(url, headers={"HX-Request": "true"} if htmx else {})
        assert response.status_code == 200
        assert_inert(response.text, url)
    r = await c.post_form(url_for("admin_staff_edit", uid=uid), {"display_name": payload, "mobile": payload, "active": "1",
                                                  "scope_division": [payload]})
    assert_inert(r.text, "staff edit errors")
    for url in (url_for("admin_staff", {"q": payload}), url_for("admin_audit"), url_for("admin_audit", {"actor": payload, "action": payload})):
        assert_inert((await c.get(url)).text, url)
        assert_inert((await c.get(url, headers={"HX-Request": "true"})).text, url + " fragment")


@pytest.mark.parametrize("payload", PAYLOADS)
async def test_role_forms_and_lists(admin_client, payload):
    c = admin_client
    r = await c.post_form(url_for("admin_role_new"), {"code": payload, "name": payload, "permissions": [payload]})
    assert_inert(r.text, "role errors")
    r = await c.post_form(url_for("admin_role_new"), {"code": "xss_role", "name": payload})
    assert r.status_code == 303
    role = await Role.select().where(Role.code == "xss_role").first()
    assert role["name"] == payload
    for url in (url_for("admin_roles"), url_for("admin_role_edit", rid=role["id"]), url_for("admin_audit")):
        assert_inert((await c.get(url)).text, url)


async def test_payload_is_shown_as_text(admin_client):
    payload = PAYLOADS[0]
    await admin_client.post_form(url_for("admin_role_new"), {"code": "xss_role", "name": payload})
    soup = BeautifulSoup((await admin_client.get(url_for("admin_roles"))).text, "html.parser")
    # Shown literally: markup as text, and Jinja never evaluates {{7*7}} typed by a user.
    assert payload in soup.select_one("[data-testid=role-table]").get_text()


async def test_hx_headers_json_is_escaped(admin_client):
    soup = BeautifulSoup((await admin_client.get(url_for("admin_staff"))).text, "html.parser")
    assert set(json.loads(soup.body["hx-headers"])) == {"x-csrftoken"}
