"""一件事一次办 in Chromium: an employer fills 员工录用一件事 (one form, an error kept, 核对, 提交), the labour-contract
reviewer and the social-insurance reviewer each approve their 办件 in their own workbench, the progress page shows
both 审核通过 and the person's 参保信息 shows the record; every page at 1366 and 360 px, standard and 长辈版."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

from tests.browser.screens import SIZES, fits_with_modal, open_screen
from tests.browser.test_site_layout import ELDER_JS, TARGETS_JS

SHOTS = Path(os.environ.get("OT_SCREENSHOTS", tempfile.gettempdir())) / "ot-screens"


def _this_period() -> str:
    from domains.social_insurance import rules
    from domains.social_insurance.pages import this_period

    return rules.period_input(this_period())


def _employer(live) -> dict:
    async def create():
        from tests.support.factories import make_employer

        return await make_employer(name=f"海南一件事测试{live.unique('e')}有限公司", division_code="460106")

    return live.run(create)


def _bundle(live, employer_id: int) -> dict:
    async def find():
        from domains.one_thing.tables import OneThing
        from portal.workflow.tables import Matter

        row = await OneThing.select().where(OneThing.employer == employer_id).first()
        numbers = await Matter.select(Matter.id, Matter.number).where(
            Matter.id.is_in([row["lc_matter_id"], row["pc_matter_id"]])
        )
        return {**row, "numbers": {m["id"]: m["number"] for m in numbers}}

    return live.run(find)


def _person(live, id_number: str) -> dict | None:
    async def find():
        from domains.person import service

        return await service.get_by_id_number(id_number)

    return live.run(find)


def _sign_in_employer(page, live, employer: dict) -> None:
    live.sign_in(
        page.context,
        kind="employer",
        employer_id=employer["id"],
        account_id=employer["id"] + 8000,
        acting_name="张法人",
        acting_role="legal_rep",
    )


def _approve(browser, live, permission: str, scopes: dict, number: str) -> None:
    """A reviewer holding `permission` finds the 办件 in their own queue and approves it in the modal."""
    staff_page = browser.new_page(base_url=live.base_url)
    username = live.unique("otr")
    live.make_staff(username, permissions=[permission], scopes=scopes)
    live.login_staff(staff_page, username, "Test@2026pw", next=f"/workbench?q={number}")
    staff_page.locator("a[href^='/workbench/matters/']").first.click()
    staff_page.wait_for_selector("[data-modal] button[value=approve]")
    assert "一件事一次办" in staff_page.inner_text("[data-modal]")  # the bundle number shows on both 办件
    staff_page.locator("[data-modal] button[value=approve]").click()
    staff_page.wait_for_function("() => !document.querySelector('[data-modal] button[value=approve]')")
    staff_page.close()


def _fits(page, name: str, elder: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 360):
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name} at {width}px scrolls sideways by {overflow}px"
        if width == 360:
            assert page.evaluate(TARGETS_JS) == [], name
        if elder:
            assert page.evaluate(ELDER_JS) == [], name
        page.screenshot(path=str(SHOTS / f"{name}_{width}{'_elder' if elder else ''}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_hire_one_form_two_reviews_one_progress_page(live, page, browser):
    from tests.support.factories import make_id_number

    employer = _employer(live)
    _sign_in_employer(page, live, employer)
    period = _this_period()
    id_number = make_id_number("460106", date(1994, 4, 4))

    page.goto("/?tab=employer")
    with page.expect_navigation():
        page.get_by_role("link", name="员工录用一件事").first.click()
    if "/services/" in page.url:  # the hall links the guide first: 在线办理 from there
        with page.expect_navigation():
            page.get_by_role("link", name="在线办理").first.click()
    assert page.url.endswith("/one-thing/hire")
    page.fill("#f-id_number", id_number)
    page.fill("#f-worker_name", "一件事新员工")
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()
    assert "养老保险（新参保）" in " ".join(page.inner_text("[data-testid=pc-plans]").split())
    _fits(page, "hire_form")
    page.fill("#f-worker_name", "一件事新员工")
    page.select_option("#f-ethnicity", "01")
    page.select_option("#f-hukou", "10")
    page.fill("#f-address", "海口市龙华区滨海大道8号")
    page.fill("#f-phone", "13800138000")
    page.fill("#f-work_start", "2016-07-01")
    page.select_option("#f-employment_form", "01")
    page.select_option("#f-contract_type", "1")
    page.fill("#f-start_date", f"{period}-01")
    page.fill("#f-end_date", f"{int(period[:4]) + 3}-{period[5:]}-01")
    page.fill("#f-post", "出纳")
    page.fill("#f-workplace", "海口市龙华区")
    page.fill("#f-monthly_wage", "7000")
    page.fill("#f-pay_day", "10")
    page.select_option("#f-work_hours_system", "1")
    page.check("input[name=ins_pension]")
    page.check("input[name=ins_medical]")
    page.select_option("#f-identity", "11")
    page.fill("#f-base", "100")
    page.fill("#f-period", period)
    with page.expect_navigation():
        page.get_by_role("button", name="下一步：核对信息").click()
    assert "缴费基数" in page.inner_text("#f-base-error")  # the 增员's rule, beside its field
    assert page.input_value("#f-post") == "出纳" and page.is_checked(
        "input[name=ins_medical]"
    )  # nothing lost
    page.fill("#f-base", "7000")
    with page.expect_navigation():
        page.get_by_role("button", name="下一步：核对信息").click()
    assert f"养老保险 新参保：{period} 起在本单位参保" in page.inner_text("[data-testid=ot-outcomes]")
    _fits(page, "hire_check")
    with page.expect_navigation():
        page.get_by_role("button", name="确认提交").click()
    assert "已提交" in page.inner_text("[data-testid=ot-submitted]")
    assert page.inner_text("[data-testid=ot-overall]").strip() == "审核中"
    # nothing reviewed yet: the whole may still be withdrawn (the 增员 through its own 撤回)
    assert page.locator("[data-testid=ot-withdraw]").get_by_role("link", name="整件撤回").is_visible()
    _fits(page, "hire_submitted")
    progress_url = page.url.split("?")[0]
    bundle = _bundle(live, employer["id"])

    # each 办件 in its own reviewers' queue
    _approve(
        browser,
        live,
        "lc.review",
        {"agency": [employer["review_agency"]]},
        bundle["numbers"][bundle["lc_matter_id"]],
    )
    page.goto(progress_url)
    assert page.inner_text("[data-testid=ot-overall]").strip() == "审核中"
    _approve(browser, live, "pc.review", {"division": ["460100"]}, bundle["numbers"][bundle["pc_matter_id"]])

    page.goto(progress_url)
    for part in ("ot-part-1", "ot-part-2"):
        assert "审核通过" in page.inner_text(f"[data-testid={part}]")
    assert page.inner_text("[data-testid=ot-overall]").strip() == "已办结"
    _fits(page, "hire_progress")
    page.goto("/one-thing/")
    assert bundle["number"] in page.inner_text("[data-testid=ot-list]")
    _fits(page, "home")

    # the person's 参保信息 shows the new record
    person = _person(live, id_number)
    person_page = browser.new_page(base_url=live.base_url)
    live.sign_in(person_page.context, kind="person", person_id=person["id"], account_id=person["id"] + 9000)
    person_page.goto("/person/insurance/")
    enrolments = person_page.inner_text("[data-testid=my-enrolments]")
    assert employer["name"] in enrolments and "养老保险" in enrolments
    person_page.close()
    assert page.console_errors == []


def test_pages_in_elder_mode_and_the_leave_form(live, browser):
    employer = _employer(live)

    async def leaver():
        from tests.one_thing.support import worker

        return await worker(employer, name="浏览器离职")

    someone = live.run(leaver)
    context = browser.new_context(
        base_url=live.base_url, locale="zh-CN", viewport={"width": 1366, "height": 900}
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    context.add_cookies([{"name": "elder", "value": "1", "url": live.base_url}])
    _sign_in_employer(page, live, employer)
    for name, url in (
        ("home", "/one-thing/"),
        ("hire_lookup", "/one-thing/hire"),
        ("leave_lookup", "/one-thing/leave"),
        ("leave_form", f"/one-thing/leave?id_number={someone['id_number']}"),
    ):
        assert page.goto(url).status == 200, url
        _fits(page, name, elder=True)
    page.fill("#f-termination_date", date.today().isoformat())
    page.select_option("#f-termination_reason", "02")
    page.select_option("#f-kind", "terminate")
    page.select_option("#f-reason", "11")
    page.check("input[name=ins_pension]")
    page.fill("#f-period", _this_period())
    with page.expect_navigation():
        page.get_by_role("button", name="下一步：核对信息").click()
    assert "终止参保" in page.inner_text("[data-testid=ot-outcomes]")
    _fits(page, "leave_check", elder=True)
    with page.expect_navigation():
        page.get_by_role("button", name="确认提交").click()
    assert page.locator("[data-testid=ot-certificate]").count(), page.inner_text("main")[:1500]
    assert "解除(终止)备案审核通过后" in page.inner_text("[data-testid=ot-certificate]")
    _fits(page, "leave_progress", elder=True)
    assert errors == []
    context.close()


def test_withdraw_the_whole_asks_first_in_the_modal_and_as_a_page(live, browser):
    """整件撤回 on the progress page opens the confirmation in the modal (htmx): both parts with 办件编号 and state;
    取消 closes it with nothing done; 确定整件撤回 answers in the modal and the progress page behind reloads in place
    (已撤回). The first 一件事's 增员 was rejected first (the whole still goes). Without JavaScript the same step is
    a page, whose 确定整件撤回 lands on the progress page. Every screen at 1366 and 360 px, standard and 长辈版."""
    employer = _employer(live)

    async def filed():
        from domains.one_thing import service
        from portal.workflow import engine
        from tests.one_thing.support import employer_principal, hire_cleaned, hire_data
        from tests.personnel_change.support import reviewer
        from tests.support.factories import make_id_number

        rows = []
        for i in range(5):  # one for each width and mode, and one for the page form
            data = hire_data(make_id_number("460106", date(1990, 1, 10 + i)), worker_name=f"整件撤回{i}",
                             start_date=f"{_this_period()}-01", period=_this_period())
            rows.append(await service.hire(employer_principal(employer), await hire_cleaned(data)))
        staff = reviewer("460000")
        matter = await engine.get_matter_for(staff, rows[0]["pc_matter_id"])
        await engine.fire(staff, matter["id"], "reject", expected_version=matter["version"], opinion="缴费基数有误")
        return rows

    rows = live.run(filed)
    combos = SIZES
    for i, (width, elder) in enumerate(combos):
        context, page, errors = open_screen(browser, live, width, elder)
        _sign_in_employer(page, live, employer)

        def fits(what: str, *, modal: bool = False, page=page, width=width, elder=elder) -> None:
            fits_with_modal(page, SHOTS, f"withdraw_{what}", width, elder, modal=modal)

        row = _bundle_of(live, rows[i])
        page.goto(f"/one-thing/{row['id']}")
        overall = page.locator("[data-testid=ot-overall]")
        assert overall.inner_text().strip() == ("需要修改" if i == 0 else "审核中")
        fits("offered")
        page.get_by_role("link", name="整件撤回").click()
        modal = page.locator("[data-modal]")
        modal.get_by_role("button", name="确定整件撤回").wait_for()
        parts = modal.locator("[data-testid=ot-withdraw-part]")
        assert parts.count() == 2 and page.url.endswith(f"/one-thing/{row['id']}")
        for n, number in enumerate(row["numbers"]):
            assert number in parts.nth(n).inner_text()
        assert ("审核不通过" if i == 0 else "已确认（待审核）") in parts.nth(1).inner_text()
        fits("modal", modal=True)
        modal.get_by_role("link", name="取消").click()
        assert page.locator("[data-modal]").count() == 0 and overall.inner_text().strip() != "已撤回"
        page.get_by_role("link", name="整件撤回").click()
        page.locator("[data-modal]").get_by_role("button", name="确定整件撤回").click()
        done = page.locator("[data-testid=ot-withdraw-done]")
        done.wait_for()
        assert "已整件撤回" in done.inner_text()
        page.locator("[data-testid=ot-overall]", has_text="已撤回").wait_for()  # reloaded in place, no navigation
        assert page.url.endswith(f"/one-thing/{row['id']}") and page.locator("h1").count() == 1
        fits("done", modal=True)
        page.locator("[data-modal] .app-button-group").get_by_role("button", name="关闭").click()
        assert page.locator("[data-modal]").count() == 0
        assert page.locator("[data-testid=ot-withdraw-open]").count() == 0
        fits("withdrawn")
        # the same step as a page, as it reads without JavaScript
        page.goto(f"/one-thing/{rows[4]['id']}/withdraw")
        page.get_by_role("button", name="确定整件撤回").wait_for()
        assert page.locator("[data-testid=ot-withdraw-part]").count() == 2
        fits("page")
        if i == len(combos) - 1:
            with page.expect_navigation():
                page.get_by_role("button", name="确定整件撤回").click()
            assert "已整件撤回" in page.inner_text("[data-testid=ot-withdrawn]")
            assert page.inner_text("[data-testid=ot-overall]").strip() == "已撤回"
        assert errors == []
        context.close()


def _bundle_of(live, row: dict) -> dict:
    """The 一件事 with its two 办件编号 in order (劳动合同, then 增员)."""
    async def find():
        from portal.workflow.tables import Matter

        found = {m["id"]: m["number"] for m in await Matter.select(Matter.id, Matter.number).where(
            Matter.id.is_in([row["lc_matter_id"], row["pc_matter_id"]]))}
        return {**row, "numbers": [found[row["lc_matter_id"]], found[row["pc_matter_id"]]]}

    return live.run(find)
