"""Work injury in Chromium on the demo data: an employer reports an accident with two injured persons (the second
row added by htmx), confirms it in 快报确认, a reviewer accepts it from the 工伤快报审核 queue, the employer downloads
the 工伤保险单位证明 and its verification page answers; every new page at 1366 and 360 px, standard and 长辈版."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from seeds.demo_identities import EMPLOYERS, PERSONS
from tests.browser.test_social_insurance import _demo_employer, _sign_in_employer

SHOTS = Path(os.environ.get("WI_SCREENSHOTS", tempfile.gettempdir())) / "wi-screens"


def _insured(live, employer_id: int, name: str) -> str:
    async def find():
        from domains.social_insurance import service

        return (await service.insured_persons(employer_id, name=name))[0]["id_number"]

    return live.run(find)


def test_report_confirm_review_and_certificate(live, page):
    employer = _sign_in_employer(live, page, 0)
    first, second = _insured(live, employer["id"], "邢美玲"), _insured(live, employer["id"], "云志强")
    place = live.unique("二号车间")
    page.goto("/work-injury/report")
    when = (datetime.now(ZoneInfo("Asia/Shanghai")) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#f-occurred_at", when)
    page.fill("#f-place", place)
    page.select_option("#f-category", "03")
    page.fill("#f-description", "冲床防护罩松脱，两人手部受伤，立即停机送医。")
    page.fill("#f-reporter", "陈海涛")
    page.fill("#f-reporter_phone", "13876000001")
    page.fill("#f-hospital", "海南省人民医院")

    def fill_person(key: str, id_number: str, part: str) -> None:
        page.fill(f"#f-p{key}_id_number", id_number)
        page.fill(f"#f-p{key}_body_part", part)
        page.select_option(f"#f-p{key}_severity", "1")
        page.fill(f"#f-p{key}_diagnosis", f"{part}挫伤")
        page.check(f"input[name=p{key}_hospitalised][value='0']")
        page.fill(f"#f-p{key}_occupation", "冲压工")

    fill_person("0", first, "右手")
    url = page.url
    page.get_by_test_id("wi-add-person").click()
    page.wait_for_selector("#f-p1_id_number")
    assert page.url == url and page.input_value("#f-place") == place  # htmx: only the rows were swapped
    assert page.input_value("#f-p0_body_part") == "右手"
    fill_person("1", second, "左手")
    page.get_by_test_id("wi-lookup").click()
    page.wait_for_function("() => document.querySelectorAll('[data-testid=wi-person-name]')[1].innerText.includes('云志强')")
    with page.expect_navigation():
        page.get_by_role("button", name="保存", exact=True).last.click()
    assert "已保存" in page.inner_text("[data-testid=wi-saved]")
    assert page.locator("[data-testid=wi-persons] tbody tr").count() == 2

    # 快报确认: find it by person and date, tick it, 确认提交
    page.goto(f"/work-injury/reports?person=云志强&occurred_on_from={when[:10]}")
    row = page.locator("[data-testid=grid-table] tbody tr", has_text=place)
    row.locator("input[name=pick]").check()
    with page.expect_navigation():
        page.get_by_test_id("wi-confirm-submit").click()
    assert "已确认提交 1 份" in page.inner_text("[data-testid=wi-confirm-result]")
    assert "剩余29天" in page.locator("[data-testid=grid-table] tbody tr", has_text=place).inner_text()

    # the reviewer of the division accepts it from the queue (the review page of the workbench)
    username = live.unique("wir")
    live.make_staff(username, permissions=["wi.review"], scopes={"division": ["460100"]})
    staff = page.context.browser.new_context(base_url=live.base_url, locale="zh-CN")
    review = staff.new_page()
    live.login_staff(review, username, "Test@2026pw", next="/wi-admin/")
    queued = review.locator("[data-testid=grid-table] tbody tr", has_text="云志强")
    assert queued.count() == 1
    assert "剩余3天" in review.inner_text("[data-testid=grid-table]")  # the demo report near its limit
    with review.expect_navigation():
        queued.locator("a").first.click()
    assert place in review.inner_text("main")
    review.fill("#f-opinion", "已核实，请在期限内申请工伤认定")
    with review.expect_navigation():
        review.locator("button[value=approve]").click()
    staff.close()

    page.goto("/work-injury/reports?state=approved")
    done = page.locator("[data-testid=grid-table] tbody tr", has_text=place)
    assert "审核通过" in done.inner_text() and "已核实" in done.inner_text()

    # 已申请工伤认定: a date in the future is refused beside the field, then the date ends the flag
    with page.expect_navigation():
        done.locator("a").first.click()
    page.fill("#f-applied_on", "2999-01-01")
    with page.expect_navigation():
        page.get_by_role("button", name="登记已申请工伤认定").click()
    assert "不能晚于今天" in page.inner_text("#f-applied_on-error")
    page.fill("#f-applied_on", datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d"))
    with page.expect_navigation():
        page.get_by_role("button", name="登记已申请工伤认定").click()
    assert "已申请工伤认定" in page.inner_text("[data-testid=wi-applied-on]")
    assert page.locator("[data-testid=wi-deadline-flag]").count() == 0

    # 工伤保险单位证明: 生成报表, then the PDF with its code; /verify answers
    page.goto("/work-injury/proof")
    page.fill("#f-id_number", second)
    page.fill("#f-name", "云志强")
    with page.expect_navigation():
        page.get_by_role("button", name="生成报表").click()
    proof = page.inner_text("[data-testid=wi-proof]")
    assert EMPLOYERS[0].name in proof and "机械伤害" in proof and "审核通过" in proof
    assert page.get_by_role("button", name="打印").is_visible()
    assert page.console_errors == []
    page.get_by_test_id("wi-proof-pdf").click(no_wait_after=True)  # signing takes a while on a busy machine
    page.wait_for_url(re.compile(r"/documents/"), timeout=60_000)  # the signed PDF, shown inline
    pdf = page.request.get(page.url)
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(pdf.body())
        fh.flush()
        text = subprocess.run(["/usr/bin/pdftotext", fh.name, "-"], check=True, capture_output=True, text=True).stdout
    assert "工伤保险单位证明" in text and "云志强" in text
    code = re.search(r"验证码\s*([A-Z2-7]{24})", text).group(1)
    # A fresh tab: Chromium's PDF viewer in this one asks for a favicon the portal does not have (a 404).
    verify = page.context.new_page()
    errors: list[str] = []
    verify.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    verify.goto(f"/verify/{code}")
    assert "工伤保险单位证明" in verify.inner_text("main") and second not in verify.content()
    assert errors == []


def _report_id(live, employer_id: int) -> int:
    async def find():
        from domains.work_injury.tables import WiAccident

        return (await WiAccident.select(WiAccident.id).where(WiAccident.employer == employer_id).first())["id"]

    return live.run(find)


def _approved_report_id(live, employer_id: int) -> int:
    async def find():
        from domains.work_injury.tables import WiAccident
        from portal.workflow.tables import Matter

        approved = Matter.select(Matter.id).where(Matter.state == "approved")
        return (await WiAccident.select(WiAccident.id).where(
            (WiAccident.employer == employer_id) & WiAccident.matter_id.is_in(approved)).first())["id"]

    return live.run(find)


def test_every_page_fits_1366_and_360_in_both_modes(live, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    employer = _demo_employer(live, 0)
    report = _report_id(live, employer["id"])
    approved = _approved_report_id(live, employer["id"])  # with the 已申请工伤认定 form
    username = live.unique("wis")
    live.make_staff(username, permissions=["wi.review", "wi.query"], scopes={"division": ["460000"]})

    async def wang_id():
        from domains.person import service

        return (await service.get_by_id_number(PERSONS[0].id_number))["id"]

    person_sid = live.session(kind="person", person_id=live.run(wang_id), account_id=9998)
    pages = {
        "employer": [("/work-injury/", None), ("/work-injury/report", None), ("/work-injury/reports", None),
                     (f"/work-injury/reports/{report}", None), (f"/work-injury/reports/{approved}", None),
                     ("/work-injury/proof", None),
                     ("/work-injury/report", "error"), ("/work-injury/proof", "proof")],
        "person": [("/person/work-injury/proof", None), ("/person/work-injury/proof", "proof")],
        "staff": [("/wi-admin/", None), ("/wi-admin/proof", None), ("/workbench", None)],
    }
    for width in (1366, 360):
        for elder in (False, True):
            context = browser.new_context(base_url=live.base_url, locale="zh-CN",
                                          viewport={"width": width, "height": 900})
            page = context.new_page()
            errors: list[str] = []
            page.on("console", lambda msg, errors=errors: errors.append(msg.text) if msg.type == "error" else None)
            cookies = [{"name": "elder", "value": "1", "url": live.base_url}] if elder else []
            context.add_cookies(cookies)
            for kind, urls in pages.items():
                if kind == "employer":
                    _sign_in_employer(live, page, 0)
                elif kind == "person":
                    context.add_cookies([{"name": "portal_session", "value": person_sid, "url": live.base_url}])
                else:
                    context.clear_cookies()
                    context.add_cookies(cookies)
                    live.login_staff(page, username, "Test@2026pw", next="/")
                for url, state in urls:
                    response = page.goto(url)
                    assert response.status == 200, url
                    if state == "error":  # the error summary and messages beside the fields
                        page.get_by_role("button", name="保存", exact=True).last.click()
                        page.wait_for_selector(".app-error-summary")
                    elif state == "proof":
                        if kind == "employer":
                            page.fill("#f-id_number", PERSONS[0].id_number)
                            page.fill("#f-name", PERSONS[0].name)
                        else:
                            page.select_option("#f-employer_id", index=1)
                        with page.expect_navigation():
                            page.get_by_role("button", name="生成报表").click()
                        page.wait_for_selector("[data-testid=wi-proof]")
                    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
                    assert overflow <= 1, f"{url} at {width}px{' 长辈版' if elder else ''} scrolls sideways by {overflow}px"
                    name = (re.sub(r"[^a-z0-9]+", "_", url.split("?")[0]).strip("_") or "home") + (f"_{state}" if state else "")
                    page.screenshot(path=str(SHOTS / f"{kind}_{name}_{width}{'_elder' if elder else ''}.png"),
                                    full_page=True)
            assert errors == []
            context.close()


def test_recall_a_confirmed_report_in_the_modal_at_1366_and_360(live, browser):
    """撤回 in 快报确认 opens the confirmation in the modal (htmx); 取消 closes it with nothing done; 确定撤回 answers
    in the modal and the grid behind reloads in place (未确认, 修改 and the tick back, no 撤回); a reviewer's workbench
    no longer lists it. From 详细 the same step is a page (as without JavaScript). Every screen at 1366 and 360 px,
    standard and 长辈版."""
    from tests.browser.screens import SIZES, fits_with_modal, open_screen

    async def reports():
        from domains.work_injury import forms, service
        from tests.one_thing.support import employer_principal
        from tests.social_insurance.support import insure
        from tests.support.factories import make_employer
        from tests.work_injury.support import person_row, report_data, yesterday_text

        employer = await make_employer(name=f"海南工伤撤回测试{live.unique('e')}有限公司", division_code="460106")
        principal = employer_principal(employer)
        numbers = []
        for i in range(5):  # one for each width and mode, and one for the page form
            person = await insure(employer, start=202501, name=f"撤回{i}")
            data = report_data(person_row("0", person["id_number"]), occurred_at=yesterday_text(i + 1),
                               place=f"{i + 1}号车间")
            form = forms.report_form(data, ["0"])
            assert await form.validate(), form.errors
            accident_id = await service.save_report(principal, forms.accident_of(form), forms.rows_of(form, ["0"]))
            assert await service.confirm(principal, [accident_id]) == {accident_id: ""}
            numbers.append((accident_id, (await service.get_report(principal, accident_id))["number"]))
        return employer, numbers

    employer, numbers = live.run(reports)
    username = live.unique("wirc")
    live.make_staff(username, permissions=["wi.review"], scopes={"division": ["460000"]})
    combos = SIZES
    for i, (width, elder) in enumerate(combos):
        context, page, errors = open_screen(browser, live, width, elder)
        sid = live.session(kind="employer", employer_id=employer["id"], account_id=employer["id"] + 9300,
                           acting_name="张法人", acting_role="legal_rep")
        context.add_cookies([{"name": "portal_session", "value": sid, "url": live.base_url}])

        def fits(what: str, *, modal: bool = False, page=page, width=width, elder=elder) -> None:
            fits_with_modal(page, SHOTS, f"recall_{what}", width, elder, modal=modal)

        accident_id, number = numbers[i]
        page.goto("/work-injury/reports")
        row = page.locator("[data-testid=grid-table] tbody tr", has_text=f"撤回{i}")
        assert "已提交（待审核）" in row.inner_text()
        fits("list")
        row.get_by_role("link", name="撤回").click()
        modal = page.locator("[data-modal]")
        modal.get_by_role("button", name="确定撤回").wait_for()
        assert number in modal.inner_text() and page.url.endswith("/work-injury/reports")
        fits("modal", modal=True)
        modal.get_by_role("link", name="取消").click()
        assert page.locator("[data-modal]").count() == 0 and "已提交（待审核）" in row.inner_text()
        row.get_by_role("link", name="撤回").click()
        page.locator("[data-modal]").get_by_role("button", name="确定撤回").click()
        done = page.locator("[data-testid=wi-recall-done]")
        done.wait_for()
        assert "回到未确认状态" in done.inner_text() and number in done.inner_text()
        page.locator("[data-testid=grid-table] tbody tr", has_text=f"撤回{i}").filter(has_text="未确认").wait_for()
        fits("done", modal=True)
        page.locator("[data-modal] .app-button-group").get_by_role("button", name="关闭").click()
        assert page.locator("[data-modal]").count() == 0 and page.locator("h1").count() == 1
        row = page.locator("[data-testid=grid-table] tbody tr", has_text=f"撤回{i}")
        assert row.get_by_role("link", name="修改", exact=True).is_visible()
        assert row.get_by_role("link", name="撤回", exact=True).count() == 0
        assert row.locator("input[name=pick]").count() == 1
        # the same step as a page, from 详细 of the one kept for it
        page.goto(f"/work-injury/reports/{numbers[4][0]}")
        fits("detail")
        page.locator("[data-testid=wi-recall]").click()
        page.get_by_role("button", name="确定撤回").wait_for()
        fits("page")
        if i == len(combos) - 1:
            with page.expect_navigation():
                page.get_by_role("button", name="确定撤回").click()
            assert "工伤快报已撤回" in page.inner_text("[data-testid=wi-recalled]")
        assert errors == []
        context.close()
    # the reviewer's workbench lists none of them now
    staff = browser.new_page(base_url=live.base_url)
    live.login_staff(staff, username, "Test@2026pw", next="/workbench")
    text = staff.inner_text("main")
    assert all(n not in text for _, n in numbers), text[:500]
    staff.close()
