"""In a real browser: sign-in and logout against an independently written OpenID provider on its own origin
(oidc-provider-mock, run as its own process), with another network's claim names mapped by settings."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.browser.conftest import ROOT, _free_port, _start, _wait_until_up
from tests.support.factories import make_id_number

PERSON = {"sub": "browser-person-1", "usertype": "1", "username": "浏览互通", "idnum": "", "authlevel": "2"}


@pytest.fixture(scope="module")
def mock(live) -> Iterator[SimpleNamespace]:
    provider_port, portal_port = _free_port(), _free_port()
    provider, portal = f"http://127.0.0.1:{provider_port}", f"http://127.0.0.1:{portal_port}"
    user = {**PERSON, "idnum": make_id_number(rng=random.Random())}
    env = {
        **live.env, "PORTAL_SSO_ISSUER": provider, "PORTAL_SANDBOX_NETWORK": "0",
        "PORTAL_SSO_REDIRECT_URI": f"{portal}/sso/callback", "AUTHLIB_INSECURE_TRANSPORT": "1",
        "PORTAL_SSO_CLAIMS": "user_type=usertype,name=username,id_number=idnum,realname_level=authlevel",
        "PORTAL_SSO_USER_TYPES": "legal=2,natural=1", "PORTAL_SSO_REALNAME_LEVELS": "L1=1,L2=2,L3=3",
        "PORTAL_SSO_AUTHORIZE_PARAMS_PERSON": "", "PORTAL_SSO_AUTHORIZE_PARAMS_EMPLOYER": "",
    }
    log_path = live.var_dir / "interop.log"
    mock_bin = Path(sys.executable).parent / "oidc-provider-mock"
    with log_path.open("ab") as log:
        provider_proc = subprocess.Popen(  # noqa: S603
            [str(mock_bin), "--port", str(provider_port), "--require-nonce", "true",
             "--user-claims", json.dumps(user, ensure_ascii=False)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    server = _start(env, portal_port, log_path)
    try:
        _wait_until_up(provider_proc, provider + "/.well-known/openid-configuration", log_path)
        _wait_until_up(server, portal + "/healthz", log_path)
        yield SimpleNamespace(provider=provider, portal=portal, user=user)
    finally:
        for proc in (server, provider_proc):
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_sign_in_and_logout_through_an_independent_provider(mock, page):
    page.goto(mock.portal + "/login?tab=person")
    with page.expect_navigation():
        page.get_by_role("link", name="前往政务服务网登录").click()
    assert page.url.startswith(mock.provider + "/oauth2/authorize?")
    with page.expect_navigation():
        page.get_by_role("button", name=mock.user["sub"]).click()
    page.wait_for_url(mock.portal + "/**")
    assert "浏览互通" in page.inner_text("[data-testid=whoami]")

    with page.expect_navigation():
        page.get_by_role("button", name="退出").click()
    assert page.url.startswith(mock.provider + "/oauth2/end_session?")  # the CSP let the redirect through
    assert "id_token_hint" in page.url
    with page.expect_navigation():
        page.get_by_role("button", name="End session").click()
    page.wait_for_url(mock.portal + "/")
    assert page.locator("[data-testid=whoami]").count() == 0
    assert not [e for e in page.console_errors if "Content Security Policy" in e]
