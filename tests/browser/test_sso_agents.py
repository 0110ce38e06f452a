"""In a real browser: the legal representative authorises an agent, the agent confirms at login, revocation ends it."""

from __future__ import annotations

from types import SimpleNamespace

from tests.support.factories import make_employer, make_id_number


def _accounts(live):
    from portal.auth.passwords import Passwords
    from portal.settings import SecuritySettings
    from tests.support.network import net_user

    async def create():
        app = SimpleNamespace(state=SimpleNamespace(passwords=Passwords(
            SecuritySettings(secret_key="unused", argon2_time_cost=1, argon2_memory_cost=8192))))  # noqa: S106
        employer = await make_employer(name="海南" + live.unique("授权") + "有限公司")
        legal = await net_user(app, "legal", login_name=employer["uscc"], name=employer["name"], legal_rep="授权法人")
        agent = await net_user(app, "natural", login_name=make_id_number(), name="浏览经办")
        return employer, legal, agent

    return live.run(create)


def _network_login(page, tab: str, login_name: str, password: str, uscc: str = "") -> None:
    with page.expect_navigation():
        page.get_by_role("link", name="前往政务服务网登录").click()
    if tab == "agent":
        with page.expect_navigation():
            page.get_by_role("link", name="经办人登录").click()
        page.fill("#s-uscc", uscc)
    page.fill("#s-login_name", login_name)
    page.fill("#s-password", password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()


def test_agent_is_authorised_confirms_acts_and_is_revoked(live, browser, page):
    employer, legal, agent = _accounts(live)

    page.goto("/employer/agents")
    _network_login(page, "legal", legal["login_name"], legal["password"])
    page.wait_for_url("**/employer/agents")
    page.fill("#f-name", "浏览经办")
    page.fill("#f-id_number", agent["login_name"])
    page.fill("#f-mobile", "13911112222")
    with page.expect_navigation():
        page.get_by_role("button", name="授权").click()
    assert "待经办人确认" in page.inner_text("[data-testid=agent-row]")

    other = browser.new_context(base_url=live.base_url, locale="zh-CN")
    agent_page = other.new_page()
    agent_page.goto("/employer/profile")
    _network_login(agent_page, "agent", agent["login_name"], agent["password"], uscc=employer["uscc"])
    agent_page.wait_for_url("**/employer/agent/confirm")
    assert employer["name"] in agent_page.inner_text("main")
    with agent_page.expect_navigation():
        agent_page.get_by_role("button", name="确认接受授权并登录").click()
    assert agent_page.url.endswith("/employer/profile")
    assert "经办人 浏览经办" in agent_page.inner_text("[data-testid=whoami]")

    page.reload()
    assert "已生效" in page.inner_text("[data-testid=agent-row]")
    with page.expect_navigation():
        page.get_by_role("button", name="撤销授权").click()
    assert "已撤销" in page.inner_text("[data-testid=agent-row]")

    agent_page.goto("/employer/profile")
    assert "/login?next=" in agent_page.url  # the revoked agent's session is gone
    assert agent_page.locator("[data-testid=whoami]").count() == 0
    other.close()
