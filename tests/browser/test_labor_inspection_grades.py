"""信用等级 in Chromium: an employer declares, the squad grades C in the workbench, the employer appeals with a
material, another staff member changes the grade to B, the employer sees the result; every new page (and the
review panel) at 1366 and 360 px, standard and 长辈版."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from tests.browser.test_labor_inspection import SHOTS, _sign_in
from tests.browser.test_site_layout import ELDER_JS, TARGETS_JS

SQUAD = "Z460105001"
PAGES = ["/labor-inspection/grade", "/labor-inspection/grade/progress", "/labor-inspection/grade/appeal",
         "/labor-inspection/grade/appeal/{id}", "/labor-inspection/grade/appeal-results"]


def _employer(live) -> dict:
    async def create():
        from tests.support.factories import make_employer

        return await make_employer(name=f"海南信用测试{live.unique('g')}有限公司", division_code="460105")

    return live.run(create)


def _staff(page, live, prefix: str):
    staff_page = page.context.browser.new_page(base_url=live.base_url)
    username = live.unique(prefix)
    live.make_staff(username, permissions=["ins.grade"], scopes={"squad": [SQUAD]})
    live.login_staff(staff_page, username, "Test@2026pw", next="/workbench")
    return staff_page


def _open(staff_page, employer, button: str) -> None:
    staff_page.goto("/workbench")
    staff_page.locator("tr", has_text=employer["name"]).locator("a[href^='/workbench/matters/']").first.click()
    staff_page.wait_for_selector(f"[data-modal] button[value={button}]")


def test_declare_grade_appeal_and_change(live, page):
    from domains.labor_inspection import grade_rules
    from tests.support.files import pdf_bytes

    employer = _employer(live)
    _sign_in(page, live, employer)

    # the declaration: a breach without its explanation is refused beside the field, the rest kept
    page.goto("/labor-inspection/grade")
    for code, _ in grade_rules.CRITERIA:
        page.check(f"input[name={code}][value=遵守]")
    page.check("input[name=wages][value=存在问题]")
    page.check("input[name=proposed_grade][value=B]")
    page.fill("#f-opinion", "本单位依法用工")
    page.select_option("#f-division_code", "460105001")
    page.fill("#f-contact_name", "李联系")
    page.fill("#f-contact_phone", "13800000001")
    with page.expect_navigation():
        page.get_by_role("button", name="提交申报").click()
    assert "请说明具体情况" in page.inner_text("#f-wages_note-error")
    assert page.input_value("#f-opinion") == "本单位依法用工"
    page.fill("#f-wages_note", "3月工资延期5日发放，已补发")
    with page.expect_navigation():
        page.get_by_role("button", name="提交申报").click()
    assert "/submitted" in page.url

    # the squad grades C with reasons
    grader = _staff(page, live, "gr")
    _open(grader, employer, "decide")
    modal = grader.inner_text("[data-modal]")
    assert "3月工资延期5日发放" in modal and "信用等级记录" in modal
    grader.select_option("#f-grade", "C")
    grader.fill("#f-opinion", "年度内因拖欠工资被查处三次")
    grader.locator("[data-modal] button[value=decide]").click()
    grader.wait_for_function("() => !document.querySelector('[data-modal] button[value=decide]')")

    # the employer is told and appeals with a material
    page.goto("/messages")
    assert "评定等级：C级（不守法诚信）" in page.inner_text("main")
    page.goto("/labor-inspection/grade/appeal")
    with page.expect_navigation():
        page.get_by_role("link", name="申诉", exact=True).click()
    assert "年度内因拖欠工资被查处三次" in page.inner_text("main")
    path = Path(tempfile.mkdtemp()) / "行政复议决定书.pdf"
    path.write_bytes(pdf_bytes("appeal"))
    page.fill("#f-reasons", "其中两次查处已被行政复议撤销")
    page.set_input_files("#f-file", str(path))
    with page.expect_navigation():
        page.get_by_role("button", name="提交申诉").click()
    assert "申诉已提交" in page.inner_text("main")

    # whoever graded cannot decide the appeal; another staff member changes it to B
    _open(grader, employer, "change")
    grader.select_option("#f-new_grade", "B")
    grader.fill("#f-opinion", "自行改判")
    grader.locator("[data-modal] button[value=change]").click()
    grader.wait_for_selector("[data-modal] .app-error-summary")
    assert "同一人员不能办理两个环节" in grader.inner_text("[data-modal]")
    grader.close()
    judge = _staff(page, live, "gj")
    _open(judge, employer, "change")
    assert "行政复议决定书.pdf" in judge.inner_text("[data-modal]")
    judge.select_option("#f-new_grade", "B")
    judge.fill("#f-opinion", "经核实两次查处已撤销，变更为B级")
    judge.locator("[data-modal] button[value=change]").click()
    judge.wait_for_function("() => !document.querySelector('[data-modal] button[value=change]')")
    judge.close()

    page.goto("/labor-inspection/grade/appeal-results")
    assert "申诉成立（变更评定）" in page.inner_text("main")
    assert page.inner_text("[data-testid=grade-current]") == "B级（基本守法诚信）"
    page.goto("/labor-inspection/grade/progress")
    history = page.inner_text("[data-testid=grade-history]")
    assert "申诉变更" in history and "C级（不守法诚信）" in history
    assert page.console_errors == []


def _decided(live) -> tuple[dict, int]:
    """An employer with a declaration graded C by the squad (through the services, not the browser)."""
    async def create():
        from domains.labor_inspection import grade_rules, grades, service
        from portal.auth.principal import Principal
        from portal.workflow import engine
        from tests.support.factories import make_employer

        employer = await make_employer(name=f"海南信用页面{live.unique('p')}有限公司", division_code="460105")
        principal = Principal(kind="employer", account_id=employer["id"] + 8100, display_name=employer["name"],
                              employer_id=employer["id"], employer_name=employer["name"], acting_name="张法人",
                              acting_role="legal_rep")
        values = {code: grade_rules.KEPT for code, _ in grade_rules.CRITERIA}
        values.update(year=grades.year_choices()[0][0], opinion="本单位依法用工，按时足额支付工资并参加社会保险。"
                      * 3, proposed_grade="A", division_code="460105001", contact_name="李联系",
                      contact_phone="13800000001")
        matter = await grades.declare(principal, values)
        squad = Principal(kind="staff", account_id=0, display_name="评定员", scopes={"squad": (SQUAD,)},
                          permissions=frozenset({service.GRADE_PERMISSION}))
        await engine.fire(squad, matter["id"], "decide", expected_version=matter["version"], values={"grade": "C"},
                          opinion="年度内因拖欠工资被查处三次，且未按期整改，依照评价办法第七条评为C级。")
        # this year's: graded C, appealed, changed to B by another staff member (the results page has a result)
        other = await grades.declare(principal, {**values, "year": grades.year_choices()[1][0]})
        other = await engine.fire(squad, other["id"], "decide", expected_version=other["version"],
                                  values={"grade": "C"}, opinion="被查处三次")
        other = await engine.fire(principal, other["id"], "appeal", expected_version=other["version"],
                                  opinion="其中两次查处已被行政复议撤销，附复议决定书。")
        judge = Principal(kind="staff", account_id=1, display_name="复核员", scopes={"squad": (SQUAD,)},
                          permissions=frozenset({service.GRADE_PERMISSION}))
        await engine.fire(judge, other["id"], "change", expected_version=other["version"], values={"new_grade": "B"},
                          opinion="经核实两次查处已撤销，变更为B级。")
        return employer, matter["id"]

    return live.run(create)


def test_every_grade_page_fits_1366_and_360_in_both_modes(live, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    employer, matter_id = _decided(live)
    fresh = _employer(live)  # nothing declared yet: the declaration form (the other has both years declared)
    reviewer = f"gshot{os.getpid()}{live.unique('s')}"
    live.make_staff(reviewer, permissions=["ins.grade"], scopes={"squad": [SQUAD]})
    for width in (1366, 360):
        for elder in (False, True):
            context = browser.new_context(base_url=live.base_url, locale="zh-CN", viewport={"width": width, "height": 900})
            page = context.new_page()
            errors: list[str] = []
            page.on("console", lambda msg, errors=errors: errors.append(msg.text) if msg.type == "error" else None)
            if elder:
                context.add_cookies([{"name": "elder", "value": "1", "url": live.base_url}])
            _sign_in(page, live, fresh)
            page.goto(PAGES[0])
            _check(page, "declare_form", width, elder)
            _sign_in(page, live, employer)
            pages = [url.format(id=matter_id) for url in PAGES] + [f"/matters/{matter_id}"]
            for url in pages:
                response = page.goto(url)
                assert response.status == 200, url
                _check(page, url, width, elder)
            # the squad's review panel of the same declaration, as a page (no-JS view of the modal)
            staff = context.new_page()
            live.login_staff(staff, reviewer, "Test@2026pw", next=f"/workbench/matters/{matter_id}")
            staff.goto(f"/workbench/matters/{matter_id}")
            _check(staff, "workbench_grade", width, elder)
            assert errors == []
            context.close()


def _check(page, url: str, width: int, elder: bool) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{url} at {width}px{' 长辈版' if elder else ''} scrolls sideways by {overflow}px"
    if width == 360:
        assert page.evaluate(TARGETS_JS) == [], url
    if elder:
        assert page.evaluate(ELDER_JS) == [], url
    name = re.sub(r"[^a-z0-9]+", "_", url).strip("_")
    page.screenshot(path=str(SHOTS / f"grade_{name}_{width}{'_elder' if elder else ''}.png"), full_page=True)


def test_a_grade_past_its_appeal_window_reads_final_at_1366_and_360(live, browser):
    """评定 40 days ago, never accepted nor appealed: 已生效 on the progress page, the appeal list and the matter page,
    with neither 申诉 nor 接受评定 offered; both widths, both modes."""
    async def create():
        from datetime import UTC, datetime, timedelta

        from domains.labor_inspection import grade_rules, grades, service
        from portal.auth.principal import Principal
        from portal.workflow import engine, transitions
        from tests.support.factories import make_employer

        employer = await make_employer(name=f"海南信用生效{live.unique('f')}有限公司", division_code="460105")
        principal = Principal(kind="employer", account_id=employer["id"] + 8200, display_name=employer["name"],
                              employer_id=employer["id"], employer_name=employer["name"], acting_name="张法人",
                              acting_role="legal_rep")
        values = {code: grade_rules.KEPT for code, _ in grade_rules.CRITERIA}
        values.update(year=grades.year_choices()[0][0], opinion="本单位依法用工，按时足额支付工资并参加社会保险。" * 3,
                      proposed_grade="A", division_code="460105001", contact_name="李联系", contact_phone="13800000001")
        matter = await grades.declare(principal, values)
        squad = Principal(kind="staff", account_id=0, display_name="评定员", scopes={"squad": (SQUAD,)},
                          permissions=frozenset({service.GRADE_PERMISSION}))
        real_now = transitions.now
        transitions.now = lambda: datetime.now(UTC) - timedelta(days=40)  # graded 40 days ago: > 15 working days
        try:
            await engine.fire(squad, matter["id"], "decide", expected_version=matter["version"],
                              values={"grade": "B"}, opinion="有一次查处，已整改。")
        finally:
            transitions.now = real_now
        return employer, matter["id"]

    employer, matter_id = live.run(create)
    for width in (1366, 360):
        for elder in (False, True):
            context = browser.new_context(base_url=live.base_url, locale="zh-CN", viewport={"width": width, "height": 900})
            page = context.new_page()
            if elder:
                context.add_cookies([{"name": "elder", "value": "1", "url": live.base_url}])
            _sign_in(page, live, employer)
            page.goto("/labor-inspection/grade/progress")
            assert "已生效" in page.inner_text("[data-testid=grade-progress] tbody tr")
            _check(page, "final_progress", width, elder)
            page.goto("/labor-inspection/grade/appeal")
            assert "申诉期已过，评定已生效" in page.inner_text("[data-testid=grade-final]")
            _check(page, "final_appeals", width, elder)
            page.goto(f"/matters/{matter_id}")
            assert "评定已生效，不能再申诉" in page.inner_text("[data-testid=grade-appeal-window]")
            assert page.locator("button[value=accept_decision]").count() == 0
            assert page.locator("button[value=appeal]").count() == 0
            _check(page, "final_matter", width, elder)
            context.close()
