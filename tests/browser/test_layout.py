"""Layout in a real browser: 长辈版 switch, skip link, visible focus, keyboard-only navigation (X-8)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


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
        page.get_by_role("button", name="保存", exact=True).click()
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


SHOTS = Path(os.environ.get("LAYOUT_SCREENSHOTS", tempfile.gettempdir())) / "layout-screens"

# Elements of the banner and the main navigation that stick out of the screen on either side.
HEADER_OUT_JS = """() => [...document.querySelectorAll('.app-banner *, .app-nav *')].flatMap(el => {
  const r = el.getBoundingClientRect();
  return r.width && (r.left < -0.5 || r.right > innerWidth + 0.5)
    ? [`${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 8)}" ${Math.round(r.left)}..${Math.round(r.right)}`] : [];
})"""


def test_staff_menu_shows_every_section_at_360_and_stays_a_row_at_1366(live, browser):
    """A reviewer's sections: a closed 菜单 at 360 px opening to every section on screen, one to a line (the row
    that scrolled sideways cut 工伤快报审核 and hid 证书管理 in 长辈版); the same row as before at 1366 px."""
    from tests.browser.test_site_layout import ELDER_JS, each_mode

    SHOTS.mkdir(parents=True, exist_ok=True)
    for page, width, elder, errors in each_mode(browser, live):
        mode = f"{width}{'_elder' if elder else ''}"
        live.login_staff(page, "reviewer", "Review@2026!", next="/workbench")
        assert page.url.endswith("/workbench"), page.url
        menu = page.get_by_role("navigation", name="主导航")
        links = menu.locator("a")  # by role only once shown: a closed <details> hides them on a phone
        names = links.evaluate_all("links => links.map(a => a.textContent.trim())")
        assert {"办件工作台", "工伤快报审核", "证书管理"} <= set(names), names
        assert page.evaluate(HEADER_OUT_JS) == [], mode
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        if width == 360:
            toggle = menu.locator("summary")
            assert toggle.inner_text() == "菜单" and toggle.bounding_box()["height"] >= 44
            assert not links.first.is_visible(), "closed at first: the page starts on the first screen"
            toggle.click()
        else:
            assert not menu.locator("summary").is_visible()
            tops = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}
            assert len(tops) == 1, f"the sections are one row at {mode}"
        for i in range(links.count()):
            link = links.nth(i)
            box = link.bounding_box()
            assert link.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (mode, names[i])
            assert link.evaluate("a => a.scrollWidth <= a.clientWidth"), f"{names[i]} is cut at {mode}"
        assert page.evaluate(HEADER_OUT_JS) == [], mode
        if elder:
            assert page.evaluate(ELDER_JS) == [], mode
        page.screenshot(path=str(SHOTS / f"staff_menu_{mode}.png"), full_page=True)
        with page.expect_navigation():
            links.filter(has_text="证书管理").click()
        assert page.url.endswith("/certificates")
        assert errors == []


# The lines an element's text runs over: one when it stays on one line.
LINES_JS = """el => { const tops = new Set(), walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node; (node = walk.nextNode());) { const r = document.createRange(); r.selectNodeContents(node);
    for (const box of r.getClientRects()) if (box.width) tops.add(Math.round(box.top)); }
  return tops.size; }"""


def _summary_value(page, label: str):
    return page.locator(".app-summary__row", has=page.locator("dt", has_text=label)).locator("dd").first


def test_codes_in_summary_lists_stay_whole_at_every_width(live, browser):
    """统一社会信用代码 (in a panel), 办件编号 and 身份证号 stay on one line at 360 px, 长辈版 too; where the value has no
    room beside its label (700 px 长辈版) it moves under the label instead of breaking; side by side at 1366 px."""
    from seeds.demo_identities import EMPLOYERS
    from tests.browser.test_personnel_change import _demo_matter_ids
    from tests.browser.test_site_layout import each_mode

    employer, ids = _demo_matter_ids(live)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for page, width, elder, errors in each_mode(browser, live, widths=(360, 700, 1366)):
        mode = f"{width}{'_elder' if elder else ''}"
        live.sign_in(page.context, kind="employer", employer_id=employer["id"], account_id=employer["id"] + 7100,
                     acting_name=EMPLOYERS[0].legal_rep, acting_role="legal_rep")
        for url, labels in (("/social-insurance/overview", ["统一社会信用代码"]),
                            (f"/personnel-change/enrol/{ids['pc_enrol_rejected']}", ["办件编号", "身份证号"])):
            page.goto(url)
            for label in labels:
                value = _summary_value(page, label)
                assert value.evaluate(LINES_JS) == 1, f"{label} on {url} breaks at {mode}"
                term = value.evaluate("dd => dd.previousElementSibling.getBoundingClientRect().bottom")
                beside = value.bounding_box()["y"] < term
                if width == 1366:
                    assert beside, f"{label} is under its label at {mode}"
                elif elder:
                    assert not beside, f"{label} is squeezed beside its label at {mode}"
            assert page.evaluate("() => document.documentElement.scrollWidth") <= width
            name = "si_overview" if "social" in url else "pc_detail"
            page.screenshot(path=str(SHOTS / f"codes_{name}_{mode}.png"), full_page=True)
        assert errors == []
