"""人员增减员 in Chromium: an employer adds a person by batch (PC-2), confirms with the check-answers step (PC-3),
a reviewer approves in the workbench, the person's 参保信息 shows the new record, the employer prints the 申报表
(PC-7); the single 增员 lookup (PC-1); every new page at 1366 and 360 px, standard and 长辈版."""

from __future__ import annotations

import io
import os
import re
import tempfile
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from seeds.demo_identities import EMPLOYERS
from tests.browser.screens import SIZES, fits_with_modal, open_screen
from tests.browser.test_site_layout import ELDER_JS, TARGETS_JS, check_fits, each_mode

SHOTS = Path(os.environ.get("PC_SCREENSHOTS", tempfile.gettempdir())) / "pc-screens"


def _sign_in(page, live, **payload) -> None:
    live.sign_in(page.context, **payload)


def _this_period() -> str:
    from domains.social_insurance import rules
    from domains.social_insurance.pages import this_period

    return rules.period_input(this_period())


def _fresh_employer(live) -> dict:
    async def create():
        from tests.support.factories import make_employer

        return await make_employer(name=f"海南增员测试{live.unique('e')}有限公司", division_code="460106")

    return live.run(create)


def _person(live, id_number: str) -> dict | None:
    async def find():
        from domains.person import service

        return await service.get_by_id_number(id_number)

    return live.run(find)


def test_batch_enrol_confirm_approve_person_sees_it_and_report_prints(live, page):
    from tests.support.factories import make_id_number

    employer = _fresh_employer(live)
    _sign_in(page, live, kind="employer", employer_id=employer["id"], account_id=employer["id"] + 8000,
             acting_name="张法人", acting_role="legal_rep")
    period = _this_period()
    id_number = make_id_number("460106", date(1995, 6, 6))
    name = "浏览器新员工"

    # PC-2: the template from the page, one row, uploaded through the form
    page.goto("/personnel-change/enrol/batch")
    template = page.request.get(live.url(page.get_attribute("[data-testid=pc-template]", "href")))
    wb = load_workbook(io.BytesIO(template.body()))
    wb[wb.sheetnames[1]].append([name, id_number, "汉族", "城镇户口", "海口市龙华区1号", "13800138000", "全日制用工",
                                 "2018-07-01", "是", "是", "是", "", "", "城镇职工", "6000", period])
    path = Path(tempfile.mkdtemp()) / "增员.xlsx"
    wb.save(path)
    page.set_input_files("#f-file", str(path))
    with page.expect_navigation():
        page.get_by_role("button", name="上传").click()
    assert page.inner_text("[data-testid=import-ok]") == "1"

    # PC-3: tick, 确认通过, check answers, 确认提交
    page.goto("/personnel-change/enrol/confirm")
    row = page.locator("[data-testid=pc-confirm-table] tbody tr", has_text=name)
    assert "未确认" in row.inner_text()
    row.locator("input[name=pick]").check()
    with page.expect_navigation():
        page.get_by_role("button", name="确认通过").click()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 1
    page.screenshot(path=str(SHOTS / "check_answers_360.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    answers = page.inner_text("[data-testid=pc-check-answers]")
    assert f"养老保险 新参保：{period} 起在本单位参保" in answers
    with page.expect_navigation():
        page.get_by_role("button", name="确认提交").click()
    assert "已确认通过 1 件" in page.inner_text("main")
    assert "已确认（待审核）" in page.locator("[data-testid=pc-confirm-table] tbody tr", has_text=name).inner_text()

    # a reviewer of the division approves it in the workbench modal
    staff_page = page.context.browser.new_page(base_url=live.base_url)
    username = live.unique("pcr")
    live.make_staff(username, permissions=["pc.review"], scopes={"division": ["460100"]})
    live.login_staff(staff_page, username, "Test@2026pw", next="/workbench")
    opener = staff_page.locator("a[href^='/workbench/matters/']", has_text="人员增员申报").first
    if opener.count() == 0:
        opener = staff_page.locator("tr", has_text=employer["name"]).locator("a[href^='/workbench/matters/']").first
    opener.click()
    staff_page.wait_for_selector("[data-testid=pc-outcomes]")
    assert "新参保" in staff_page.inner_text("[data-testid=pc-outcomes]")
    staff_page.locator("[data-modal] button[value=approve]").click()
    staff_page.wait_for_function("() => !document.querySelector('[data-modal] button[value=approve]')")
    staff_page.close()

    # the person's 参保信息 shows the new record
    person = _person(live, id_number)
    person_page = page.context.browser.new_page(base_url=live.base_url)
    _sign_in(person_page, live, kind="person", person_id=person["id"], account_id=person["id"] + 9000)
    person_page.goto("/person/insurance/")
    enrolments = person_page.inner_text("[data-testid=my-enrolments]")
    assert employer["name"] in enrolments and "养老保险" in enrolments
    person_page.close()

    # the employer sees 审核通过 and prints the 申报表
    page.goto("/personnel-change/enrol/confirm?state=approved")
    assert name in page.inner_text("[data-testid=pc-confirm-table]")
    page.goto("/personnel-change/reports")
    page.select_option("#f-direction", "enrol")
    page.fill("#f-period", period)
    with page.expect_navigation():
        page.get_by_role("button", name="生成报表").click()
    assert name in page.inner_text("[data-testid=pc-report-rows]")
    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 1
    page.screenshot(path=str(SHOTS / "report_detail_360.png"), full_page=True)
    # the first PDF starts the renderer: slow on a loaded machine
    pdf = page.request.get(live.url(page.get_attribute("[data-testid=pc-report-print]", "href")), timeout=90_000)
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    assert page.console_errors == []


def test_single_enrol_lookup_decides_the_kind_and_keeps_input_on_errors(live, page):
    from portal.validators import id_check_digit
    from tests.support.factories import make_id_number

    employer = _fresh_employer(live)
    _sign_in(page, live, kind="employer", employer_id=employer["id"], account_id=employer["id"] + 8000,
             acting_name="张法人", acting_role="legal_rep")
    page.goto("/personnel-change/enrol")
    page.fill("#f-id_number", "46010519900517001X")
    page.fill("#f-name", "单个新员工")
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()
    assert "校验位" in page.inner_text(".app-error-summary")
    # a person insured at the demo employer, with a guessed name: refused beside 姓名, nothing of theirs shown
    demo_worker = "46010619870903211"
    page.fill("#f-id_number", demo_worker + id_check_digit(demo_worker))
    page.fill("#f-name", "猜一个")
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()
    assert "姓名与该身份证号已登记的姓名不一致" in page.inner_text("#f-name-error")
    assert page.input_value("#f-name") == "猜一个"
    assert "符海峰" not in page.content() and EMPLOYERS[0].name not in page.content()
    page.fill("#f-id_number", make_id_number("460106", date(1990, 1, 1)))
    page.fill("#f-name", "单个新员工")
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()
    assert "养老保险（新参保）" in " ".join(page.inner_text("[data-testid=pc-plans]").split())
    assert page.input_value("#f-name") == "单个新员工"
    page.fill("#f-address", "海口市美兰区2号")
    page.check("input[name=ins_pension]")
    page.fill("#f-base", "100")
    page.fill("#f-period", _this_period())
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    assert "缴费基数不能低于下限" in page.inner_text("#f-base-error")
    assert page.input_value("#f-name") == "单个新员工" and page.is_checked("input[name=ins_pension]")
    assert page.console_errors == []


def _demo_matter_ids(live) -> dict[str, int]:
    async def find():
        from domains.employer import service as employers
        from portal.workflow.tables import Matter

        employer = await employers.get_by_uscc(EMPLOYERS[0].uscc)
        rows = await Matter.select(Matter.id, Matter.kind, Matter.state).where(Matter.employer == employer["id"])
        out = {}
        for r in rows:
            out.setdefault(f"{r['kind']}_{r['state']}", r["id"])
        return employer, out

    return live.run(find)


def test_every_page_fits_1366_and_360_in_both_modes(live, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    employer, ids = _demo_matter_ids(live)
    someone = "460106" + "19870903" + "2111"  # 符海峰 of the demo (insured at the first employer)
    from portal.validators import id_check_digit

    someone = someone[:17] + id_check_digit(someone[:17])
    urls = ["/personnel-change/", "/personnel-change/enrol", f"/personnel-change/enrol?id_number={someone}&name=符海峰",
            "/personnel-change/enrol/confirm", f"/personnel-change/enrol/{ids['pc_enrol_rejected']}",
            f"/personnel-change/enrol/{ids['pc_enrol_draft']}/edit", "/personnel-change/enrol/batch",
            "/personnel-change/withdraw", f"/personnel-change/withdraw?id_number={someone}",
            "/personnel-change/withdraw/confirm", "/personnel-change/withdraw/batch", "/personnel-change/reports"]
    for width in (1366, 360):
        for elder in (False, True):
            context = browser.new_context(base_url=live.base_url, locale="zh-CN", viewport={"width": width, "height": 900})
            page = context.new_page()
            errors: list[str] = []
            page.on("console", lambda msg, errors=errors: errors.append(msg.text) if msg.type == "error" else None)
            if elder:
                context.add_cookies([{"name": "elder", "value": "1", "url": live.base_url}])
            _sign_in(page, live, kind="employer", employer_id=employer["id"], account_id=employer["id"] + 7000,
                     acting_name=EMPLOYERS[0].legal_rep, acting_role="legal_rep")
            for url in urls:
                response = page.goto(url)
                assert response.status == 200, url
                overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 1, f"{url} at {width}px{' 长辈版' if elder else ''} scrolls sideways by {overflow}px"
                # the site-wide checks (the crawl may not reach these pages within its page budget)
                if width == 360:
                    assert page.evaluate(TARGETS_JS) == [], url
                if elder:
                    assert page.evaluate(ELDER_JS) == [], url
                name = re.sub(r"[^a-z0-9]+", "_", url.replace("?id_number=", "_lookup").split("?")[0].split("&")[0]).strip("_")
                page.screenshot(path=str(SHOTS / f"{name}_{width}{'_elder' if elder else ''}.png"), full_page=True)
            assert errors == []
            context.close()


def test_confirm_list_pages_in_place_at_1366_and_360(live, browser):
    """55 applications: 下一页 swaps the list in place (htmx) and pushes the URL; 上一页 comes back; both widths and
    modes fit, with the pager's links big enough to tap."""
    employer = _fresh_employer(live)

    async def applications():
        from domains.personnel_change import forms, service
        from tests.personnel_change.support import employer_principal, enrol_data
        from tests.support.factories import make_id_number

        principal = employer_principal(employer)
        for i in range(55):
            form = forms.enrol_form(enrol_data(make_id_number("460106"), name=f"分页{i:02d}",
                                               period=_this_period()))
            assert await form.validate(), form.errors
            await service.save(principal, "enrol", form.cleaned)

    live.run(applications)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 360):
        for elder in (False, True):
            context = browser.new_context(base_url=live.base_url, locale="zh-CN",
                                          viewport={"width": width, "height": 900})
            if elder:
                context.add_cookies([{"name": "elder", "value": "1", "url": live.base_url}])
            page = context.new_page()
            _sign_in(page, live, kind="employer", employer_id=employer["id"], account_id=employer["id"] + 9000,
                     acting_name="张法人", acting_role="legal_rep")
            page.goto("/personnel-change/enrol/confirm")
            rows = page.locator("[data-testid=pc-confirm-table] tbody tr")
            assert rows.count() == 50 and "分页54" in rows.first.inner_text()
            assert page.inner_text("[data-testid=pc-confirm-pager]") == "第 1 页，每页 50 条"
            page.click("a[rel=next]")
            page.locator("[data-testid=pc-confirm-pager]", has_text="第 2 页").wait_for()
            assert rows.count() == 5 and "分页04" in rows.first.inner_text()
            assert "after=" in page.url and page.locator("h1").count() == 1  # swapped in place, not reloaded
            overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"page 2 at {width}px scrolls sideways by {overflow}px"
            if width == 360:
                assert page.evaluate(TARGETS_JS) == []
            if elder:
                assert page.evaluate(ELDER_JS) == []
            page.screenshot(path=str(SHOTS / f"confirm_page2_{width}{'_elder' if elder else ''}.png"), full_page=True)
            page.click("a[rel=prev]")
            page.locator("[data-testid=pc-confirm-pager]", has_text="第 1 页").wait_for()
            assert "分页54" in rows.first.inner_text()
            context.close()


def test_recall_a_confirmed_application_in_the_modal_at_1366_and_360(live, browser):
    """撤回 (X-1a): 撤回 in 增员确认 opens the confirmation in the modal (htmx), 取消 closes it with nothing done,
    确定撤回 answers in the modal and the list behind reloads in place showing 未确认; the page form (from 详细) is the
    same step without JavaScript. Every screen at 1366 and 360 px, standard and 长辈版."""
    employer = _fresh_employer(live)

    async def applications():
        from domains.personnel_change import forms, service
        from tests.personnel_change.support import employer_principal, enrol_data
        from tests.support.factories import make_id_number

        principal = employer_principal(employer)
        for i in range(5):  # one for each width and mode, and one left waiting for the page form at the end
            form = forms.enrol_form(enrol_data(make_id_number("460106"), name=f"撤回{i}", period=_this_period()))
            assert await form.validate(), form.errors
            saved = await service.save(principal, "enrol", form.cleaned)
            await service.confirm(principal, "enrol", [(saved["id"], saved["version"])])

    live.run(applications)
    SHOTS.mkdir(parents=True, exist_ok=True)
    combos = SIZES
    for i, (width, elder) in enumerate(combos):
        context, page, errors = open_screen(browser, live, width, elder)
        _sign_in(page, live, kind="employer", employer_id=employer["id"], account_id=employer["id"] + 9100,
                 acting_name="张法人", acting_role="legal_rep")

        def fits(what: str, *, modal: bool = False, page=page, width=width, elder=elder) -> None:
            fits_with_modal(page, SHOTS, f"recall_{what}", width, elder, modal=modal)

        page.goto("/personnel-change/enrol/confirm")
        row = page.locator("[data-testid=pc-confirm-table] tbody tr", has_text=f"撤回{i}")
        assert "已确认（待审核）" in row.inner_text()
        fits("list")
        # 撤回 → the confirmation in the modal; 取消 closes it and nothing happened
        row.get_by_role("link", name="撤回").click()
        modal = page.locator("[data-modal]")
        modal.get_by_role("button", name="确定撤回").wait_for()
        assert f"撤回{i}" in modal.inner_text() and page.url.endswith("/personnel-change/enrol/confirm")
        fits("modal", modal=True)
        modal.get_by_role("link", name="取消").click()
        assert page.locator("[data-modal]").count() == 0
        assert "已确认（待审核）" in row.inner_text()
        # 撤回 → 确定撤回: the answer in the modal, the list reloaded in place (no navigation)
        row.get_by_role("link", name="撤回").click()
        page.locator("[data-modal]").get_by_role("button", name="确定撤回").click()
        done = page.locator("[data-testid=pc-recall-done]")
        done.wait_for()
        assert "回到未确认状态" in done.inner_text()
        page.locator("[data-testid=pc-confirm-table] tbody tr", has_text=f"撤回{i}").filter(has_text="未确认").wait_for()
        fits("done", modal=True)
        page.locator("[data-modal] .app-button-group").get_by_role("button", name="关闭").click()
        assert page.locator("[data-modal]").count() == 0
        row = page.locator("[data-testid=pc-confirm-table] tbody tr", has_text=f"撤回{i}")
        assert row.get_by_role("link", name="修改", exact=True).is_visible()
        assert row.get_by_role("link", name="撤回", exact=True).count() == 0
        # the same step as a page (from 详细 of one still waiting), as it reads without JavaScript
        other = page.locator("[data-testid=pc-confirm-table] tbody tr", has_text="已确认（待审核）").first
        other.get_by_role("link", name="详细", exact=True).click()
        page.wait_for_url("**/personnel-change/enrol/*")
        fits("detail")
        page.locator("[data-testid=pc-recall]").click()
        page.get_by_role("button", name="确定撤回").wait_for()
        fits("page")
        assert errors == []
        context.close()


def test_confirm_lists_show_each_rows_actions_on_screen(live, browser):
    """增员确认 and 减员确认: at 360 px and in 长辈版 each application is a card whose 操作 are on screen without
    scrolling sideways (the table scrolled inside its box with 操作 past the edge); a table at 1366 px."""
    employer, _ = _demo_matter_ids(live)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for page, width, elder, errors in each_mode(browser, live):
        mode = f"{width}{'_elder' if elder else ''}"
        _sign_in(page, live, kind="employer", employer_id=employer["id"], account_id=employer["id"] + 7200,
                 acting_name=EMPLOYERS[0].legal_rep, acting_role="legal_rep")
        for direction in ("enrol", "withdraw"):
            page.goto(f"/personnel-change/{direction}/confirm")
            table = page.locator("[data-testid=pc-confirm-table]")
            first = table.locator("tbody tr").first
            actions = first.locator("td").last.locator("a, button")
            assert actions.count() >= 2, f"{direction}: the demo's first application has its 操作"
            for i in range(actions.count()):
                box = actions.nth(i).bounding_box()
                assert box and 0 <= box["x"] and box["x"] + box["width"] <= width + 0.5, \
                    f"{direction} at {mode}: {actions.nth(i).inner_text()} is off-screen"
            wrap = table.evaluate("t => t.closest('.app-table-wrap').scrollWidth - t.closest('.app-table-wrap').clientWidth")
            assert wrap <= 1, f"{direction} at {mode}: the list scrolls sideways by {wrap}px inside its box"
            cards = width == 360 or elder
            head = table.locator("thead").bounding_box()["height"]
            assert (head <= 1) is cards, f"{mode}: column headings {'shown' if cards else 'hidden'} ({head}px)"
            if cards:  # every field says what it is, the actions have a line of their own across the card
                number = first.locator("td[data-label=办件编号]")
                assert number.evaluate("td => getComputedStyle(td, '::before').content").startswith('"办件编号')
                assert number.evaluate("td => td.getBoundingClientRect().right") <= width
                across = first.evaluate("tr => tr.lastElementChild.getBoundingClientRect().width"
                                        " / (tr.clientWidth - parseFloat(getComputedStyle(tr).paddingLeft) * 2)")
                assert across > 0.97, f"{direction} at {mode}: the actions share their line ({across:.2f})"
            check_fits(page, f"{direction} confirm", width, elder,
                       SHOTS / f"{direction}_confirm_cards_{mode}.png")
        assert errors == []
