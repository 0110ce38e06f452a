"""QR links use PORTAL_PUBLIC_URL, required in production, never the request's Host header (issue #12 item 8)."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest

from portal.dataservices.certificates import public_base
from portal.settings import Settings


def test_production_refuses_to_start_without_a_public_https_url(monkeypatch):
    monkeypatch.setenv("PORTAL_HTTPS", "1")
    monkeypatch.delenv("PORTAL_PUBLIC_URL", raising=False)
    with pytest.raises(ValueError, match="PORTAL_PUBLIC_URL is required"):
        Settings.from_env()
    monkeypatch.setenv("PORTAL_PUBLIC_URL", "http://ggfw.example.gov.cn")
    with pytest.raises(ValueError, match="https"):
        Settings.from_env()
    monkeypatch.setenv("PORTAL_PUBLIC_URL", "https://ggfw.example.gov.cn/")
    assert Settings.from_env().site.public_url == "https://ggfw.example.gov.cn"


def test_demo_default_is_this_machines_address(monkeypatch):
    monkeypatch.delenv("PORTAL_HTTPS", raising=False)
    monkeypatch.delenv("PORTAL_PUBLIC_URL", raising=False)
    monkeypatch.setenv("PORT", "8123")
    site = Settings.from_env().site
    assert site.public_url == "" and site.local_url == "http://127.0.0.1:8123"


def test_the_qr_base_ignores_a_forged_host(app):
    forged = SimpleNamespace(app=app, base_url="http://evil.example/", headers={"host": "evil.example"})
    site = app.state.settings.site
    assert public_base(forged) == (site.public_url or site.local_url).rstrip("/")
    assert "evil" not in public_base(forged)
    configured = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(settings=SimpleNamespace(
        site=replace(site, public_url="https://ggfw.example.gov.cn")))), base_url="http://evil.example/")
    assert public_base(configured) == "https://ggfw.example.gov.cn"
