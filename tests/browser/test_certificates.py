"""Browser: 证书管理 — filter the list (htmx), revoke with a reason and a confirmation swapped in by htmx,
then the public verification page says 已撤销."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from portal.dataservices import certificates
from portal.dataservices.tables import Certificate


async def _make_certificate(title: str) -> dict:
    now = datetime.now(UTC)
    row = Certificate(
        code=certificates.new_code(), kind="test_proof", title=title, division_code="460105",
        subject_summary=json.dumps([["姓名", "李*"]], ensure_ascii=False), issued_at=now, issued_on=now.date(),
    )
    await row.save()
    return row.to_dict()


def test_filter_then_revoke_with_confirmation(live, page):
    staff = live.unique("cert")
    live.make_staff(staff, "Cert#2026x", permissions=["certificate.revoke"], scopes={"division": ["460100"]})
    title = live.unique("浏览器证明")
    cert = live.run(_make_certificate, title)
    live.login_staff(page, staff, "Cert#2026x", next="/certificates")
    assert page.url.endswith("/certificates")
    assert page.locator("nav[aria-label=主导航] a[href='/certificates']").count() == 1

    page.fill("#grid-certificates-f-title", title)
    with page.expect_response(lambda r: "/certificates?" in r.url and r.request.headers.get("hx-request") == "true"):
        page.click("#grid-certificates button[type=submit]")
    page.wait_for_function("() => document.querySelectorAll('#grid-certificates tbody tr').length === 1")
    assert f"title={title}" in page.url or "title=" in page.url

    with page.expect_navigation():
        page.click(f"text={cert['code']}")
    assert page.url.endswith(f"/certificates/{cert['id']}")

    # Empty reason: the message appears beside the field without a page load.
    with page.expect_response(lambda r: r.url.endswith("/revoke") and r.request.headers.get("hx-request") == "true"):
        page.click("#revoke-panel button[type=submit]")
    page.wait_for_selector("#f-reason-error")
    assert "请填写撤销原因" in page.inner_text("#f-reason-error")

    page.fill("#f-reason", "复核发现信息有误")
    with page.expect_response(lambda r: r.url.endswith("/revoke")):
        page.click("#revoke-panel button[type=submit]")
    page.wait_for_selector("[data-testid=revoke-confirm]")
    assert "复核发现信息有误" in page.inner_text("#revoke-panel")

    with page.expect_navigation():
        page.click("#revoke-panel button:has-text('确认撤销')")
    assert page.url.endswith("?revoked=1")
    assert "已撤销" in page.inner_text("[data-testid=cert-status]")

    page.goto(f"/verify/{cert['code']}")
    status = page.inner_text("[data-testid=verify-status]")
    # The reason stays with the staff page; the public one says 已撤销 and the date.
    assert "已撤销" in status and "撤销，不再有效" in status
    assert "复核发现信息有误" not in page.inner_text("main")
    assert page.console_errors == []
