"""HRA-12 历史数据采集 in a real browser: from the list to 导入历史数据, the template, an upload with a failing row,
② the result table switched to 只看未通过 by htmx (no reload), ③ 确认导入, the imported agency in the list.
Screenshots of the new pages at 1366 and 360 px, normal and 长辈版, go to $TMPDIR/hra-history-screens."""

from __future__ import annotations

import io
import os
import random
import tempfile
from pathlib import Path

from openpyxl import load_workbook

SCREENS = Path(os.environ.get("TMPDIR", tempfile.gettempdir())) / "hra-history-screens"


def _rows(live, n: int) -> list[list[str]]:
    """`n` good rows of 秀英区 with numbers and codes no other test uses, then one row in the wrong format."""
    from portal.validators import org_check_digit, uscc_check_digit

    rows = []
    for _ in range(n + 1):
        org8 = f"HT{random.randrange(10**6):06d}"  # noqa: S311 - test data
        first17 = f"91460105{org8}{org_check_digit(org8)}"
        name = f"浏览器历史{live.unique('h')}人力资源有限公司"
        seq = random.randrange(10**4, 10**5)  # noqa: S311 - test data
        rows.append([name, first17 + uscc_check_digit(first17), "王法人", "秀英区", "秀英路1号",
                     "经营性人力资源服务机构", "李联系", "0898-66001234", f"（琼）人服证字〔2018〕第460105{seq}号",
                     "2018-04-02", "", "为劳动者介绍用人单位", "", "", "", "正常", ""])
    rows[-1][8] = "人服证-123"
    return rows


def _upload(page, live, tmp: Path, rows: list[list[str]]) -> str:
    page.goto(live.url("/hr-agency-admin/history/import"))
    template = page.request.get(live.url("/hr-agency-admin/history/template.xlsx"))
    assert template.ok
    wb = load_workbook(io.BytesIO(template.body()))
    assert wb.sheetnames[0] == "填写说明"
    sheet = wb[wb.sheetnames[1]]
    for row in rows:
        sheet.append(row)
    path = tmp / f"{live.unique('hist')}.xlsx"
    wb.save(path)
    page.set_input_files("#f-file", str(path))
    with page.expect_navigation():
        page.click("form.app-form button[type=submit]")
    page.wait_for_selector("[data-testid=hra-history-rows]", timeout=60_000)
    return page.url


def test_one_page_three_steps(live, page, tmp_path):
    live.make_staff("hra_hist_b", permissions=["hra.manage"], scopes={"division": ["460100"]})
    live.login_staff(page, "hra_hist_b", "Test@2026pw", next="/hr-agency-admin/history")
    page.click("[data-testid=hra-history-start]")
    assert "第1步 文件检查（当前步骤）" in page.inner_text("[data-testid=hra-history-steps]")
    rows = _rows(live, 2)
    _upload(page, live, tmp_path, rows)
    assert "第2步 数据检查（当前步骤）" in page.inner_text("[data-testid=hra-history-steps]")
    assert "共3行，2行通过" in page.inner_text("[data-testid=hra-history-message]")
    assert "许可证编号格式不正确" in page.inner_text("[data-testid=hra-history-rows]")
    # htmx: the table switches to the failing rows in place
    page.evaluate("() => { window.__notReloaded = true }")
    page.click("[data-testid=hra-history-only-failed]")
    page.wait_for_url("**only=failed**")
    page.wait_for_function("() => !document.querySelector('[data-testid=hra-history-rows]').innerText.includes('浏览器历史h') "
                           "|| document.querySelectorAll('[data-testid=hra-history-rows] tbody tr').length === 1")
    assert page.locator("[data-testid=hra-history-rows] tbody tr").count() == 1
    assert page.evaluate("() => window.__notReloaded === true")
    assert page.console_errors == []
    with page.expect_navigation():
        page.click("[data-testid=hra-history-confirm]")
    assert "已确认导入2行" in page.inner_text("[data-testid=hra-history-message]")
    assert "第3步 确认导入（已完成）" in page.inner_text("[data-testid=hra-history-steps]")
    page.click("[data-testid=hra-history-list]")
    listed = page.inner_text("main")
    assert rows[0][0] in listed and rows[1][0] in listed
    page.goto(live.url(f"/hr-agency-admin/agencies?name={rows[0][0]}"))
    assert "历史导入" in page.inner_text("[data-testid=grid-table]")


def test_screenshots_of_the_history_pages(live, browser, tmp_path):
    """The list, step ①, ② with its table and ③ at 1366 and 360 px, normal and 长辈版; none scrolls sideways."""
    live.make_staff("hra_hist_shots", permissions=["hra.manage"], scopes={"division": ["460000"]})
    SCREENS.mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(base_url=live.base_url, locale="zh-CN")
    page = ctx.new_page()
    live.login_staff(page, "hra_hist_shots", "Test@2026pw")
    checked = _upload(page, live, tmp_path, _rows(live, 3))
    done = _upload(page, live, tmp_path, _rows(live, 1))
    with page.expect_navigation():
        page.click("[data-testid=hra-history-confirm]")
    ctx.close()
    pages = {"list": "/hr-agency-admin/history", "step1": "/hr-agency-admin/history/import", "step2": checked,
             "step3": done}
    for width in (1366, 360):
        for elder in (False, True):
            ctx = browser.new_context(base_url=live.base_url, locale="zh-CN", viewport={"width": width, "height": 900})
            if elder:
                ctx.add_cookies([{"name": "elder", "value": "1", "url": live.base_url}])
            page = ctx.new_page()
            live.login_staff(page, "hra_hist_shots", "Test@2026pw")
            for name, url in pages.items():
                response = page.goto(url if url.startswith("http") else live.url(url))
                assert response.ok, url
                overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, f"{url} scrolls sideways at {width}px by {overflow}px"
                page.screenshot(path=str(SCREENS / f"{name}-{width}{'-elder' if elder else ''}.png"), full_page=True)
            ctx.close()
