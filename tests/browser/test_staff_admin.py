"""Browser: the htmx search on the staff user list filters as you type, and the link works without htmx."""

from __future__ import annotations


def test_staff_search_filters_as_you_type(live, page):
    admin = live.unique("ba")
    live.make_staff(admin, "Admin#2026x", permissions=["admin.staff"], display_name="管理员测")
    tag = live.unique("q")
    live.make_staff(f"{tag}.wang", "Sunny#2026x", display_name="王搜索")
    live.make_staff(f"{tag}.zhao", "Sunny#2026x", display_name="赵搜索")
    live.login_staff(page, admin, "Admin#2026x", next="/admin/staff")
    assert page.url.endswith("/admin/staff")
    with page.expect_response(lambda r: "/admin/staff?q=" in r.url and r.request.headers.get("hx-request") == "true"):
        page.fill("[data-testid=staff-search]", f"{tag}.wang")
    page.wait_for_function(
        "() => document.querySelectorAll('#staff-results tbody tr').length === 1"
    )
    rows = page.locator("#staff-results tbody tr")
    assert "王搜索" in rows.first.inner_text()
    # The URL follows the search (hx-push-url), so reload and back work.
    assert f"q={tag}.wang" in page.url
    page.reload()
    assert page.locator("#staff-results tbody tr").count() == 1
    page.fill("[data-testid=staff-search]", tag)
    page.wait_for_function("() => document.querySelectorAll('#staff-results tbody tr').length === 2")
    page.fill("[data-testid=staff-search]", "不存在的人")
    page.wait_for_selector("text=没有找到符合条件的工作人员")
    assert page.console_errors == []


def test_search_works_without_javascript(live, browser):
    context = browser.new_context(base_url=live.base_url, java_script_enabled=False, locale="zh-CN")
    try:
        page = context.new_page()
        admin = live.unique("bn")
        live.make_staff(admin, "Admin#2026x", permissions=["admin.staff"])
        tag = live.unique("nj")
        live.make_staff(f"{tag}.li", "Sunny#2026x", display_name="李无脚本")
        live.login_staff(page, admin, "Admin#2026x", next="/admin/staff")
        page.fill("[data-testid=staff-search]", f"{tag}.li")
        with page.expect_navigation():
            page.click("form[role=search] button[type=submit]")
        assert page.locator("#staff-results tbody tr").count() == 1
        assert "李无脚本" in page.inner_text("#staff-results")
    finally:
        context.close()


def test_audit_log_filter_and_chain_check(live, page):
    admin = live.unique("bau")
    live.make_staff(admin, "Admin#2026x", permissions=["admin.audit"], display_name="审计浏览")
    live.login_staff(page, admin, "Admin#2026x", next="/admin/audit")
    assert page.url.endswith("/admin/audit")
    page.fill("#f-actor", admin)
    page.select_option("#f-category", "login")
    with page.expect_response(lambda r: "/admin/audit?" in r.url and r.request.headers.get("hx-request") == "true"):
        page.click("form.app-filter button[type=submit]")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#audit-results tbody tr')].every(r => r.innerText.includes('登录'))"
    )
    assert "staff_login" in page.inner_text("#audit-results")
    assert f"actor={admin}" in page.url
    with page.expect_navigation():
        page.click("[data-testid=verify-chain]")
    assert "校验通过" in page.inner_text("[data-testid=verify-result]")
    assert page.console_errors == []
