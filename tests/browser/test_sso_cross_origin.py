"""In a real browser: the network on its own origin (python -m sso.sandbox), sign-in and a logout that reaches it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from seeds.demo_identities import PERSONS
from tests.browser.conftest import ROOT, _free_port, _start, _wait_until_up


@pytest.fixture(scope="module")
def split(live) -> Iterator[SimpleNamespace]:
    """A second portal whose network is the standalone sandbox on another port (another origin), same database."""
    net_port, portal_port = _free_port(), _free_port()
    network, portal = f"http://127.0.0.1:{net_port}", f"http://127.0.0.1:{portal_port}"
    env = {**live.env, "PORTAL_SSO_ISSUER": network, "PORTAL_SANDBOX_NETWORK": "0",
           "PORTAL_SSO_REDIRECT_URI": f"{portal}/sso/callback"}
    log_path = live.var_dir / "split.log"
    with log_path.open("ab") as log:
        sandbox = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "sso.sandbox", "--port", str(net_port)], cwd=ROOT, env=env, stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = _start(env, portal_port, log_path)
    try:
        _wait_until_up(sandbox, network + "/.well-known/openid-configuration", log_path)
        _wait_until_up(server, portal + "/healthz", log_path)
        yield SimpleNamespace(network=network, portal=portal)
    finally:
        for proc in (server, sandbox):
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_logout_on_another_origin_ends_the_network_session(split, page):
    person = PERSONS[0]
    page.goto(split.portal + "/login?tab=person")
    assert "form-action 'self' " + split.network in page.evaluate(
        "async () => (await fetch('/')).headers.get('content-security-policy')")
    with page.expect_navigation():
        page.get_by_role("link", name="前往政务服务网登录").click()
    assert page.url.startswith(split.network + "/login")
    page.fill("#s-login_name", person.id_number)
    page.fill("#s-password", person.password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    page.wait_for_url(split.portal + "/**")
    assert person.name in page.inner_text("[data-testid=whoami]")

    with page.expect_navigation():
        page.get_by_role("button", name="退出").click()
    page.wait_for_url(split.portal + "/")  # back from the network's end_session_endpoint
    assert page.locator("[data-testid=whoami]").count() == 0
    assert page.console_errors == []  # no CSP violation on the way out

    # The network session is gone: signing in again asks for the password (no silent sign-in on a shared terminal).
    page.goto(split.portal + "/sso/login?kind=person")
    assert page.url.startswith(split.network + "/login")
    assert page.locator("#s-password").count() == 1
