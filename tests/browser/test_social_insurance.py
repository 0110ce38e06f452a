"""Social-insurance screens in Chromium on the demo data: a person signs in through the sandbox network, reads
缴费记录 and downloads the 参保证明 whose verification page answers; the employer's htmx screens (SI-2 结算期,
SI-3 drill-down, SI-4); the staff 月度核定 panel; every new page at 1366 and 360 px, standard and 长辈版."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from pathlib import Path

from seeds.demo_identities import EMPLOYERS, PERSONS

SHOTS = Path(os.environ.get("SI_SCREENSHOTS", tempfile.gettempdir())) / "si-screens"


def _demo_employer(live, index: int = 0) -> dict:
    async def find():
        from domains.employer import service

        return await service.get_by_uscc(EMPLOYERS[index].uscc)

    return live.run(find)


def _sign_in_employer(live, page, index: int = 0) -> dict:
    employer = _demo_employer(live, index)
    sid = live.session(kind="employer", employer_id=employer["id"], account_id=employer["id"] + 7000,
                   acting_name=EMPLOYERS[index].legal_rep, acting_role="legal_rep")
    page.context.add_cookies([{"name": "portal_session", "value": sid, "url": live.base_url}])
    return employer


def _period(months_back: int) -> tuple[int, str]:
    from domains.social_insurance import rules
    from domains.social_insurance.pages import this_period

    period = rules.add_months(this_period(), -months_back)
    return period, rules.period_input(period)


def test_person_signs_in_reads_contributions_and_verifies_the_certificate(live, page):
    wang = PERSONS[0]
    page.goto("/person/insurance/contributions")
    assert "/login" in page.url
    with page.expect_navigation():
        page.goto(f"/sso/login?kind=person&next={'/person/insurance/contributions'}")
    if page.locator("#s-login_name").count() == 0:
        page.get_by_role("link", name="个人登录").click()
    page.fill("#s-login_name", wang.id_number)
    page.fill("#s-password", wang.password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/person/insurance/contributions"))
    table = page.locator("[data-testid=my-contributions]")
    assert table.locator("tbody tr").count() >= 1
    assert "海南椰风科技有限公司" in table.inner_text()

    page.goto("/person/insurance/certificate")
    token = page.locator("input[name=_csrf_token]").first.get_attribute("value")
    response = page.request.post(live.url("/person/insurance/certificate"), form={"_csrf_token": token},
                                 max_redirects=0, headers={"Origin": live.base_url})
    assert response.status in (302, 303)
    pdf = page.request.get(live.url(response.headers["location"]))
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(pdf.body())
        fh.flush()
        text = subprocess.run(["/usr/bin/pdftotext", fh.name, "-"], check=True, capture_output=True, text=True).stdout
    assert "社会保险参保证明" in text and "自2015年01月起累计参保" in text
    code = re.search(r"验证码\s*([A-Z2-7]{24})", text).group(1)
    page.goto(f"/verify/{code}")
    assert "社会保险参保证明" in page.inner_text("main") and wang.id_number not in page.content()
    assert page.console_errors == []


def _person_sid(live) -> str:
    async def wang_id():
        from domains.person import service

        return (await service.get_by_id_number(PERSONS[0].id_number))["id"]

    return live.session(kind="person", person_id=live.run(wang_id), account_id=9999)


def test_contributions_chart_draws_beside_its_table_and_the_table_alone_without_script(live, browser):
    sid = _person_sid(live)
    for javascript in (True, False):
        context = browser.new_context(base_url=live.base_url, locale="zh-CN", java_script_enabled=javascript)
        context.add_cookies([{"name": "portal_session", "value": sid, "url": live.base_url}])
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda msg, errors=errors: errors.append(msg.text) if msg.type == "error" else None)
        page.goto("/person/insurance/contributions")
        figure = page.locator("[data-testid=chart-si-contributions]")
        assert figure.locator("[data-testid=my-contributions] tbody tr").count() >= 1
        canvas = figure.locator("#chart-si-contributions")
        if javascript:
            canvas.locator("canvas").wait_for()
            assert canvas.get_attribute("data-chart-ready") == "true" and canvas.bounding_box()["height"] > 100
        else:
            assert not canvas.is_visible()
        assert errors == []
        context.close()


def test_employer_htmx_screens(live, page):
    _sign_in_employer(live, page, 0)
    # SI-2: another 结算期 through htmx (no navigation, URL pushed), then a fee cell opens its detail.
    page.goto("/social-insurance/payable")
    _, text = _period(2)
    page.fill("#f-period", text)
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(re.compile(r"period="))
    assert "应缴社会保险费" in page.inner_text("#results")
    page.fill("#f-period", "2026-13")
    page.get_by_role("button", name="查询").click()
    page.wait_for_selector("#results [role=alert]")
    assert "结算期不存在" in page.inner_text("#results")
    page.fill("#f-period", text)
    page.get_by_role("button", name="查询").click()
    page.wait_for_selector("[data-testid=payable] a")
    with page.expect_navigation():
        page.locator("[data-testid=payable] a").first.click()
    assert "应缴明细" in page.inner_text("h1") and page.locator("table tbody tr").count() >= 1

    # SI-3: the 生育 total drills down in place; the detail filter swaps the panel.
    _, text = _period(10)
    page.goto(f"/social-insurance/benefits/maternity?period={text}")
    url = page.url
    page.locator("[data-testid=benefit-totals] a").first.click()
    page.wait_for_selector("[data-testid=benefit-detail]")
    assert page.url == url and "生育津贴" in page.inner_text("#benefit-detail")
    page.fill("#f-item", "医疗")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_function("() => !document.querySelector('#benefit-detail').innerText.includes('生育津贴')")
    assert "生育医疗费用" in page.inner_text("#benefit-detail")

    # SI-4: an own insured person's account by ID number.
    page.goto("/social-insurance/pension-accounts")
    page.fill("#f-id_number", PERSONS[0].id_number)
    page.get_by_role("button", name="查询").click()
    page.wait_for_selector("[data-testid=pension-accounts]")
    assert "2015" in page.inner_text("[data-testid=pension-accounts]")
    assert page.console_errors == []


def test_staff_assessment_panel(live, page):
    username = live.unique("sia")
    live.make_staff(username, permissions=["si.assess", "si.query"], scopes={"division": ["460000"]})
    live.login_staff(page, username, "Test@2026pw", next="/si-admin/assess")
    page.fill("#f-period", _period(0)[1])
    page.get_by_role("button", name="核定").click()
    page.wait_for_selector("[data-testid=assess-notice]")
    assert "核定完成" in page.inner_text("[data-testid=assess-notice]")
    page.fill("#f-period", _period(17)[1])  # closed by the demo
    page.get_by_role("button", name="核定").click()
    page.wait_for_selector("[data-testid=assess-error]")
    assert "已关账" in page.inner_text("[data-testid=assess-error]")
    assert page.console_errors == []


def test_staff_year_end_panel(live, page):
    """年度结算 through the htmx panel: a year not over is refused beside the form; last year, once its missing
    months are assessed, is settled and listed; the person's 养老账户 shows the year as 年度结算."""
    from datetime import date

    from domains.social_insurance import service
    from portal.auth.principal import Principal

    last = date.today().year - 1
    staff = Principal(kind="staff", account_id=0, display_name="浏览器测试", scopes={"division": ("460000",)},
                      permissions=frozenset({service.ASSESS_PERMISSION}))

    async def assess_missing() -> None:
        done = {p["period"] for p in await service.periods()}
        for month in range(1, 13):
            if last * 100 + month not in done:
                await service.assess(staff, last * 100 + month)

    username = live.unique("sie")
    live.make_staff(username, permissions=["si.settle"], scopes={"division": ["460000"]})
    live.login_staff(page, username, "Test@2026pw", next="/si-admin/year-end")
    page.fill("#f-year", str(last + 1))
    page.get_by_role("button", name="年度结算").click()
    page.wait_for_selector("[data-testid=year-end-error]")
    assert "尚未结束" in page.inner_text("[data-testid=year-end-error]")
    assert page.input_value("#f-year") == str(last + 1)  # what was typed stays
    live.run(assess_missing)
    page.fill("#f-year", str(last))
    page.get_by_role("button", name="年度结算").click()
    page.wait_for_selector("[data-testid=year-end-notice]")
    assert f"{last}年度结算完成" in page.inner_text("[data-testid=year-end-notice]")
    assert str(last) in page.inner_text("[data-testid=year-end-runs]")
    assert page.console_errors == []

    person = page.context.browser.new_context(base_url=live.base_url, locale="zh-CN")
    person.add_cookies([{"name": "portal_session", "value": _person_sid(live), "url": live.base_url}])
    mine = person.new_page()
    mine.goto("/person/insurance/pension")
    first = mine.locator("[data-testid=my-pension] tbody tr").first.inner_text()
    assert str(last) in first and "年度结算" in first
    person.close()


def _pages(live, period_text: str) -> dict[str, list[str]]:
    wang = PERSONS[0]
    return {
        "employer": ["/social-insurance/", "/social-insurance/staff", f"/social-insurance/payable?period={period_text}",
                     f"/social-insurance/payable/{period_text.replace('-', '')}/pension",
                     f"/social-insurance/benefits/maternity?period={_period(10)[1]}",
                     f"/social-insurance/pension-accounts?id_number={wang.id_number}", "/social-insurance/overview"],
        "person": ["/person/insurance/", "/person/insurance/contributions", "/person/insurance/pension",
                   "/person/insurance/certificate"],
        "staff": ["/si-admin/assess", "/si-admin/payments", f"/si-admin/persons?q={wang.name}",
                  f"/si-admin/employers?q={EMPLOYERS[0].name}", "/si-admin/reference", "/si-admin/year-end"],
    }


def test_every_page_fits_1366_and_360_in_both_modes(live, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    _, text = _period(1)
    username = live.unique("sis")
    live.make_staff(username, permissions=["si.assess", "si.query", "si.reference", "si.settle"],
                    scopes={"division": ["460000"]})

    person_sid = _person_sid(live)
    for width in (1366, 360):
        for elder in (False, True):
            context = browser.new_context(base_url=live.base_url, locale="zh-CN",
                                          viewport={"width": width, "height": 900})
            page = context.new_page()
            errors: list[str] = []
            page.on("console", lambda msg, errors=errors: errors.append(msg.text) if msg.type == "error" else None)
            cookies = [{"name": "elder", "value": "1", "url": live.base_url}] if elder else []
            context.add_cookies(cookies)
            for kind, urls in _pages(live, text).items():
                if kind == "employer":
                    _sign_in_employer(live, page, 0)
                elif kind == "person":
                    context.add_cookies([{"name": "portal_session", "value": person_sid, "url": live.base_url}])
                else:
                    context.clear_cookies()
                    context.add_cookies(cookies)
                    live.login_staff(page, username, "Test@2026pw", next="/")
                for url in urls:
                    response = page.goto(url)
                    assert response.status == 200, url
                    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
                    assert overflow <= 1, f"{url} at {width}px{' 长辈版' if elder else ''} scrolls sideways by {overflow}px"
                    name = re.sub(r"[^a-z0-9]+", "_", url.split("?")[0]).strip("_") or "home"
                    page.screenshot(path=str(SHOTS / f"{kind}_{name}_{width}{'_elder' if elder else ''}.png"),
                                    full_page=True)
            assert errors == []
            context.close()
