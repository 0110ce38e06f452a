"""Layout in a real browser: 长辈版 switch, skip link, visible focus, keyboard-only navigation (X-8)."""

from __future__ import annotations


def _font_px(page, selector: str = "body") -> float:
    return float(page.eval_on_selector(selector, "el => getComputedStyle(el).fontSize").removesuffix("px"))


def test_elder_mode_makes_text_larger_on_every_page(live, page):
    page.goto("/login?tab=staff")
    normal = _font_px(page)
    with page.expect_navigation():
        page.get_by_role("button", name="长辈版").click()
    assert page.url.endswith("/login?tab=staff")
    assert "app-elder" in page.get_attribute("html", "class")
    assert _font_px(page) >= normal * 1.25
    assert page.get_by_role("button", name="标准版").get_attribute("aria-pressed") == "true"
    page.goto("/")  # another page, and a reload: the cookie keeps it
    assert _font_px(page) >= normal * 1.25
    page.reload()
    assert "app-elder" in page.get_attribute("html", "class")
    with page.expect_navigation():
        page.get_by_role("button", name="标准版").click()
    assert _font_px(page) == normal
    assert page.console_errors == []


def test_skip_link_is_first_visible_on_focus_and_moves_focus_to_main(live, page):
    page.goto("/login")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.className, document.activeElement.textContent]")
    assert focused == ["app-skip-link", "跳到主要内容"]
    box = page.locator(".app-skip-link").bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0, "the skip link shows itself when focused"
    outline = page.eval_on_selector(".app-skip-link", "el => getComputedStyle(el).outlineStyle")
    assert outline == "solid", "focus is visible"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    assert page.url.endswith("#main")


def test_staff_can_sign_in_and_reach_the_dictionary_with_the_keyboard_only(live, page):
    page.goto("/login?tab=staff")
    page.focus("#f-username")
    page.keyboard.type("admin")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "f-password"
    page.keyboard.type("Admin@2026!")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "系统管理员" in page.inner_text("[data-testid=whoami]")
    # Tab through the page until the 字典管理 navigation link has focus, then follow it with Enter.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent.trim()") == "字典管理":
            break
    else:
        raise AssertionError("the 字典管理 link is not reachable with Tab")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/admin/dictionary")
    assert page.get_by_role("heading", level=1).inner_text() == "字典管理"
    assert page.console_errors == []


def test_error_summary_takes_focus_and_links_to_the_field(live, page):
    live.login_staff(page, "admin", "Admin@2026!", next="/admin/dictionary/contract_type/new")
    page.fill("#f-code", "x y")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    assert page.evaluate("() => document.activeElement.className") == "app-error-summary"
    assert page.input_value("#f-code") == "x y"
    page.get_by_role("link", name="代码：代码只能包含字母、数字、下划线、点和短横线").click()
    assert page.url.endswith("#f-code")


def _in_view(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def test_error_summary_link_shows_the_fields_label_and_message(live, page):
    from tests.browser.test_grid import _employer_with_contracts

    page.set_viewport_size({"width": 360, "height": 640})
    sid = _employer_with_contracts(live, live.unique("摘要"))
    page.context.add_cookies([{"name": "portal_session", "value": sid, "url": live.base_url}])
    page.goto("/labor-contract/new")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    summary = page.locator(".app-error-summary")
    for name in ("monthly_wage", "work_hours_system", "worker_name"):
        page.evaluate("() => window.scrollTo(0, 0)")
        summary.locator(f"a[href='#f-{name}']").click()
        assert page.evaluate("() => document.activeElement.id") == f"f-{name}"
        assert _in_view(page, f"label[for=f-{name}]"), f"the label of {name} is out of view"
        assert _in_view(page, f"#f-{name}-error"), f"the message of {name} is out of view"
        assert _in_view(page, f"#f-{name}")
        assert page.url.endswith(f"#f-{name}")
    assert page.console_errors == []


def test_side_menu_is_a_closed_disclosure_on_a_phone_and_open_beside_the_page(live, page):
    from tests.browser.test_grid import _employer_with_contracts

    sid = _employer_with_contracts(live, live.unique("菜单"))
    page.context.add_cookies([{"name": "portal_session", "value": sid, "url": live.base_url}])
    page.set_viewport_size({"width": 360, "height": 640})
    page.goto("/labor-contract/contracts")
    menu = page.get_by_role("navigation", name="用工备案管理")
    link = menu.get_by_role("link", name="劳动合同新订备案")
    assert not link.is_visible()
    heading = page.get_by_role("heading", level=1).bounding_box()
    assert heading["y"] + heading["height"] <= 640, "the page starts on the first screen, not below the menu"
    menu.locator("summary").click()  # works without JavaScript: a <details> element
    assert link.is_visible()
    page.set_viewport_size({"width": 1366, "height": 900})
    page.reload()
    assert link.is_visible() and link.bounding_box()["x"] < page.get_by_role("heading", level=1).bounding_box()["x"]
    assert page.console_errors == []
