"""The service hall in a real browser: tabs and search swap the panel in place (htmx), 在线办理 leads to the
audience's login, a published notice shows, and the new pages fit 1366 and 360 px in both modes (screenshots)."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

SHOTS = Path(os.environ.get("HALL_SCREENSHOTS", tempfile.gettempdir())) / "hall-screens"


def test_tabs_and_search_swap_the_hall_in_place(live, page):
    page.goto("/")
    hall = page.locator("[data-testid=hall]")
    assert page.locator("[data-testid=hall-tab-person]").get_attribute("aria-current") == "page"
    assert "参保证明打印" in hall.inner_text() and "劳动合同新订备案" not in hall.inner_text()
    page.evaluate("() => { window.__stay = 'same page'; }")  # lost if the browser navigated
    page.click("[data-testid=hall-tab-employer]")
    page.wait_for_function("() => document.querySelector('[data-testid=hall]').innerText.includes('劳动合同新订备案')")
    assert page.locator("[data-testid=hall-tab-employer]").get_attribute("aria-current") == "page"
    assert page.evaluate("() => window.__stay") == "same page" and "tab=employer" in page.url
    assert page.locator("[data-testid=home-notices], .app-hall__notices").first.is_visible()  # the aside stays

    page.fill("#hall-q", "参保证明")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_selector("[data-testid=hall-results]")
    assert page.evaluate("() => window.__stay") == "same page" and "q=" in page.url
    results = page.locator("[data-testid=hall-results]").inner_text()
    assert "参保证明打印" in results
    # The result line takes focus, so the next Tab starts at the results.
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'hall-heading'")

    # 在线办理 while signed out: the person login tab, with the service to return to.
    page.locator("[data-service=si_my_certificate] [data-testid=service-apply]").click()
    page.wait_for_url(re.compile(r"/login\?tab=person"))
    assert "next=%2Fperson%2Finsurance%2Fcertificate" in page.url
    assert page.locator("nav[aria-label=登录方式] [aria-current=page]").inner_text() == "个人登录"
    assert page.console_errors == []


def test_an_administrator_publishes_a_notice_and_the_home_page_shows_it(live, page):
    name = live.unique("notice")
    live.make_staff(name, "Note@2026pw", permissions=["admin.notices"], display_name="公告管理员")
    live.login_staff(page, name, "Note@2026pw", next="/admin/notices/new")
    title = f"网上办事大厅系统维护公告 {name}"
    page.get_by_label("标题").fill(title)
    page.get_by_label("正文").fill("12月6日 22:00 至 24:00 系统维护。\n\n维护期间暂停网上办理。")
    page.get_by_role("button", name="保存").click()
    page.wait_for_selector("text=已保存")
    page.click("[data-testid=notice-publish]")
    page.wait_for_selector("text=已发布")
    page.context.clear_cookies()
    page.goto("/")
    page.get_by_role("link", name=title).click()
    page.wait_for_selector("[data-testid=notice]")
    assert "维护期间暂停网上办理" in page.inner_text("[data-testid=notice]")
    assert page.console_errors == []


def test_hall_pages_fit_both_widths_in_both_modes(live, browser):
    """No sideways scroll at 360 px; screenshots of every new page at 1366/360, 标准版 and 长辈版 (to look at)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    staff = live.unique("hallshot")
    live.make_staff(staff, "Shot@2026pw", permissions=["admin.notices"], display_name="公告管理员")
    urls = ["/", "/?tab=employer", "/?q=合同", "/services/lc_new", "/services/si_my_certificate", "/notices"]
    admin_urls = ["/admin/notices", "/admin/notices/new"]
    for width in (1366, 360):
        for elder in (False, True):
            context = browser.new_context(base_url=live.base_url, locale="zh-CN", viewport={"width": width, "height": 900})
            if elder:
                context.add_cookies([{"name": "elder", "value": "1", "url": live.base_url}])
            page = context.new_page()
            errors: list[str] = []
            page.on("console", lambda msg, errors=errors: errors.append(msg.text) if msg.type == "error" else None)
            for url in urls + ["login", *admin_urls]:
                if url == "login":
                    live.login_staff(page, staff, "Shot@2026pw", next="/admin/notices")
                    continue
                response = page.goto(url)
                assert response.status == 200, url
                if elder:
                    size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.app-service, .app-main p, .app-main td') || document.body).fontSize)")
                    assert size >= 24, (url, size)
                overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 1, f"{url} at {width}px{' 长辈版' if elder else ''} scrolls sideways by {overflow}px"
                emblem = page.evaluate("() => { const i = document.querySelector('.app-banner__emblem'); return i.complete && i.naturalWidth; }")
                assert emblem, "the emblem image loads"
                name = re.sub(r"[^a-z0-9]+", "_", url).strip("_") or "home"
                page.screenshot(path=str(SHOTS / f"{name}_{width}{'_elder' if elder else ''}.png"), full_page=True)
            assert errors == []
            context.close()
