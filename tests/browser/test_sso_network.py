"""In a real browser: a new 法人 registers on the sandbox network, signs in, completes its profile, lands where it began."""

from __future__ import annotations

import re

from tests.support.factories import make_id_number, make_uscc


def test_new_legal_person_registers_signs_in_completes_profile_and_lands_on_the_target(live, page):
    uscc = make_uscc()
    company = "海南" + live.unique("浏览器") + "有限公司"
    password = "Browser@2026"  # noqa: S105 (a test account on the sandbox network)

    page.goto("/employer/agents")  # a service chosen before logging in (ACC-6)
    assert re.search(r"/login\?next=%2Femployer%2Fagents$", page.url)
    with page.expect_navigation():
        page.get_by_role("link", name="前往政务服务网登录").click()
    assert "/sandbox-network/login" in page.url and "政务服务网" in page.title()

    with page.expect_navigation():
        page.get_by_role("link", name="法人注册").click()
    page.fill("#s-login_name", uscc[:17] + ("0" if uscc[17] != "0" else "1"))  # a wrong check digit first
    page.fill("#s-name", company)
    page.fill("#s-legal_rep", "浏览法人")
    page.fill("#s-legal_rep_id_number", make_id_number())
    page.fill("#s-mobile", "13900003333")
    page.fill("#s-password", password)
    page.fill("#s-password2", password)
    with page.expect_navigation():
        page.get_by_role("button", name="注册").click()
    assert "统一社会信用代码校验位不正确" in page.inner_text("main")
    assert page.input_value("#s-name") == company  # nothing typed is lost
    page.fill("#s-login_name", uscc)
    page.fill("#s-password", password)
    page.fill("#s-password2", password)
    with page.expect_navigation():
        page.get_by_role("button", name="注册").click()
    assert "注册成功" in page.inner_text("main")

    page.fill("#s-login_name", uscc)
    page.fill("#s-password", password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/employer/profile/complete\?next=%2Femployer%2Fagents$"))
    assert page.input_value("#f-name") == company  # pre-filled from the network
    assert page.input_value("#f-legal_rep") == "浏览法人"
    assert company in page.inner_text("[data-testid=whoami]")

    page.select_option("#f-nature", "10")
    page.select_option("#f-affiliation", "50")
    page.select_option("#f-economic_type", index=1)
    page.select_option("#f-industry-1", "I")  # 所属行业 and 行政区划 are cascades (issue 14 §18)
    page.select_option("#f-division_code-2", "460100")
    page.wait_for_selector("#f-division_code-3 option[value='460105']", state="attached")
    page.select_option("#f-division_code-3", "460105")
    page.fill("#f-address", "海口市秀英区浏览器路1号")
    page.fill("#f-contact_name", "浏览联系人")
    page.fill("#f-contact_phone", "0898-66668888")
    page.fill("#f-landline", "0898-66668888")
    page.fill("#f-postcode", "570311")
    page.fill("#f-agent_name", "浏览经办")
    page.fill("#f-agent_id_number", make_id_number())
    page.fill("#f-agent_phone", "1390000")  # too short: refused next to the field
    page.select_option("#f-review_agency", "460100")
    with page.expect_navigation():
        page.get_by_role("button", name="保存并继续").click()
    assert "手机号码应为11位" in page.inner_text("#f-agent_phone-error")
    assert page.input_value("#f-address") == "海口市秀英区浏览器路1号"
    page.fill("#f-agent_phone", "13900004444")
    with page.expect_navigation():
        page.get_by_role("button", name="保存并继续").click()

    assert page.url.endswith("/employer/agents")
    assert page.inner_text("h1") == "经办人授权"
    assert page.console_errors == []

    with page.expect_navigation():
        page.get_by_role("button", name="退出").click()
    assert page.url == live.url("/")
    assert page.locator("[data-testid=whoami]").count() == 0
