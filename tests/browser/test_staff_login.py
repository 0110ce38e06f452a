"""Browser: staff login with the right and a wrong password, and the lockout after five failures."""

from __future__ import annotations


def _submit(page, username: str, password: str) -> None:
    page.fill("#f-username", username)
    page.fill("#f-password", password)
    with page.expect_navigation():
        page.click("form[action='/login/staff'] button[type=submit]")


def test_right_password_lands_on_the_page_asked_for(live, page):
    name = live.unique("bl")
    live.make_staff(name, "Right#2026x", permissions=["admin.staff"], display_name="浏览器甲")
    page.goto(live.url("/admin/staff"))
    # Not logged in: sent to the login page with the deep link kept.
    assert "/login" in page.url and "next=" in page.url
    page.click("text=工作人员登录")
    _submit(page, name, "Right#2026x")
    assert page.url.endswith("/admin/staff")
    assert "浏览器甲" in page.inner_text("[data-testid=whoami]")
    assert page.console_errors == []


def test_wrong_password_shows_the_message_and_keeps_the_username(live, page):
    name = live.unique("bw")
    live.make_staff(name, "Right#2026x")
    page.goto(live.url("/login?tab=staff"))
    _submit(page, name, "Wrong#2026x")
    assert "用户名或密码错误" in page.inner_text("main")
    assert page.input_value("#f-username") == name
    assert page.input_value("#f-password") == ""
    assert page.locator("[data-testid=whoami]").count() == 0


def test_five_failures_lock_the_account(live, page):
    name = live.unique("bk")
    live.make_staff(name, "Right#2026x")
    page.goto(live.url("/login?tab=staff"))
    for _ in range(4):
        _submit(page, name, "Wrong#2026x")
        assert "用户名或密码错误" in page.inner_text("main")
    _submit(page, name, "Wrong#2026x")
    assert "账户已锁定" in page.inner_text("main")
    _submit(page, name, "Right#2026x")
    assert "账户已锁定" in page.inner_text("main")
    assert page.locator("[data-testid=whoami]").count() == 0


def test_logout_then_back_shows_nothing(live, page):
    name = live.unique("bo")
    live.make_staff(name, "Right#2026x", permissions=["admin.staff"], display_name="浏览器乙")
    live.login_staff(page, name, "Right#2026x", next="/admin/staff")
    assert page.url.endswith("/admin/staff")
    with page.expect_navigation():
        page.click("form[action='/logout'] button")
    page.go_back()
    # no-store: the browser asks the server again, which now sends the login page.
    assert "浏览器乙" not in page.content()
