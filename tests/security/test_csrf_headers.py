"""SECURITY 13 (CSRF and Origin) and 15 (headers, CSP, Vary, htmx config)."""

from __future__ import annotations

import json

from portal.core.tables import AuditLog
from tests.support.factories import make_staff
from tests.support.staff import make_admin
from tests.support.urls import url_for

# A public unsafe endpoint (the 长辈版 switch) and a guarded one (create a role).
PUBLIC_POST = "/elder-mode"


async def test_missing_wrong_or_short_token_is_refused(client):
    token = await client.csrf_token()
    assert (await client.post(PUBLIC_POST, data={"next": url_for("home")})).status_code == 403
    assert (await client.post(PUBLIC_POST, data={"_csrf_token": "x" * len(token)})).status_code == 403
    assert (await client.post(PUBLIC_POST, data={"_csrf_token": token[:10]})).status_code == 403
    assert (await client.post(PUBLIC_POST, data={"_csrf_token": token})).status_code == 303


async def test_csrf_refusal_is_a_chinese_page_and_a_security_event(client):
    await client.csrf_token()
    response = await client.post(PUBLIC_POST, data={})
    assert response.status_code == 403
    assert "页面已过期或请求来源无效" in response.text
    assert response.headers["x-correlation-id"]
    assert await AuditLog.exists().where(AuditLog.action == "permission_denied")


async def test_token_of_another_browser_is_refused(client, other_client):
    mine = await client.csrf_token()
    await other_client.csrf_token()
    response = await other_client.post(PUBLIC_POST, data={"_csrf_token": mine})
    assert response.status_code == 403


async def test_foreign_origin_is_refused_even_with_a_valid_token(client):
    token = await client.csrf_token()
    response = await client.post(
        PUBLIC_POST, data={"_csrf_token": token}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert await AuditLog.exists().where(AuditLog.action == "origin_rejected")
    same = await client.post(PUBLIC_POST, data={"_csrf_token": token}, headers={"Origin": "http://testserver.local"})
    assert same.status_code == 303


async def test_htmx_header_token_passes(app, client):
    admin = await make_admin(app)
    await client.sign_in("staff", uid=admin["id"])
    token = await client.csrf_token()
    response = await client.post(
        url_for("admin_role_new"), data={"code": "viahtmx", "name": "htmx角色"},
        headers={"HX-Request": "true", "x-csrftoken": token},
    )
    assert response.status_code == 200 and response.headers["hx-redirect"].startswith("/admin/roles/")
    no_header = await client.post(url_for("admin_role_new"), data={"code": "nohdr", "name": "x"}, headers={"HX-Request": "true"})
    assert no_header.status_code == 403


async def test_multipart_form_with_token_passes(app, client):
    admin = await make_admin(app)
    await client.sign_in("staff", uid=admin["id"])
    token = await client.csrf_token()
    response = await client.post(
        url_for("admin_role_new"), data={"code": "multipart", "name": "多部分", "_csrf_token": token},
        files={"unused": ("a.txt", b"hello", "text/plain")},
    )
    assert response.status_code == 303
    refused = await client.post(url_for("admin_role_new"), data={"code": "m2", "name": "x"},
                                files={"unused": ("a.txt", b"hello", "text/plain")})
    assert refused.status_code == 403


async def test_security_headers_on_pages(client):
    response = await client.get(url_for("login"))
    csp = response.headers["content-security-policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'",
                      "script-src 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"]
    assert response.headers["cache-control"] == "no-store"
    assert "HX-Request" in response.headers["vary"]


async def test_htmx_config_meta_and_no_inline_script(app, client):
    admin = await make_admin(app)
    await client.sign_in("staff", uid=admin["id"])
    for path in (url_for("home"), url_for("login"), url_for("admin_staff"), url_for("admin_audit")):
        soup = await client.page(path)
        meta = soup.find("meta", attrs={"name": "htmx-config"})
        config = json.loads(meta["content"])
        assert config["selfRequestsOnly"] is True and config["allowEval"] is False
        assert all(s.get("src") for s in soup.find_all("script")), f"inline script on {path}"
        assert not [t for t in soup.find_all(True) if any(a.startswith("on") for a in t.attrs)], path
        hx_headers = json.loads(soup.body["hx-headers"])
        assert hx_headers["x-csrftoken"]


async def test_vary_on_fragments(app, client):
    admin = await make_admin(app)
    await client.sign_in("staff", uid=admin["id"])
    await make_staff(app, "clerk", "Sunny#2026")
    full = await client.get(url_for("admin_staff", {"q": "clerk"}))
    fragment = await client.get(url_for("admin_staff", {"q": "clerk"}), headers={"HX-Request": "true"})
    assert full.text != fragment.text and "<html" not in fragment.text
    assert "HX-Request" in full.headers["vary"] and "HX-Request" in fragment.headers["vary"]
