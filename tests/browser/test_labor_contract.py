"""Labour-contract filing in a real browser: an employer files a 新订 contract, a reviewer approves it in the
workbench modal, the employer generates and saves the 新签备案名册 and downloads its PDF, which lists the worker."""

from __future__ import annotations

import json
import secrets
import subprocess
import time
from datetime import date
from pathlib import Path
from typing import Any


def _employer_session(live) -> tuple[dict[str, Any], str]:
    """A filed-and-approved employer and a server-side session for its legal representative."""

    async def create() -> tuple[dict[str, Any], str]:
        from portal.auth.sessions import DatabaseStore
        from tests.support.factories import make_employer

        employer = await make_employer(name=f"海南名册测试{live.unique('lc')}有限公司", review_agency="460105",
                                       division_code="460105")
        sid = secrets.token_urlsafe(32)
        payload = {"kind": "employer", "auth_at": time.time(), "employer_id": employer["id"],
                   "account_id": employer["id"] + 5000, "acting_name": "张法人", "acting_role": "legal_rep"}
        await DatabaseStore().set(sid, json.dumps(payload).encode(), expires_in=1800)
        return employer, sid

    return live.run(create)


def test_file_review_roster_and_pdf(live, browser, page, tmp_path):
    from tests.support.factories import make_id_number

    employer, sid = _employer_session(live)
    page.context.add_cookies([{"name": "portal_session", "value": sid, "url": live.base_url}])
    worker = "浏览器测试" + live.unique("")[-3:].translate(str.maketrans("0123456789", "零一二三四五六七八九"))
    id_number = make_id_number(born=date(1990, 6, 1))

    # 1. The employer files a new contract.
    page.goto(live.url("/labor-contract/new"))
    page.fill("#f-worker_name", worker)
    page.fill("#f-id_number", id_number)
    page.select_option("#f-employment_form", label="全日制用工")
    page.select_option("#f-contract_type", label="固定期限")
    page.select_option("#f-contract_template", value="own")
    page.fill("#f-start_date", "2025-01-01")
    page.fill("#f-end_date", "2027-12-31")
    page.fill("#f-probation_months", "2")
    page.fill("#f-post", "前台接待")
    page.fill("#f-workplace", "海口市秀英区")
    page.fill("#f-monthly_wage", "4800")
    page.fill("#f-pay_day", "4")
    page.select_option("#f-work_hours_system", label="标准工时制")
    with page.expect_navigation():
        page.click("form[action='/labor-contract/new'] button[type=submit]")
    # X-1a: the platform's confirmation page (number, what happens next, 回执 PDF).
    number = page.inner_text("[data-testid=matter-number]").strip()
    assert "接下来会怎样" in page.inner_text("main")
    assert page.locator("a[href$='/receipt.pdf']").count() == 1

    # 2. A reviewer of the employer's 送审机构 approves it in the workbench modal.
    username = live.unique("lcr")
    live.make_staff(username, permissions=["lc.review"], scopes={"agency": ["460105"]})
    staff_context = browser.new_context(base_url=live.base_url, locale="zh-CN")
    staff = staff_context.new_page()
    staff.set_default_timeout(10_000)
    live.login_staff(staff, username, "Test@2026pw", next="/workbench")
    staff.goto(live.url(f"/workbench?q={number}"))
    row = staff.locator("tr", has_text=number)
    row.locator("a[href^='/workbench/matters/']").first.click()
    staff.wait_for_selector("[data-modal]")
    assert worker in staff.inner_text("[data-modal]")
    staff.locator("[data-modal] button[name=transition][value=approve]").click()
    staff.wait_for_function("() => document.querySelector('[data-modal]') === null || "
                            "document.querySelector('[data-modal]').innerText.includes('已审核通过')")
    staff_context.close()

    # 3. The employer generates the 新签备案名册, must save it, then downloads the PDF.
    page.goto(live.url(f"/labor-contract/rosters/print?state=new&id_number={id_number}"))
    page.check(f"[data-testid=lc-roster-candidates] input[aria-label='选择 {worker}']")
    with page.expect_navigation():
        page.click("button[name=kind][value=new_roster]")
    assert page.locator("button:has-text('下载')").is_disabled()
    with page.expect_navigation():
        page.click("[data-testid=lc-roster-save]")
    assert "名册已保存" in page.inner_text("[data-testid=lc-roster-saved]")
    # The first PDF starts the server's Chromium: allow for that on a busy machine.
    with page.expect_download(timeout=60_000) as download:
        page.click("[data-testid=lc-roster-download]", timeout=60_000)
    pdf = tmp_path / "roster.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["/usr/bin/pdftotext", str(pdf), "-"], capture_output=True, text=True,  # noqa: S603
                          check=True).stdout
    flat = "".join(text.split())
    assert "新签备案名册" in flat and worker in flat and employer["name"] in flat


def test_query_filters_update_the_table_in_place(live, page):
    """LC-2 with htmx: choosing 审核状态 swaps only the results and puts the filter in the URL."""
    employer, sid = _employer_session(live)

    async def filings() -> None:
        from domains.labor_contract import service
        from tests.labor_contract.support import cleaned, employer_principal, review

        principal = employer_principal(employer)
        approved = await service.file_new(principal, cleaned(worker_name="已审甲"))
        await review(approved["id"])
        await service.file_new(principal, cleaned(worker_name="待审乙"))

    live.run(filings)
    page.context.add_cookies([{"name": "portal_session", "value": sid, "url": live.base_url}])
    page.goto(live.url("/labor-contract/contracts"))
    table = page.locator("[data-testid=grid-table]")
    assert "已审甲" in table.inner_text() and "待审乙" in table.inner_text()
    page.evaluate("() => { window.__notReloaded = true; }")
    page.select_option("select[name=review_state]", value="pending")
    page.click("form.app-grid__filters button[type=submit]")
    page.wait_for_url("**review_state=pending**")
    page.wait_for_function("() => !document.querySelector('[data-testid=grid-table]').innerText.includes('已审甲')")
    assert "待审乙" in table.inner_text()
    assert page.evaluate("() => window.__notReloaded === true")  # swapped by htmx, not a full page load


SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "lc-fixes"


def _shots(page, name: str) -> None:
    """The changed page at 1366 and 360 px, normal and 长辈版, for a person to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    url = page.url
    for elder in (False, True):
        for width in (1366, 360):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(url)
            if elder != ("app-elder" in (page.get_attribute("html", "class") or "")):
                _toggle_elder(page)
            page.screenshot(path=str(SHOTS / f"{name}-{width}{'-elder' if elder else ''}.png"), full_page=True)
    if "app-elder" in (page.get_attribute("html", "class") or ""):
        _toggle_elder(page)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(url)


def _toggle_elder(page) -> None:
    with page.expect_navigation():
        page.locator("button[aria-pressed]", has_text="版").first.click()


def test_draft_saved_resumed_and_submitted_with_every_problem_at_once(live, page):
    """X-1a and X-11 in a browser: 保存草稿 keeps half a form, 我的草稿 resumes it, a bad submit lists every
    problem in one summary, the 办事指南 is one click away, and the good submit lands on 提交成功."""
    employer, sid = _employer_session(live)
    page.context.add_cookies([{"name": "portal_session", "value": sid, "url": live.base_url}])
    page.goto(live.url("/labor-contract/new"))
    assert page.locator("nav.app-sidenav a", has_text="办事指南").get_attribute("href") == "/guide/lc_contract"
    page.fill("#f-worker_name", "草稿丙")
    page.fill("#f-post", "仓库管理员")
    with page.expect_navigation():
        page.click("button[name=intent][value=draft]")
    assert "草稿已保存" in page.inner_text("[data-testid=lc-draft-saved]")
    page.goto(live.url("/labor-contract/new"))
    with page.expect_navigation():
        page.click("[data-testid=lc-drafts] a")
    assert page.input_value("#f-worker_name") == "草稿丙" and page.input_value("#f-post") == "仓库管理员"
    _shots(page, "lc-new-draft")
    # One submit, every problem: fields, a cross-field rule, all in one summary.
    page.select_option("#f-contract_type", label="固定期限")
    page.fill("#f-monthly_wage", "八千")
    with page.expect_navigation():
        page.click("form[action='/labor-contract/new'] button[type=submit]:not([name])")
    summary = page.inner_text(".app-error-summary")
    assert "身份证号" in summary and "月工资（元）" in summary and "固定期限劳动合同必须填写合同结束日期" in summary
    for width in (1366, 360):  # the answer of a POST: resized in place, not reloaded
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"lc-new-errors-{width}.png"), full_page=True)
