"""Network logout across origins: the CSP names exactly the network's origin; elsewhere the browser gets a link."""

from __future__ import annotations

import dataclasses

from portal.headers import CSP, csp, form_action_allows
from tests.support.network import net_user, sign_in_via_network


def with_sso(settings, **changes):
    return dataclasses.replace(settings, sso=dataclasses.replace(settings.sso, **changes))


def test_form_action_allows_exactly_the_configured_network_origin(app):
    s = with_sso(app.state.settings, issuer="https://sso.example.gov.cn/auth/realms/hainan")
    assert "form-action 'self' https://sso.example.gov.cn;" in csp(s) + ";"
    assert form_action_allows(s, "https://sso.example.gov.cn/logout?x=1") and form_action_allows(s, "/")
    assert not form_action_allows(s, "https://sso.example.gov.cn.evil.example/logout")
    assert not form_action_allows(s, "http://sso.example.gov.cn/logout")  # another scheme is another origin
    s = with_sso(s, end_session_endpoint="https://logout.example.gov.cn/end")
    assert "form-action 'self' https://logout.example.gov.cn" in csp(s)
    assert csp(with_sso(app.state.settings, issuer="", base_url="")) == CSP  # embedded sandbox: same origin only


async def test_logout_to_an_origin_the_csp_does_not_allow_becomes_a_link(app, client):
    """Discovery may name an end_session_endpoint elsewhere: a redirect would be blocked, a link is followed."""
    user = await net_user(app, "natural")
    await sign_in_via_network(client, kind="person", tab="natural", login_name=user["login_name"],
                              password=user["password"])
    app.state.sso_cache.metadata.end_session_endpoint = "https://elsewhere.example/logout"
    try:
        response = await client.post_form("/sso/logout")
    finally:
        app.state.sso_cache = None
    assert response.status_code == 200 and "您已退出本系统" in response.text
    assert 'href="https://elsewhere.example/logout?' in response.text and "id_token_hint=" in response.text
    soup = await client.page("/")
    assert soup.find(attrs={"data-testid": "whoami"}) is None


async def test_network_logout_refuses_to_redirect_on_a_forged_id_token_hint(app, client):
    response = await client.get("/sandbox-network/logout", params={
        "post_logout_redirect_uri": "http://testserver.local/", "id_token_hint": "a.b.c"})
    assert response.status_code == 200 and "location" not in response.headers
