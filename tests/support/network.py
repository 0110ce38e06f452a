"""Test helpers for sign-in through the sandbox network: accounts on the network, and each step of the round trip."""

from __future__ import annotations

import dataclasses
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup

from sso.sandbox import store
from sso.sandbox.tables import NetUser
from tests.support.factories import make_id_number, make_uscc

PASSWORD = "Sandbox@2026"  # noqa: S105 (sandbox test accounts)


async def net_user(app: Any, kind: str = "legal", **overrides: Any) -> dict[str, Any]:
    """A sandbox-network account (legal: keyed by a USCC; natural: by an ID number)."""
    values = {
        "subject": store.new_subject(), "kind": kind,
        "login_name": make_uscc() if kind == "legal" else make_id_number(),
        "name": "海南网测科技有限公司" if kind == "legal" else "网测个人",
        "legal_rep": "赵法人" if kind == "legal" else "", "legal_rep_id_number": make_id_number() if kind == "legal" else "",
        "mobile": "13911112222", "realname_level": "L2", "created_at": store.now(),
    }
    password = overrides.pop("password", PASSWORD)
    values.update(overrides)
    row = NetUser(password_hash=await app.state.passwords.hash(password), **values)
    await row.save()
    return {**values, "id": row.id, "password": password}


async def start(client: Any, kind: str = "employer", next_path: str = "/") -> str:
    """GET /sso/login: returns where the portal sends the browser (the network's login entry)."""
    response = await client.get("/sso/login", params={"kind": kind, "next": next_path})
    assert response.status_code == 303, response.text[:300]
    return response.headers["location"]


async def sandbox_login(client: Any, entry_url: str, *, tab: str, login_name: str, password: str,
                        uscc: str = "") -> str:
    """Follow the network's pages as a browser would and return the callback URL it sends back to the portal."""
    response = await client.get(entry_url)
    if response.status_code == 303 and "/login?" in response.headers["location"]:
        login_url = response.headers["location"]
        page = await client.get(login_url)
        assert page.status_code == 200, page.text[:300]
        soup = BeautifulSoup(page.text, "html.parser")
        resume = soup.find("input", attrs={"name": "resume"})["value"]
        data = {"tab": tab, "login_name": login_name, "password": password, "resume": resume,
                "_csrf_token": client.cookies.get("sbx_csrftoken", path="/sandbox-network")}
        if uscc:
            data["uscc"] = uscc
        response = await client.post("/sandbox-network/login", data=data)
        assert response.status_code == 303, response.text[:500]
        response = await client.get(response.headers["location"])
    assert response.status_code == 303, response.text[:500]
    return response.headers["location"]


async def sign_in_via_network(client: Any, *, kind: str = "employer", next_path: str = "/", **login: Any):
    entry = await start(client, kind, next_path)
    callback = await sandbox_login(client, entry, **login)
    return await client.get(callback)


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@contextmanager
def sso_settings(app: Any, **changes: Any):
    """Temporarily change the portal's SSO settings (protocol, timeout …) for one test."""
    original = app.state.settings
    app.state.settings = dataclasses.replace(original, sso=dataclasses.replace(original.sso, **changes))
    try:
        yield
    finally:
        app.state.settings = original


@contextmanager
def network_client(app: Any, client: Any):
    """Replace the portal's back-channel HTTP client (e.g. with one whose network is down)."""
    original = getattr(app.state, "sso_client", None)
    app.state.sso_client = client
    app.state.sso_cache = None  # discovery and keys are asked of this network afresh
    try:
        yield
    finally:
        app.state.sso_client = original
        app.state.sso_cache = None
