"""字典管理 and the holiday calendar in a real browser: the htmx filter and the htmx add/remove forms."""

from __future__ import annotations

import re


def _admin(live, page, next_path: str) -> None:
    name = live.unique("dict")
    live.make_staff(name, "Dict@2026pw", permissions=["admin.dictionary"], display_name="字典管理员")
    live.login_staff(page, name, "Dict@2026pw", next=next_path)


def test_filter_updates_the_list_in_place(live, page):
    _admin(live, page, "/admin/dictionary/division")
    table = page.locator("[data-testid=dict-table]")
    assert "美兰区" in table.inner_text()
    page.evaluate("() => { window.__stay = 'same page'; }")  # lost if the browser navigated
    with page.expect_response(re.compile(r"/admin/dictionary/division\?q=%E7%A7%80%E8%8B%B1")):
        page.fill("#f-q", "秀英")
    page.wait_for_function("() => !document.querySelector('[data-testid=dict-table]').innerText.includes('美兰区')")
    text = table.inner_text()
    assert "秀英区" in text and "秀英街道" in text
    assert page.evaluate("() => window.__stay") == "same page"
    assert "q=%E7%A7%80%E8%8B%B1" in page.url  # hx-push-url: the filtered list can be bookmarked
    page.select_option("#f-status", "disabled")
    page.wait_for_selector("text=没有符合条件的条目")
    assert page.console_errors == []


def test_add_a_holiday_refuse_a_weekday_workday_and_remove_it(live, page):
    _admin(live, page, "/admin/holidays?year=2030")
    assert "2030年尚未设置节假日" in page.inner_text("#calendar")
    page.fill("#f-day", "2030-01-01")
    page.get_by_label("放假").check()
    page.fill("#f-name", "元旦")
    page.get_by_role("button", name="添加").click()
    page.wait_for_selector("[data-testid=holiday-table] >> text=2030-01-01")
    assert page.input_value("#f-day") == ""  # a fresh form after success
    page.fill("#f-day", "2030-01-02")
    page.get_by_label("调休上班").check()
    page.fill("#f-name", "调休")
    page.get_by_role("button", name="添加").click()
    page.wait_for_selector(".app-error-summary")
    assert "调休上班日应为周六或周日" in page.inner_text("#f-is_workday-error")
    # htmx keeps "htmx-added" on new content until it settles (~20 ms): test the class, not the whole attribute.
    assert page.evaluate("() => document.activeElement.classList.contains('app-error-summary')")
    assert page.input_value("#f-day") == "2030-01-02" and page.input_value("#f-name") == "调休"
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="删除 2030-01-01").click()
    page.wait_for_selector("text=2030年尚未设置节假日")
    assert page.console_errors == []
