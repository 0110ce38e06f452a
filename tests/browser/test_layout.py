"""Layout in a real browser: 长辈版 switch, skip link, keyboard navigation (X-8)."""


def test_staff_login_through_the_form(live, page):
    live.login_staff(page, "admin", "Admin@2026!")
    assert "系统管理员" in page.inner_text("[data-testid=whoami]")


def test_run_creates_rows_in_the_live_database(live, page):
    name = live.unique("staff")
    live.make_staff(name, "Test@2026pw", display_name="浏览器测试员")
    live.login_staff(page, name, "Test@2026pw")
    assert "浏览器测试员" in page.inner_text("[data-testid=whoami]")
    assert page.console_errors == []
