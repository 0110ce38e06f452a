"""Human-resources service agencies in a real browser: an agency applies for the 行政许可, uploads its materials
and submits; the 受理岗 accepts and the 审核岗 grants it in the workbench modal (two different people); the agency
downloads its licence PDF; the public 名录 finds the agency with htmx. Screenshots of every new page at 1366 and
360 px, normal and 长辈版, go to $TMPDIR/hra-screens for review."""

from __future__ import annotations

import json
import secrets
import subprocess
import time
from typing import Any

from tests.browser.hra_support import screenshots, upload_and_submit, workbench_fire


def _agency_session(live) -> tuple[dict[str, Any], str]:
    async def create() -> tuple[dict[str, Any], str]:
        from portal.auth.sessions import DatabaseStore
        from tests.support.factories import make_employer

        employer = await make_employer(name=f"浏览器{live.unique('hra')}人力资源有限公司", division_code="460105")
        sid = secrets.token_urlsafe(32)
        payload = {"kind": "employer", "auth_at": time.time(), "employer_id": employer["id"],
                   "account_id": employer["id"] + 7000, "acting_name": "张法人", "acting_role": "legal_rep"}
        await DatabaseStore().set(sid, json.dumps(payload).encode(), expires_in=1800)
        return employer, sid

    return live.run(create)


def _fill_and_save(page, name: str) -> None:
    """The 申请行政许可 form filled in (one 许可事项 ticked) and 保存 clicked."""
    page.fill("#f-name", name)
    page.fill("#f-legal_rep", "张法人")
    page.select_option("#f-agency_type", value="1")
    page.select_option("#f-division_code", value="460105")
    page.fill("#f-address", "海口市秀英区长滨路9号")
    page.fill("#f-contact_name", "李联系")
    page.fill("#f-contact_phone", "13800002222")
    page.check("input[name=services][value=L01]")
    with page.expect_navigation():
        page.click("form.app-form button[type=submit]")


def test_apply_accept_grant_download_and_find_in_register(live, browser, page, tmp_path):
    employer, sid = _agency_session(live)
    page.context.add_cookies([{"name": "portal_session", "value": sid, "url": live.base_url}])
    name = employer["name"]

    page.goto(live.url("/hr-agency/apply/licence"))
    _fill_and_save(page, name)
    assert "/matters/" in page.url
    upload_and_submit(page, ("business_licence", "premises", "staff_qualification"))
    page.goto(live.url("/hr-agency/"))
    number = page.locator("[data-testid=hra-applications] tbody tr").first.locator("a").inner_text().strip()
    assert "待受理" in page.inner_text("[data-testid=hra-applications]")

    workbench_fire(browser, live, live.unique("acc"), "hra.accept", number, "accept")
    workbench_fire(browser, live, live.unique("apr"), "hra.approve", number, "approve")

    page.goto(live.url("/hr-agency/"))
    assert "（琼）人服证字" in page.inner_text("[data-testid=hra-licences]")
    with page.expect_download(timeout=60_000) as download:
        page.evaluate("() => { const a = document.querySelector(\"a[href*='/certificate']\"); "
                      "a.setAttribute('download', ''); a.click(); }")
    saved = tmp_path / "licence.pdf"
    download.value.save_as(saved)
    text = subprocess.run(["/usr/bin/pdftotext", str(saved), "-"], capture_output=True, text=True,  # noqa: S603
                          check=True).stdout
    assert "人力资源服务许可证" in "".join(text.split())

    public = browser.new_context(base_url=live.base_url, locale="zh-CN").new_page()
    public.goto(live.url("/hr-agencies/"))
    public.evaluate("() => { window.__notReloaded = true; }")
    public.fill("input[name=name]", name)
    public.click("form.app-grid__filters button[type=submit]")
    public.wait_for_url("**name=**")
    public.wait_for_function("(n) => document.querySelector('[data-testid=grid-table]') && "
                             "document.querySelector('[data-testid=grid-table]').innerText.includes(n)", arg=name)
    assert "13800002222" not in public.content() and "张法人" not in public.content()
    assert public.evaluate("() => window.__notReloaded === true")  # swapped by htmx
    public.context.close()


def test_screenshots_of_the_new_pages(live, browser):
    """Every new page at 1366 and 360 px, normal and 长辈版; none scrolls sideways."""
    employer, sid = _agency_session(live)
    live.make_staff("hra_shots", permissions=["hra.manage"], scopes={"division": ["460000"]})
    pages = {"agency": ["/hr-agency/", "/hr-agency/apply/licence", "/hr-agency/apply/filing", "/hr-agency/change",
                        "/hr-agency/branch", "/hr-agency/cancel", "/hr-agency/annual-reports", "/hr-agency/job-fairs"],
             "public": ["/hr-agencies/"],
             "staff": ["/hr-agency-admin/licences", "/hr-agency-admin/filings", "/hr-agency-admin/annual-reports",
                       "/hr-agency-admin/job-fairs", "/hr-agency-admin/statistics", "/hr-agency-admin/agencies",
                       "/hr-agency-admin/agencies/new"]}

    def licence_detail(page) -> list[str]:
        assert page.goto(live.url("/hr-agency-admin/licences")).ok
        link = page.locator("[data-testid=grid-table] tbody a").first
        return [link.get_attribute("href")] if link.count() else []

    screenshots(browser, live, sid, "hra_shots", pages, staff_extra=licence_detail)


def test_a_first_application_for_a_code_staff_hold_is_refused_beside_it(live, browser):
    """The account's 统一社会信用代码 already has a 机构管理 record: 保存 answers with the reason beside the code (and
    linked from the summary), everything typed and ticked kept; 1366 and 360 px, normal and 长辈版, no sideways
    scroll (screenshots in $TMPDIR/hra-screens)."""
    employer, sid = _agency_session(live)

    async def staff_record() -> None:
        from datetime import UTC, datetime

        from domains.hr_agency.tables import Agency

        at = datetime.now(UTC)
        await Agency(name="线下登记的机构", uscc=employer["uscc"], legal_rep="周法人", address="秀英路3号",
                     division_code="460105", agency_type="1", source="staff", created_at=at, updated_at=at).save()

    live.run(staff_record)

    def refused(page, url: str) -> None:
        assert employer["uscc"] in page.inner_text("[data-testid=hra-uscc]")
        _fill_and_save(page, "网上申请的人力资源公司")
        assert "/apply/licence" in page.url
        assert "联系所在地人社部门" in page.inner_text("#f-uscc-error")
        assert page.locator(".app-error-summary a[href='#f-uscc']").count() == 1
        assert page.input_value("#f-name") == "网上申请的人力资源公司" and page.is_checked("input[value=L01]")

    screenshots(browser, live, sid, "", {"agency": ["/hr-agency/apply/licence"]}, prefix="refused-", ready=refused)
