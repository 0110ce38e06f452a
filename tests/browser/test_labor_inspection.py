"""网上书审 in Chromium: an employer completes the four steps (questionnaire, template import, squad chosen through
the htmx street → squad list, 完成申报 after the cross-check), the squad returns it for 整改 in the workbench,
the employer corrects and resubmits, the squad approves; every new page at 1366 and 360 px, standard and 长辈版."""

from __future__ import annotations

import io
import os
import re
import tempfile
from pathlib import Path

from openpyxl import load_workbook

from tests.browser.test_site_layout import check_fits, each_mode

SHOTS = Path(os.environ.get("INS_SCREENSHOTS", tempfile.gettempdir())) / "ins-screens"
SQUAD = "Z460105001"
PAGES = ["/labor-inspection/", "/labor-inspection/review/questionnaire", "/labor-inspection/review/staff",
         "/labor-inspection/review/squad", "/labor-inspection/review/submit", "/labor-inspection/review/progress"]


def _employer(live) -> dict:
    async def create():
        from tests.support.factories import make_employer

        return await make_employer(name=f"海南书审测试{live.unique('e')}有限公司", division_code="460105")

    return live.run(create)


def _sign_in(page, live, employer) -> None:
    live.sign_in(page.context, kind="employer", employer_id=employer["id"], account_id=employer["id"] + 8100,
                 acting_name="张法人", acting_role="legal_rep")


def _answer(page, overtime: str) -> None:
    page.goto("/labor-inspection/review/questionnaire")
    for code, value in (("total_staff", "2"), ("contract_signed", "2"), ("lowest_wage", "2600"),
                        ("overtime_hours", overtime), ("insured_count", "2"), ("dispatch_count", "0")):
        page.fill(f"#f-{code}", value)
    for code, value in (("wage_paid", "是"), ("below_minimum", "否"), ("female_protected", "是"),
                        ("child_labour", "否"), ("rules_published", "是")):
        page.check(f"input[name={code}][value={value}]")
    with page.expect_navigation():
        page.get_by_role("button", name="保存并进入下一步").click()


def _staff_reviewer(page, live):
    staff_page = page.context.browser.new_page(base_url=live.base_url)
    username = live.unique("insr")
    live.make_staff(username, permissions=["ins.review"], scopes={"squad": [SQUAD]})
    live.login_staff(staff_page, username, "Test@2026pw", next="/workbench")
    return staff_page


def _open_in_workbench(staff_page, employer) -> None:
    staff_page.goto("/workbench")
    staff_page.locator("tr", has_text=employer["name"]).locator("a[href^='/workbench/matters/']").first.click()
    staff_page.wait_for_selector("[data-modal] button[value=approve]")


def test_four_steps_rectification_resubmit_and_approval(live, page):
    from tests.support.factories import make_id_number

    employer = _employer(live)
    _sign_in(page, live, employer)

    # ① with a contradiction first: the message sits beside the field and the figures stay
    page.goto("/labor-inspection/review/questionnaire")
    page.fill("#f-total_staff", "2")
    page.fill("#f-contract_signed", "5")
    with page.expect_navigation():
        page.get_by_role("button", name="保存并进入下一步").click()
    assert "不能大于职工总数（2人）" in page.inner_text("#f-contract_signed-error")
    assert page.input_value("#f-contract_signed") == "5"
    _answer(page, overtime="40")
    assert page.url.endswith("/labor-inspection/review/staff")

    # ② the template from the page, two rows, uploaded through the form
    template = page.request.get(live.url(page.get_attribute("[data-testid=ins-template]", "href")))
    wb = load_workbook(io.BytesIO(template.body()))
    for name in ("书审职工甲", "书审职工乙"):
        wb[wb.sheetnames[1]].append([name, make_id_number("460105"), "操作工", "2024-03-01", "是", "", "是", "4500"])
    path = Path(tempfile.mkdtemp()) / "劳动用工信息.xlsx"
    wb.save(path)
    page.set_input_files("#f-file", str(path))
    with page.expect_navigation():
        page.get_by_role("button", name="上传").click()
    assert page.inner_text("[data-testid=import-ok]") == "2"

    # ③ the street, then (htmx) only the squads covering it
    page.goto("/labor-inspection/review/squad")
    page.select_option("#f-division_code", "460105001")
    page.wait_for_selector(f"#f-squad_code option[value={SQUAD}]", state="attached")
    assert page.locator("#f-squad_code option[value=Z460105002]").count() == 0
    page.select_option("#f-squad_code", SQUAD)
    with page.expect_navigation():
        page.get_by_role("button", name="保存并进入下一步").click()

    # ④ the cross-check is shown before 完成申报
    assert "系统劳动合同备案在职人数 0" in page.inner_text("[data-testid=ins-differences]")
    assert "超过每月36小时的上限" in page.inner_text("[data-testid=ins-findings]")
    with page.expect_navigation():
        page.get_by_role("button", name="完成申报").click()

    # the squad returns it for 整改
    staff_page = _staff_reviewer(page, live)
    _open_in_workbench(staff_page, employer)
    assert "超过每月36小时的上限" in staff_page.inner_text("[data-modal]")
    staff_page.fill("#f-opinion", "请整改加班时间")
    staff_page.locator("[data-modal] button[value=reject]").click()
    staff_page.wait_for_function("() => !document.querySelector('[data-modal] button[value=reject]')")

    # the employer sees every problem, corrects ①, resubmits
    page.goto("/labor-inspection/")
    rectify = page.inner_text("[data-testid=ins-rectify]")
    assert "超过每月36小时的上限" in rectify and "请整改加班时间" in rectify
    _answer(page, overtime="30")
    page.goto("/labor-inspection/review/submit")
    with page.expect_navigation():
        page.get_by_role("button", name="重新申报").click()

    # the squad looks at the imported list (grid, 360 px too), then approves
    _open_in_workbench(staff_page, employer)
    staff_list = staff_page.get_attribute("[data-testid=ins-staff-link]", "href")
    staff_page.locator("[data-modal] button[value=approve]").click()
    staff_page.wait_for_function("() => !document.querySelector('[data-modal] button[value=approve]')")
    staff_page.goto(staff_list)
    assert "书审职工甲" in staff_page.inner_text("main")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 360):
        staff_page.set_viewport_size({"width": width, "height": 900})
        assert staff_page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 1
        staff_page.screenshot(path=str(SHOTS / f"staff_list_{width}.png"), full_page=True)
    staff_page.close()
    page.goto("/labor-inspection/review/progress")
    assert "审查通过" in page.inner_text("main")
    assert page.console_errors == []


def test_every_page_fits_1366_and_360_in_both_modes(live, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    employer = _employer(live)
    for page, width, elder, errors in each_mode(browser, live):
        _sign_in(page, live, employer)
        if not elder and width == 1366:
            _answer(page, overtime="40")  # so that the later pages show their filled state
        for url in PAGES:
            response = page.goto(url)
            assert response.status == 200, url
            name = re.sub(r"[^a-z0-9]+", "_", url).strip("_")
            check_fits(page, url, width, elder, SHOTS / f"{name}_{width}{'_elder' if elder else ''}.png")
        assert errors == []
