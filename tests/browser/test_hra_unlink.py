"""机构管理 解除关联 in a real browser: staff open a linked record, see the account on the confirmation, are told
beside the field that a reason is needed, confirm with one, and the legal person's 机构概况 no longer shows the
record. Screenshots of the record page, the confirmation (normal, with the reason missing, refused), the link
confirmation it shares its parts with, and 机构概况 with a licence and with a licence application under way, at
1366 and 360 px, normal and 长辈版, go to $TMPDIR/hra-screens for review."""

from __future__ import annotations

from typing import Any

from tests.browser.hra_support import SCREENS, screenshots


def _linked(live, name: str) -> dict[str, Any]:
    """An agency applied for online (its account linked) holding a licence."""
    from tests.hr_agency.factories import make_agency

    return live.run(make_agency, name=name)


def _session(live, employer: dict[str, Any]) -> str:
    return live.session(kind="employer", employer_id=employer["id"], account_id=employer["id"] + 7000,
                        acting_name="张法人", acting_role="legal_rep")


def _agency_page(browser, live, employer: dict[str, Any]):
    ctx = browser.new_context(base_url=live.base_url, locale="zh-CN")
    ctx.add_cookies([{"name": "portal_session", "value": _session(live, employer), "url": live.base_url}])
    page = ctx.new_page()
    page.goto(live.url("/hr-agency/"))
    return ctx, page


def test_staff_unlink_a_record_and_the_account_no_longer_sees_it(live, browser, page):
    record = _linked(live, live.unique("解除关联流程机构"))
    employer = record["employer"]
    ctx, agency_page = _agency_page(browser, live, employer)
    assert record["name"] in agency_page.locator("[data-testid=hra-agency]").inner_text()
    standing = agency_page.locator("[data-testid=hra-licence-standing]").inner_text()
    assert "许可证编号" in standing and "有效期" in standing
    assert agency_page.locator("a[href='/hr-agency/apply/licence']").count() == 0

    live.make_staff("hra_unlink_b", permissions=["hra.manage"], scopes={"division": ["460000"]})
    live.login_staff(page, "hra_unlink_b", "Test@2026pw")
    page.goto(live.url(f"/hr-agency-admin/agencies/{record['id']}"))
    with page.expect_navigation():
        page.click("[data-testid=hra-agency-unlink]")
    account = page.locator("[data-testid=hra-unlink-account]").inner_text()
    assert employer["name"] in account and employer["uscc"] in account
    with page.expect_navigation():
        page.click("button:has-text('确认解除关联')")
    assert "请填写解除关联的原因" in page.locator("#f-reason-error").inner_text()
    page.fill("#f-reason", "法人申请，账号关联有误")
    with page.expect_navigation():
        page.click("button:has-text('确认解除关联')")
    assert "已解除关联" in page.locator("[data-testid=hra-notice]").inner_text()
    assert "法人申请，账号关联有误" in page.locator("[data-testid=hra-history]").inner_text()
    assert page.locator("[data-testid=hra-agency-link]").count() == 1
    assert page.console_errors == []

    agency_page.reload()
    assert agency_page.locator("[data-testid=hra-agency]").count() == 0
    assert record["name"] not in agency_page.content()
    ctx.close()


def test_screenshots_of_the_unlink_pages(live, browser):
    """Every page the change touched; none scrolls sideways; the confirmation also with its reason missing."""
    from domains.hr_agency import service
    from tests.hr_agency.support import FORM
    from tests.hr_agency.test_link import staff_record
    from tests.support.factories import make_employer, make_uscc
    from tests.workflow.support import employer_principal

    linked = _linked(live, "已关联的网上申请人力资源服务有限公司")
    unlinked = live.run(staff_record, make_uscc(), name="尚未关联单位账号的线下登记人力资源服务有限公司")
    applicant = live.run(make_employer, name="申请办理中的人力资源服务有限公司")

    async def draft() -> None:
        await service.apply(employer_principal(applicant), "hra_licence", {**FORM, "name": applicant["name"]},
                            ["L01"])

    live.run(draft)
    live.make_staff("hra_unlink_shots", permissions=["hra.manage"], scopes={"division": ["460000"]})
    admin = "/hr-agency-admin/agencies"
    screenshots(browser, live, _session(live, linked["employer"]), "hra_unlink_shots", {
        "agency": ["/hr-agency/"],
        "staff": [f"{admin}/{linked['id']}", f"{admin}/{linked['id']}/unlink", f"{admin}/{unlinked['id']}/unlink",
                  f"{admin}/{unlinked['id']}/link"]}, prefix="unlink-")
    screenshots(browser, live, _session(live, applicant), "hra_unlink_shots", {"agency": ["/hr-agency/"]},
                prefix="unlink-pending-")

    # the confirmation answered with the reason missing (a POST: shot here rather than by URL)
    for width in (1366, 360):
        for elder in (False, True):
            ctx = browser.new_context(base_url=live.base_url, locale="zh-CN", viewport={"width": width, "height": 900})
            if elder:
                ctx.add_cookies([{"name": "elder", "value": "1", "url": live.base_url}])
            page = ctx.new_page()
            live.login_staff(page, "hra_unlink_shots", "Test@2026pw")
            page.goto(live.url(f"{admin}/{linked['id']}/unlink"))
            with page.expect_navigation():
                page.click("button:has-text('确认解除关联')")
            assert page.locator("#f-reason-error").count() == 1
            overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"the refused confirmation scrolls sideways at {width}px by {overflow}px"
            page.screenshot(path=str(SCREENS / f"unlink-reason-missing-{width}{'-elder' if elder else ''}.png"),
                            full_page=True)
            ctx.close()
