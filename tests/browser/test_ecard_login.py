"""Browser: a staff member signs in by scanning the 电子社保卡 QR code (ACC-9), the page polling by htmx."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from portal.validators import id_check_digit
from tests.browser.test_site_layout import ELDER_JS, TARGETS_JS

SHOTS = Path(os.environ.get("ECARD_SCREENSHOTS", tempfile.gettempdir())) / "ecard-screens"


def _card(live) -> str:
    digits = re.sub(r"\D", "", live.unique("c"))[-3:].rjust(3, "0")
    first17 = f"46010019860101{digits}"
    return first17 + id_check_digit(first17)


def test_scan_on_the_phone_signs_the_computer_in(live, page):
    card = _card(live)
    name = live.unique("ec")
    live.make_staff(name, permissions=["admin.staff"], display_name="扫码甲", ecard_id_number=card)
    page.goto(live.url("/login?tab=staff&next=/admin/staff"))
    with page.expect_navigation():
        page.get_by_test_id("ecard-login-link").click()
    assert page.get_by_test_id("ecard-qr").is_visible()
    assert "请使用电子社保卡APP扫描二维码" in page.inner_text("[data-testid=ecard-status]")
    phone = page.context.new_page()
    phone.set_viewport_size({"width": 360, "height": 700})
    phone.goto(page.get_by_test_id("ecard-phone-link").get_attribute("href"))
    # The computer's page learns of the scan by itself (htmx polling).
    page.wait_for_function("() => document.querySelector('[data-testid=ecard-status]').innerText.includes('已扫码')",
                           timeout=10_000)
    phone.fill("#f-id_number", card)
    phone.fill("#f-name", "扫码甲")
    with phone.expect_navigation():
        phone.get_by_role("button", name="确认登录").click()
    assert "已确认登录" in phone.inner_text("[data-testid=ecard-phone-done]")
    page.wait_for_url("**/admin/staff", timeout=10_000)
    assert "扫码甲" in page.inner_text("[data-testid=whoami]")
    assert page.console_errors == []


def test_an_unbound_card_is_told_so_and_the_pages_fit(live, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 360):
        for elder in (False, True):
            context = browser.new_context(base_url=live.base_url, locale="zh-CN", viewport={"width": width, "height": 900})
            if elder:
                context.add_cookies([{"name": "elder", "value": "1", "url": live.base_url}])
            page, phone = context.new_page(), context.new_page()
            errors: list[str] = []
            page.on("console", lambda msg, errors=errors: errors.append(msg.text) if msg.type == "error" else None)
            page.goto("/login/ecard")
            link = page.get_by_test_id("ecard-phone-link").get_attribute("href")
            phone.goto(link)
            suffix = f"{width}{'_elder' if elder else ''}"
            for shown, name in ((page, "login"), (phone, "phone")):
                overflow = shown.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 1, f"{name} at {width}px{' 长辈版' if elder else ''} scrolls sideways by {overflow}px"
                if width == 360:
                    assert shown.evaluate(TARGETS_JS) == [], name
                if elder:
                    assert shown.evaluate(ELDER_JS) == [], name
                shown.screenshot(path=str(SHOTS / f"{name}_{suffix}.png"), full_page=True)
            phone.fill("#f-id_number", "11010519491231002X")
            phone.fill("#f-name", "路人")
            with phone.expect_navigation():
                phone.get_by_role("button", name="确认登录").click()
            page.wait_for_function(
                "() => document.querySelector('[data-testid=ecard-status]').innerText.includes('未绑定工作人员账号')",
                timeout=10_000)
            page.screenshot(path=str(SHOTS / f"refused_{suffix}.png"), full_page=True)
            assert errors == []
            context.close()
