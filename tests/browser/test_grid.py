"""Browser: a grid filter (劳动合同综合查询) updates the table and the URL by htmx; back and reload work."""

from __future__ import annotations

import json
import secrets
import time


def _employer_with_contracts(live, tag: str) -> str:
    """An employer with three filed contracts and a signed-in session; returns the session id."""

    async def create() -> str:
        from domains.labor_contract import service
        from portal.auth.sessions import DatabaseStore
        from tests.labor_contract.support import cleaned, employer_principal
        from tests.support.factories import make_employer, make_id_number

        employer = await make_employer(name=f"海南{tag}有限公司")
        for name in ("甲", "乙", "丙"):
            await service.file_new(employer_principal(employer),
                                   cleaned(worker_name=f"{tag}{name}", id_number=make_id_number()))
        sid = secrets.token_urlsafe(32)
        payload = {"kind": "employer", "auth_at": time.time(), "employer_id": employer["id"],
                   "account_id": employer["id"] + 1000, "acting_name": "张法人", "acting_role": "legal_rep"}
        await DatabaseStore().set(sid, json.dumps(payload).encode(), expires_in=1800)
        return sid

    return live.run(create)


def _rows(page) -> int:
    return page.locator("#grid-lc_contracts tbody tr").count()


def test_grid_filter_updates_table_and_url_and_back_restores(live, page):
    tag = live.unique("网格")
    sid = _employer_with_contracts(live, tag)
    page.context.add_cookies([{"name": "portal_session", "value": sid, "url": live.base_url}])
    page.goto("/labor-contract/contracts")
    assert _rows(page) == 3
    page.fill("#grid-lc_contracts-f-worker_name", f"{tag}乙")
    with page.expect_response(lambda r: "worker_name=" in r.url and r.request.headers.get("hx-request") == "true"):
        page.click("#grid-lc_contracts button[type=submit]")
    page.wait_for_function("() => document.querySelectorAll('#grid-lc_contracts tbody tr').length === 1")
    assert f"{tag}乙" in page.inner_text("#grid-lc_contracts tbody")
    assert "worker_name=" in page.url  # hx-push-url: the filter is in the address bar
    assert page.locator("main h1").count() == 1  # only the grid was swapped, the page is intact
    assert page.input_value("#grid-lc_contracts-f-worker_name") == f"{tag}乙"
    page.reload()
    assert _rows(page) == 1
    page.go_back()
    page.wait_for_function("() => document.querySelectorAll('#grid-lc_contracts tbody tr').length === 3")
    assert page.locator("main h1").count() == 1 and page.locator("header").count() >= 1
    # a filter with no match shows the empty state inside the grid
    page.goto("/labor-contract/contracts")
    page.select_option("#grid-lc_contracts-f-in_roster", "1")
    with page.expect_response(lambda r: "in_roster=1" in r.url):
        page.click("#grid-lc_contracts button[type=submit]")
    page.wait_for_selector("text=没有符合条件的备案信息")
    assert page.console_errors == []


def _focused(page) -> str:
    return page.evaluate("() => document.activeElement.id || document.activeElement.tagName")


def test_focus_lands_on_the_result_line_after_query_reset_and_sort(live, page):
    tag = live.unique("焦点")
    sid = _employer_with_contracts(live, tag)
    page.context.add_cookies([{"name": "portal_session", "value": sid, "url": live.base_url}])
    page.goto("/labor-contract/contracts")
    status = "grid-lc_contracts-status"
    page.fill("#grid-lc_contracts-f-worker_name", f"{tag}乙")
    with page.expect_response(lambda r: "worker_name=" in r.url):
        page.press("#grid-lc_contracts-f-worker_name", "Enter")
    page.wait_for_function(f"() => document.activeElement.id === '{status}'")
    assert page.inner_text(f"#{status}") == "查询结果：共 1 条"
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
        page.get_by_role("link", name="重置").click()
    page.wait_for_function(f"() => document.activeElement.id === '{status}'")
    with page.expect_response(lambda r: "sort=" in r.url):
        page.locator("#grid-lc_contracts thead a").first.click()
    page.wait_for_function(f"() => document.activeElement.id === '{status}'")
    # the next Tab goes on into the results (the table's scroll box or its first link), not back to the page top
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('#grid-lc_contracts')")
    # a bad filter (over 100 characters, past maxlength): the error summary takes focus instead
    page.eval_on_selector("#grid-lc_contracts-f-worker_name", "el => { el.removeAttribute('maxlength'); el.value = '甲'.repeat(101); }")
    with page.expect_response(lambda r: "worker_name=" in r.url):
        page.press("#grid-lc_contracts-f-worker_name", "Enter")
    page.wait_for_function("() => document.activeElement.classList.contains('app-error-summary')")
    assert "姓名不能超过100个字" in page.inner_text(".app-error-summary")
    assert page.console_errors == []
