"""Issue #21 leftovers in a real browser: the 统计分析 chart draws (and without JavaScript the table is all there is),
a count drills down to its agencies; an agency corrects a returned 设立分支机构报告 and resubmits it. Screenshots of
every new or changed page at 1366 and 360 px, normal and 长辈版, go to $TMPDIR/hra-screens for review."""

from __future__ import annotations

from typing import Any

from tests.browser.hra_support import screenshots, upload_and_submit, workbench_fire


def _agency(live, name: str) -> dict[str, Any]:
    """An agency holding a licence and a filing, with its legal person's session id under "sid"."""
    from tests.hr_agency.factories import make_agency

    agency = live.run(make_agency, name=name, division="460105", filing=True)
    agency["sid"] = live.session(kind="employer", employer_id=agency["employer"]["id"],
                                 account_id=agency["employer"]["id"] + 7000, acting_name="张法人",
                                 acting_role="legal_rep")
    return agency


def _demo_agency_session(live) -> str:
    async def employer_id() -> int:
        from domains.employer.tables import Employer
        from seeds.demo_identities import AGENCY

        return (await Employer.select(Employer.id).where(Employer.uscc == AGENCY.uscc).first())["id"]

    eid = live.run(employer_id)
    return live.session(kind="employer", employer_id=eid, account_id=eid + 7000, acting_name="张法人",
                        acting_role="legal_rep")


def test_statistics_chart_draws_and_the_table_stands_without_javascript(live, browser, page):
    live.make_staff("hra_chart", permissions=["hra.manage"], scopes={"division": ["460000"]})
    live.login_staff(page, "hra_chart", "Test@2026pw", next="/hr-agency-admin/statistics")
    page.goto(live.url("/hr-agency-admin/statistics"))
    page.wait_for_selector("#chart-hra-stats[data-chart-ready] canvas")
    assert page.is_visible("#chart-hra-stats") and page.is_visible("[data-testid=hra-stats]")
    box = page.locator("#chart-hra-stats canvas").first.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 200
    # One year's chart, by its tab; then a count of the table opens the agencies behind it.
    page.locator(".app-tabs a", has_text="2026年").click()
    page.wait_for_selector("#chart-hra-stats[data-chart-ready] canvas")
    assert "2026年各地区新增和注销" in page.inner_text("[data-testid=chart-hra-stats] figcaption")
    link = page.locator("[data-testid=hra-stats] tbody a").first
    expected = int(link.inner_text())
    with page.expect_navigation():
        link.click()
    assert "/hr-agency-admin/statistics/" in page.url
    assert page.locator("[data-testid=grid-table] tbody tr").count() == min(expected, 20)
    assert page.console_errors == []

    no_js = browser.new_context(base_url=live.base_url, locale="zh-CN", java_script_enabled=False)
    plain = no_js.new_page()
    live.login_staff(plain, "hra_chart", "Test@2026pw", next="/hr-agency-admin/statistics")
    plain.goto(live.url("/hr-agency-admin/statistics"))
    assert plain.is_visible("[data-testid=hra-stats]") and not plain.is_visible("#chart-hra-stats")
    assert plain.locator("[data-testid=hra-stats] tbody tr").count() >= 3
    no_js.close()


def test_returned_branch_report_is_edited_and_resubmitted(live, browser, page):
    agency = _agency(live, f"退回{live.unique('hra')}人力资源有限公司")
    page.context.add_cookies([{"name": "portal_session", "value": agency["sid"], "url": live.base_url}])
    page.goto(live.url("/hr-agency/branch"))
    page.fill("#f-name", "龙华分公司")
    page.select_option("#f-division_code", value="460106")
    page.fill("#f-address", "海口市龙华区旧地址1号")
    page.fill("#f-leader", "孙负责")
    with page.expect_navigation():
        page.click("form.app-form button[type=submit]")
    assert "/matters/" in page.url
    matter_url = page.url.split("?")[0]
    upload_and_submit(page, ("branch_licence",))
    page.goto(live.url("/hr-agency/"))
    number = page.locator("[data-testid=hra-applications] tbody tr").first.locator("a").inner_text().strip()

    workbench_fire(browser, live, live.unique("acc"), "hra.accept", number, "return", opinion="地址与营业执照不一致")

    page.goto(matter_url)
    assert "地址与营业执照不一致" in page.inner_text("main")
    with page.expect_navigation():
        page.click("text=修改申请内容")
    assert page.input_value("#f-address") == "海口市龙华区旧地址1号"
    page.fill("#f-address", "海口市龙华区新地址2号")
    with page.expect_navigation():
        page.click("form.app-form button[type=submit]")
    assert "海口市龙华区新地址2号" in page.inner_text("main")
    with page.expect_navigation():
        page.click("button[name=transition][value=resubmit]")
    assert "待受理" in page.inner_text("main")
    assert page.locator("text=修改申请内容").count() == 0
    assert page.console_errors == []


def test_screenshots_of_the_new_and_changed_pages(live, browser):
    """Each new or changed page at 1366 and 360 px, normal and 长辈版; none scrolls sideways."""
    sid = _demo_agency_session(live)
    live.make_staff("hra_shots2", permissions=["hra.manage"], scopes={"division": ["460000"]})

    async def ids() -> dict[str, int]:
        from domains.hr_agency.tables import Branch
        from portal.workflow.tables import Matter

        returned = await Matter.select(Matter.id).where((Matter.kind == "hra_branch") & (Matter.state == "returned"))
        branch = await Branch.select(Branch.id, Branch.agency).first()
        return {"branch": branch["id"], "parent": branch["agency"], "returned": returned[0]["id"]}

    found = live.run(ids)
    pages = {"agency": ["/hr-agency/", "/hr-agency/change", f"/hr-agency/branch/{found['returned']}/edit",
                        "/hr-agency/cancel"],
             "public": ["/hr-agencies/?region=460200"],
             "staff": ["/hr-agency-admin/statistics", "/hr-agency-admin/statistics?year=2024",
                       "/hr-agency-admin/statistics/4601/0/new", "/hr-agency-admin/branches",
                       f"/hr-agency-admin/branches/{found['branch']}", f"/hr-agency-admin/agencies/{found['parent']}"]}

    def chart_drawn(page, url: str) -> None:
        if url.startswith("/hr-agency-admin/statistics") and "/statistics/" not in url:
            page.wait_for_selector("#chart-hra-stats[data-chart-ready] canvas")

    screenshots(browser, live, sid, "hra_shots2", pages, prefix="flows-", ready=chart_drawn)
