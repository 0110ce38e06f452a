"""Helpers of the agency browser tests: a 受理/审批 fired in the workbench modal, and the screenshots of a set of
pages at 1366 and 360 px, normal and 长辈版 (each checked for sideways scrolling) into $TMPDIR/hra-screens."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

SCREENS = Path(os.environ.get("TMPDIR", tempfile.gettempdir())) / "hra-screens"


def workbench_fire(browser, live, username: str, permission: str, number: str, transition: str,
                   opinion: str = "") -> None:
    """A new staff member of 460100 with `permission` fires `transition` on matter `number` in the workbench."""
    live.make_staff(username, permissions=[permission], scopes={"division": ["460100"]})
    ctx = browser.new_context(base_url=live.base_url, locale="zh-CN")
    staff = ctx.new_page()
    staff.set_default_timeout(15_000)
    live.login_staff(staff, username, "Test@2026pw", next="/workbench")
    staff.goto(live.url(f"/workbench?q={number}"))
    staff.locator("tr", has_text=number).locator("a[href^='/workbench/matters/']").first.click()
    staff.wait_for_selector("[data-modal]")
    if opinion:
        staff.locator("[data-modal] textarea[name=opinion]").fill(opinion)
    staff.locator(f"[data-modal] button[name=transition][value={transition}]").click()
    staff.wait_for_function("() => document.querySelector('[data-modal]') === null || "
                            "document.querySelector('[data-modal]').innerText.includes('办件当前状态')")
    ctx.close()


def upload_and_submit(page, codes: tuple[str, ...]) -> None:
    """On the applicant's matter page: one PDF for each material code, then 提交."""
    from tests.support.files import pdf_bytes

    pdf = Path(tempfile.mkdtemp()) / "material.pdf"
    pdf.write_bytes(pdf_bytes("material"))
    for code in codes:
        page.select_option("#f-code", value=code)
        page.set_input_files("#f-file", str(pdf))
        with page.expect_navigation():
            page.click("form.app-upload button[type=submit]")
    with page.expect_navigation():
        page.click("button[name=transition][value=submit]")


def screenshots(browser, live, sid: str, staff_user: str, pages: dict[str, list[str]], *, prefix: str = "",
                staff_extra: Callable[[Any], list[str]] | None = None,
                ready: Callable[[Any, str], None] | None = None) -> None:
    """`pages`: "agency" (the session `sid`), "public" and "staff" (`staff_user` signs in) URL lists; `staff_extra`
    adds URLs found on a staff page, `ready(page, url)` waits for what a page draws before the shot."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 360):
        for elder in (False, True):
            ctx = browser.new_context(base_url=live.base_url, locale="zh-CN", viewport={"width": width, "height": 900})
            cookies = [{"name": "elder", "value": "1", "url": live.base_url}] if elder else []
            ctx.add_cookies(cookies + [{"name": "portal_session", "value": sid, "url": live.base_url}])
            page = ctx.new_page()
            for who, urls in pages.items():
                if who == "staff":
                    ctx.clear_cookies()
                    if elder:
                        ctx.add_cookies(cookies)
                    live.login_staff(page, staff_user, "Test@2026pw")
                    urls = urls + (staff_extra(page) if staff_extra else [])
                for url in urls:
                    response = page.goto(live.url(url))
                    assert response.ok, url
                    if ready:
                        ready(page, url)
                    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
                    assert overflow <= 0, f"{url} scrolls sideways at {width}px by {overflow}px"
                    slug = url.strip("/").replace("/", "_").replace("?", "_").replace("=", "") or "home"
                    page.screenshot(path=str(SCREENS / f"{prefix}{slug}-{width}{'-elder' if elder else ''}.png"),
                                    full_page=True)
            ctx.close()
