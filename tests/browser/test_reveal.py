"""查看完整号码 in a real browser: the masked 身份证号 becomes the whole number in place (htmx POST with the CSRF
header), without a page load and without console errors (CSP)."""

from __future__ import annotations

from datetime import date

from tests.browser.test_labor_contract import _employer_session


def test_reveal_swaps_the_full_number_in_place(live, page):
    from domains.labor_contract import service
    from tests.labor_contract.support import cleaned, employer_principal
    from tests.support.factories import make_id_number

    employer, sid = _employer_session(live)
    id_number = make_id_number(born=date(1991, 3, 9))

    async def file() -> dict:
        return await service.file_new(employer_principal(employer), cleaned(worker_name="浏览器查看", id_number=id_number))

    filed = live.run(file)
    page.context.add_cookies([{"name": "portal_session", "value": sid, "url": live.base_url}])
    page.goto(live.url(f"/labor-contract/contracts/{filed['id']}"))
    widget = page.locator("[data-testid=reveal]")
    assert id_number not in page.content()
    assert widget.inner_text().startswith(id_number[:6] + "********" + id_number[-4:])
    url_before = page.url
    widget.get_by_role("button", name="查看完整号码").click()
    page.wait_for_selector("[data-testid=reveal-value]")
    assert page.inner_text("[data-testid=reveal-value]") == id_number
    assert page.url == url_before  # swapped in place, no navigation
    assert page.console_errors == []
