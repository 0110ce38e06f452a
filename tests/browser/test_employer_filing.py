"""The employer record in a real browser (issue 14 §18): 行政区划 and 所属行业 chosen level by level through the
dictionary API (htmx), and the same without JavaScript (选择下一级 posts the form back, nothing typed lost)."""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path
from typing import Any


def _session(live, *, role: str = "legal_rep", services: str = "*") -> tuple[dict[str, Any], str]:
    async def create() -> tuple[dict[str, Any], str]:
        from datetime import date, timedelta

        from domains.employer.tables import AgentAuthorisation
        from portal.auth.sessions import DatabaseStore
        from tests.support.factories import make_employer, make_id_number

        employer = await make_employer(name=f"海南级联测试{live.unique('emp')}有限公司", division_code="460105",
                                       review_agency="460105", filing_approved=True)
        payload = {"kind": "employer", "auth_at": time.time(), "employer_id": employer["id"],
                   "account_id": employer["id"] + 7000, "acting_name": "张法人", "acting_role": role}
        if role == "agent":
            row = AgentAuthorisation(employer=employer["id"], name="黄经办", id_number=make_id_number(),
                                     mobile="13976000003", valid_from=date.today(),
                                     valid_until=date.today() + timedelta(days=90), status="active",
                                     services=services, created_at=date.today())
            await row.save()
            payload |= {"acting_name": "黄经办", "agent_id": row.id}
        sid = secrets.token_urlsafe(32)
        await DatabaseStore().set(sid, json.dumps(payload).encode(), expires_in=1800)
        return employer, sid

    return live.run(create)


def _sign_in(page, live, sid: str) -> None:
    page.context.add_cookies([{"name": "portal_session", "value": sid, "url": live.base_url}])


def _option_values(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(f"{selector} option", "els => els.map(e => e.value)")


def test_cascades_ask_the_dictionary_level_by_level(live, page):
    _, sid = _session(live)
    _sign_in(page, live, sid)
    page.goto(live.url("/employer/filing"))
    # The stored record (460105, I) shows its whole chain.
    assert page.input_value("#f-division_code-1") == "460000"
    assert page.input_value("#f-division_code-2") == "460100"
    assert page.input_value("#f-division_code-3") == "460105"

    page.focus("#f-industry-1")
    page.select_option("#f-industry-1", "C")
    page.wait_for_selector("#f-industry-2")
    assert "C13" in _option_values(page, "#f-industry-2")
    # The swap replaced the select the user was on: the focus comes back to it, not to <body>.
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'f-industry-1'",
                           timeout=3000)
    page.select_option("#f-industry-2", "C13")
    page.wait_for_selector("#f-industry-3")
    page.select_option("#f-industry-3", "C131")
    page.wait_for_selector("#f-industry-4")
    page.select_option("#f-industry-4", "C1311")

    page.select_option("#f-division_code-2", "460200")  # another city: its districts replace Haikou's
    page.wait_for_selector("#f-division_code-3 option[value='460202']", state="attached")
    assert "460105" not in _option_values(page, "#f-division_code-3")
    page.select_option("#f-division_code-3", "460202")
    assert page.locator("noscript").count() >= 1  # the no-JS button is there, hidden while JS runs
    assert page.locator("button[name=_cascade]").count() == 0

    page.fill("#f-landline", "0898-88886666")
    page.fill("#f-postcode", "572000")
    with page.expect_navigation():
        page.click("form[action='/employer/filing'] button[type=submit]")
    assert "保存成功" in page.inner_text("[data-testid=filing-notice]")
    assert page.input_value("#f-industry-4") == "C1311"
    assert page.input_value("#f-division_code-3") == "460202"
    assert page.console_errors == []


def test_cascades_work_without_javascript(live, browser):
    _, sid = _session(live)
    context = browser.new_context(base_url=live.base_url, locale="zh-CN", java_script_enabled=False)
    try:
        page = context.new_page()
        _sign_in(page, live, sid)
        page.goto(live.url("/employer/filing"))
        page.fill("#f-address", "三亚市吉阳区无脚本路8号")
        page.select_option("#f-division_code-2", "460200")
        with page.expect_navigation():
            page.click("#f-division_code button[name=_cascade]")
        # The next level is there, the rest kept, nothing saved and no error shown.
        assert "460202" in _option_values(page, "#f-division_code-3")
        assert page.input_value("#f-address") == "三亚市吉阳区无脚本路8号"
        assert page.locator(".app-error-summary").count() == 0
        page.select_option("#f-division_code-3", "460203")
        page.fill("#f-landline", "0898-88886666")
        page.fill("#f-postcode", "572000")
        with page.expect_navigation():
            page.click("form[action='/employer/filing'] .app-button-group button[type=submit]")
        assert "保存成功" in page.inner_text("[data-testid=filing-notice]")
        assert page.input_value("#f-division_code-3") == "460203"
    finally:
        context.close()


def test_without_javascript_enter_in_a_field_saves_and_does_not_press_the_cascade(live, browser):
    _, sid = _session(live)
    context = browser.new_context(base_url=live.base_url, locale="zh-CN", java_script_enabled=False)
    try:
        page = context.new_page()
        _sign_in(page, live, sid)
        page.goto(live.url("/employer/filing"))
        page.select_option("#f-division_code-2", "460200")
        with page.expect_navigation():
            page.click("#f-division_code button[name=_cascade]")
        page.select_option("#f-division_code-3", "460203")
        page.fill("#f-landline", "0898-88886666")
        page.fill("#f-postcode", "572000")
        page.fill("#f-address", "三亚市吉阳区回车路9号")
        with page.expect_navigation():
            page.press("#f-address", "Enter")
        assert "保存成功" in page.inner_text("[data-testid=filing-notice]")
        assert page.input_value("#f-address") == "三亚市吉阳区回车路9号"
    finally:
        context.close()


def test_screenshots(live, browser):
    """The new and changed pages at 1366 and 360 px, normal and 长辈版, for a person to look at
    (PORTAL_SCREENSHOT_DIR; skipped otherwise). Also: nothing wider than the screen."""
    out = os.environ.get("PORTAL_SCREENSHOT_DIR")
    _, rep_sid = _session(live)
    _, agent_sid = _session(live, role="agent", services="labor_contract,social_insurance")
    pages = [("filing", rep_sid, "/employer/filing"), ("agents", rep_sid, "/employer/agents"),
             ("agent-agents", agent_sid, "/employer/agents"), ("agent-home", agent_sid, "/"),
             ("agent-filing", agent_sid, "/employer/filing"), ("agent-refused", agent_sid, "/hr-agency")]
    for width in (1366, 360):
        for elder in (False, True):
            context = browser.new_context(base_url=live.base_url, locale="zh-CN",
                                          viewport={"width": width, "height": 900})
            cookies = [{"name": "elder", "value": "1" if elder else "0", "url": live.base_url}]
            try:
                page = context.new_page()
                for name, sid, path in pages:
                    context.add_cookies([*cookies, {"name": "portal_session", "value": sid, "url": live.base_url}])
                    page.goto(live.url(path))
                    wide = page.evaluate("document.documentElement.scrollWidth")
                    assert wide <= width, f"{path} at {width}px (elder={elder}) is {wide}px wide"
                    if out:
                        target = Path(out) / f"{name}-{width}{'-elder' if elder else ''}.png"
                        page.screenshot(path=str(target), full_page=True)
            finally:
                context.close()
