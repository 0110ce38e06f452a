"""The staff workbench in a real browser: review a matter in the modal with the keyboard alone (X-2, X-8)."""

from __future__ import annotations

from typing import Any


def _tab_to(page, predicate_js: str, limit: int = 80, shift: bool = False) -> None:
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if shift else "Tab")
        if page.evaluate(f"() => {{ const el = document.activeElement; return !!el && ({predicate_js}); }}"):
            return
    raise AssertionError(f"never reached an element matching {predicate_js}")


def _settled(page) -> None:
    """Wait until htmx has processed swapped-in content (it does so ~20 ms after the swap): a key pressed before
    that submits the modal's form natively, as a full page."""
    page.wait_for_function("() => !document.querySelector('.htmx-added, .htmx-settling, .htmx-request')")


def _inside_modal(page) -> bool:
    return page.evaluate("() => !!document.activeElement.closest('[data-modal]')")


def _submitted_contract_matter(live) -> dict[str, Any]:
    """A labour-contract filing (a real kind registered by its domain) submitted by a fresh employer."""

    async def create() -> dict[str, Any]:
        import domains.labor_contract.matters  # noqa: F401  (registers the kinds, as the app does)
        from portal.auth.principal import Principal
        from portal.workflow import engine
        from tests.support.factories import make_employer

        employer = await make_employer(name=f"海南键盘测试{live.unique('e')}有限公司", division_code="460105")
        applicant = Principal(kind="employer", account_id=employer["id"], display_name=employer["name"],
                              employer_id=employer["id"], employer_name=employer["name"], acting_name="张法人")
        return await engine.create_matter(applicant, "lc_contract", payload={"worker_name": "测试员工"},
                                          title="劳动合同新订备案", submit=True)

    return live.run(create)


def test_review_in_modal_by_keyboard_alone(live, page):
    matter = _submitted_contract_matter(live)
    username = live.unique("wb")
    from domains.labor_contract.matters import REVIEW_PERMISSION

    live.make_staff(username, permissions=[REVIEW_PERMISSION], scopes={"division": ["460000"]})
    live.login_staff(page, username, "Test@2026pw", next="/workbench")
    assert page.url.endswith("/workbench")
    opener = f"a[href='/workbench/matters/{matter['id']}']"
    assert page.locator(opener).count() == 1, page.inner_text("main")

    # Open with Enter; focus moves into the dialog and Tab stays trapped inside it.
    _tab_to(page, f"el.matches(\"{opener}\")")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-modal] [role=dialog], [data-modal][role=dialog]")
    _settled(page)
    assert _inside_modal(page)
    assert matter["number"] in page.inner_text("#matter-modal-title")
    for _ in range(25):
        page.keyboard.press("Tab")
        assert _inside_modal(page), "focus escaped the modal"

    # Esc closes it and gives focus back to the link that opened it.
    page.keyboard.press("Escape")
    assert page.locator("[data-modal]").count() == 0
    assert page.evaluate(f"() => document.activeElement.matches(\"{opener}\")")

    # Reopen, try to reject without an opinion: the refusal is announced and focused inside the modal.
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-modal]")
    _settled(page)
    _tab_to(page, "el.tagName === 'BUTTON' && el.value === 'reject'")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-modal] .app-error-summary")
    assert "请填写审核意见" in page.inner_text("[data-modal] .app-error-summary")
    assert _inside_modal(page)

    # Type the opinion and reject: the modal reports the new state, the queue refreshes without the matter.
    _tab_to(page, "el.id === 'f-opinion'")
    page.keyboard.type("劳动合同期限填写有误，请核对后重新提交")
    _tab_to(page, "el.tagName === 'BUTTON' && el.value === 'reject'")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=done]")
    assert "审核不通过" in page.inner_text("[data-testid=done]")
    assert "劳动合同期限填写有误" in page.inner_text("[data-modal] [data-testid=timeline]")
    page.wait_for_function(f"() => !document.querySelector(\"{opener}\")")
    page.keyboard.press("Escape")
    assert page.locator("[data-modal]").count() == 0
    assert page.evaluate("() => document.activeElement.id") == "main"
    assert page.console_errors == []

    async def state() -> str:
        from portal.workflow.tables import Matter

        return (await Matter.select(Matter.state).where(Matter.id == matter["id"]).first())["state"]

    assert live.run(state) == "rejected"


def _employer_session(live, context) -> dict[str, Any]:
    """A fresh employer with two matters, signed in by a server-side session (the network login is tested elsewhere)."""
    import json
    import secrets
    import time

    async def create() -> dict[str, Any]:
        import domains.labor_contract.matters  # noqa: F401
        from portal.auth.principal import Principal
        from portal.auth.sessions import DatabaseStore
        from portal.workflow import engine
        from tests.support.factories import make_employer

        employer = await make_employer(name=f"海南筛选测试{live.unique('f')}有限公司", division_code="460105")
        applicant = Principal(kind="employer", account_id=employer["id"], display_name=employer["name"],
                              employer_id=employer["id"], employer_name=employer["name"], acting_name="张法人")
        draft = await engine.create_matter(applicant, "lc_contract", payload={}, title="草稿备案")
        sent = await engine.create_matter(applicant, "lc_contract", payload={}, title="已提交备案", submit=True)
        session_id = secrets.token_urlsafe(32)
        data = {"kind": "employer", "auth_at": time.time(), "employer_id": employer["id"], "acting_role": "legal_rep",
                "acting_name": "张法人"}
        await DatabaseStore().set(session_id, json.dumps(data).encode(), expires_in=1800)
        return {"draft": draft, "sent": sent, "session": session_id}

    made = live.run(create)
    context.add_cookies([{"name": "portal_session", "value": made["session"], "url": live.base_url}])
    return made


def test_my_matters_filter_updates_in_place_and_keeps_the_url(live, context, page):
    made = _employer_session(live, context)
    page.goto("/matters")
    results = page.locator("#matter-results")
    assert made["draft"]["number"] in results.inner_text() and made["sent"]["number"] in results.inner_text()
    page.evaluate("() => { window.__marker = 1; }")  # survives only if the page is not reloaded
    page.focus("#f-state")
    page.select_option("#f-state", "draft")
    _tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === '查询'")
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"() => !document.querySelector('#matter-results').innerText.includes('{made['sent']['number']}')"
    )
    assert made["draft"]["number"] in results.inner_text()
    assert page.evaluate("() => window.__marker") == 1, "the filter swapped the results, not the page"
    assert "state=draft" in page.url
    assert page.locator("span.app-count").inner_text() == "1"  # the submission's message is unread
    assert page.console_errors == []


def test_queue_pages_by_key_in_place_and_the_back_button_returns(live, page):
    """下一页 swaps the queue (no reload) and pushes a URL with the key and the search; Back and Forward walk it."""
    tag = live.unique("翻页")

    async def create() -> int:
        import domains.labor_contract.matters  # noqa: F401
        from portal.auth.principal import Principal
        from portal.workflow import creation
        from tests.support.factories import make_employer

        employer = await make_employer(name=f"海南{tag}科技有限公司", division_code="460105")
        applicant = Principal(kind="employer", account_id=employer["id"], display_name=employer["name"],
                              employer_id=employer["id"], employer_name=employer["name"], acting_name="张法人")
        made = await creation.create_matters(applicant, "lc_contract", [{"title": f"翻页{i}", "payload": {}}
                                                                    for i in range(55)])
        return len(made)

    assert live.run(create) == 55
    from domains.labor_contract.matters import REVIEW_PERMISSION

    username = live.unique("wbpage")
    live.make_staff(username, permissions=[REVIEW_PERMISSION], scopes={"division": ["460000"]})
    live.login_staff(page, username, "Test@2026pw", next="/workbench")
    page.fill("#f-q", tag)
    page.keyboard.press("Enter")
    total = page.locator("[data-testid=queue-total]")
    page.wait_for_function("() => document.querySelector('[data-testid=queue-total]').innerText.includes('共 55 条')")
    assert "第 1 页" in total.inner_text() and page.locator("tbody tr").count() == 50
    page.evaluate("() => { window.__marker = 1; }")  # survives only if the page is not reloaded

    page.click("a[rel=next]")
    page.wait_for_function("() => document.querySelector('[data-testid=queue-total]').innerText.includes('第 2 页')")
    assert page.locator("tbody tr").count() == 5 and "共 55 条" in total.inner_text()
    assert page.evaluate("() => window.__marker") == 1, "the pager swapped the queue, not the page"
    # focus follows the swap into the new queue instead of dropping to <body> (issue #14 item 2)
    page.wait_for_function("() => document.activeElement.id === 'queue'")
    assert "after=" in page.url and "p=2" in page.url and "q=" in page.url

    page.go_back()
    page.wait_for_function("() => document.querySelector('[data-testid=queue-total]').innerText.includes('第 1 页')")
    assert page.locator("tbody tr").count() == 50 and "after=" not in page.url
    page.go_forward()
    page.wait_for_function("() => document.querySelector('[data-testid=queue-total]').innerText.includes('第 2 页')")
    assert page.locator("tbody tr").count() == 5
    page.click("a[rel=prev]")
    page.wait_for_function("() => document.querySelector('[data-testid=queue-total]').innerText.includes('第 1 页')")
    assert page.locator("a[rel=prev]").count() == 0 and page.locator("tbody tr").count() == 50
    assert page.console_errors == []
