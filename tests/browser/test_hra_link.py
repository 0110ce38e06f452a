"""机构管理 关联单位账号 in a real browser: staff open the record, see the account of its code, confirm, and the legal
person's 机构概况 then shows the record. Screenshots of the changed record page and the new confirmation (found and
refused) at 1366 and 360 px, normal and 长辈版, go to $TMPDIR/hra-screens for review."""

from __future__ import annotations

from typing import Any

from tests.browser.hra_support import screenshots


def _unlinked(live, name: str, *, account: bool = True) -> dict[str, Any]:
    """A record entered by staff (with a licence) and, with `account`, the registered account of its code."""
    from tests.hr_agency.test_link import staff_record
    from tests.support.factories import make_employer, make_uscc

    employer = live.run(make_employer, name=f"{name}（单位账号）") if account else None
    record = live.run(staff_record, employer["uscc"] if employer else make_uscc(), name=name)
    return {**record, "employer": employer}


def _session(live, employer: dict[str, Any]) -> str:
    return live.session(kind="employer", employer_id=employer["id"], account_id=employer["id"] + 7000,
                        acting_name="张法人", acting_role="legal_rep")


def test_staff_link_a_record_and_the_account_sees_it(live, browser, page):
    record = _unlinked(live, live.unique("关联流程机构"))
    live.make_staff("hra_link_b", permissions=["hra.manage"], scopes={"division": ["460000"]})
    live.login_staff(page, "hra_link_b", "Test@2026pw")
    page.goto(live.url(f"/hr-agency-admin/agencies/{record['id']}"))
    with page.expect_navigation():
        page.click("[data-testid=hra-agency-link]")
    account = page.locator("[data-testid=hra-link-account]").inner_text()
    assert record["employer"]["name"] in account and record["employer"]["uscc"] in account
    with page.expect_navigation():
        page.click("button:has-text('确认关联')")
    assert "已关联单位账号" in page.locator("[data-testid=hra-notice]").inner_text()
    assert page.locator("[data-testid=hra-agency-link]").count() == 0
    assert page.console_errors == []

    ctx = browser.new_context(base_url=live.base_url, locale="zh-CN")
    ctx.add_cookies([{"name": "portal_session", "value": _session(live, record["employer"]), "url": live.base_url}])
    agency_page = ctx.new_page()
    agency_page.goto(live.url("/hr-agency/"))
    assert record["name"] in agency_page.locator("[data-testid=hra-agency]").inner_text()
    ctx.close()


def test_screenshots_of_the_link_pages(live, browser):
    """The record before and after linking, the confirmation with the account found and refused, and the linked
    account's 机构概况; none scrolls sideways."""
    before = _unlinked(live, "待关联的线下登记人力资源服务有限公司")
    nobody = _unlinked(live, "尚无单位账号的历史导入人力资源服务有限公司", account=False)
    after = _unlinked(live, "已关联的线下登记人力资源服务有限公司")

    async def link(agency_id: int, employer_id: int) -> None:
        from domains.hr_agency.tables import Agency

        await Agency.update({Agency.employer: employer_id}).where(Agency.id == agency_id)

    live.run(link, after["id"], after["employer"]["id"])
    live.make_staff("hra_link_shots", permissions=["hra.manage"], scopes={"division": ["460000"]})
    admin = "/hr-agency-admin/agencies"
    pages = {"agency": ["/hr-agency/"],
             "staff": [f"{admin}/{before['id']}", f"{admin}/{before['id']}/link", f"{admin}/{nobody['id']}/link",
                       f"{admin}/{after['id']}"]}
    screenshots(browser, live, _session(live, after["employer"]), "hra_link_shots", pages, prefix="link-")
