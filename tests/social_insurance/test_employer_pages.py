"""Employer pages SI-1 … SI-4, SI-6 through HTTP, and the cross-tenant matrix over every employer URL."""

from __future__ import annotations

from tests.social_insurance.support import world
from tests.support.factories import make_person
from tests.support.urls import url_for

SECRET = ("乙方职工", "乙方保密有限公司", "乙方秘密津贴", "7,777.00")


async def test_roster_lists_own_staff_with_filters_and_export(client):
    w = await world()
    await client.sign_in_employer(w["a"])
    page = await client.page(url_for("si_roster"))
    text = page.get_text()
    assert "甲职工" in text and "甲二号" in text and not any(s in text for s in SECRET)
    assert w["a1"]["id_number"] not in text  # masked 6+4
    assert text.count("养老保险") >= 2
    assert "2026年01月" in text and "202601" not in text  # 参保开始年月 as a 结算期 label, not YYYYMM
    filtered = await client.page(url_for("si_roster", {"insurance": "medical"}))
    assert "甲职工" in filtered.get_text() and "甲二号" not in filtered.get_text()
    arrears = await client.page(url_for("si_roster", {"paid_state": "due"}))
    assert "甲职工" not in arrears.get_text()  # A paid 2026-10
    export = await client.get(url_for("si_roster", {"export": "xlsx"}))
    assert export.status_code == 200 and export.content[:2] == b"PK"


async def test_payable_by_period_with_details(client):
    w = await world()
    await client.sign_in_employer(w["a"])
    page = await client.page(url_for("si_payable", {"period": "2026-10"}))
    table = page.select_one("[data-testid=payable]")
    # 甲职工 1,539.38 (test_assess by hand) + 甲二号 养老 only: 960.00 + 480.00
    assert page.select_one("[data-testid=payable-total]").get_text() == "2,979.38"
    assert page.select_one("[data-testid=payable-arrears]").get_text() == "0.00"
    links = {a["href"] for a in table.select("a")}
    assert "/social-insurance/payable/202610/pension" in links
    detail = await client.page("/social-insurance/payable/202610/pension")
    assert "甲职工" in detail.get_text() and "甲二号" in detail.get_text() and "730.86" in detail.get_text()
    injury = await client.page("/social-insurance/payable/202610/injury")
    assert "甲职工" in injury.get_text() and "甲二号" not in injury.get_text()
    empty = await client.page(url_for("si_payable", {"period": "2026-09"}))
    assert "2026年09月尚未核定" in empty.get_text()
    bad = await client.page(url_for("si_payable", {"period": "2026-13"}))
    assert "结算期不存在，请检查年份和月份" in bad.get_text()
    fragment = await client.page(url_for("si_payable", {"period": "202610"}), htmx=True)
    assert fragment.select_one("#results") and not fragment.select_one("h1")


async def test_arrears_show_the_late_fee_to_date(client):
    from domains.social_insurance import rules
    from domains.social_insurance.pages import today
    from domains.social_insurance.tables import SiEmployerPeriod

    w = await world()  # B has not paid 2026-10
    await client.sign_in_employer(w["b"])
    summary = await SiEmployerPeriod.select().where(SiEmployerPeriod.employer == w["b"]["id"]).first()
    page = await client.page(url_for("si_payable", {"period": "2026-10"}))
    assert page.select_one("[data-testid=payable-arrears]").get_text() == f"{summary['total'] / 100:,.2f}"
    expected = rules.late_fee(summary["total"], 202610, today())
    late = page.select_one("[data-testid=payable-late-fee]")
    assert (late.get_text() if late else "0.00") == f"{expected / 100:,.2f}" if expected else late is None


async def test_benefit_totals_drill_down_by_htmx_and_by_link(client):
    w = await world()
    await client.sign_in_employer(w["a"])
    page = await client.page(url_for("si_benefits_maternity", {"period": "2026-10"}))
    link = page.select_one("[data-testid=benefit-totals] a")
    assert link.get_text() == "24,240.00" and link["href"] == link["hx-get"]
    detail = await client.page(link["href"])
    assert "生育津贴" in detail.get_text() and "生育医疗费用" in detail.get_text() and detail.select_one("h1")
    fragment = await client.page(link["href"] + "?item=津贴", htmx=True)
    assert "生育津贴" in fragment.get_text() and "生育医疗费用" not in fragment.get_text()
    assert not fragment.select_one("h1")
    assert "没有待遇支付记录" in (await client.page(url_for("si_benefits_injury", {"period": "2026-10"}))).get_text()


async def test_pension_accounts_only_for_own_insured_staff(client):
    w = await world()
    await client.sign_in_employer(w["a"])
    page = await client.page(url_for("si_pension_accounts", {"id_number": w["a1"]["id_number"], "year": "2025"}))
    assert "5,508.65" in page.get_text()
    assert "请输入身份证号或姓名" in (await client.page(url_for("si_pension_accounts"))).get_text()
    bad = await client.page(url_for("si_pension_accounts", {"id_number": "123", "year": "20x5"}))
    assert "年度应为四位数字" in bad.get_text()
    stranger = await make_person()
    for person in (w["b1"], stranger):
        response = await client.get(url_for("si_pension_accounts", {"id_number": person["id_number"]}))
        assert response.status_code == 404 and "5,508.65" not in response.text
    by_name = await client.page(url_for("si_pension_accounts", {"name": "乙方职工"}))
    assert "5,508.65" not in by_name.get_text() and "没有符合条件" in by_name.get_text()


async def test_employer_overview(client):
    w = await world()
    await client.sign_in_employer(w["a"])
    page = await client.page(url_for("si_employer_overview"))
    text = page.get_text()
    assert "甲方社保有限公司" in text and "2026年10月" in text and "2,979.38" in text
    rows = page.select("[data-testid=overview-enrolments] tbody tr")
    assert [td.get_text() for td in rows[0].select("td")] == ["2", "0", "0"]  # 养老: two insured


async def test_cross_tenant_matrix(app, client):
    w = await world()
    b, b1 = w["b"], w["b1"]
    await client.sign_in_employer(w["a"])
    urls = [
        "/social-insurance/", url_for("si_roster"), url_for("si_roster", {"export": "xlsx"}),
        url_for("si_roster", {"name": "乙方"}), url_for("si_payable", {"period": "2026-10"}),
        "/social-insurance/payable/202610/pension", "/social-insurance/payable/202610/pension?export=xlsx",
        url_for("si_benefits_maternity", {"period": "2026-10"}), url_for("si_benefits_pension"),
        url_for("si_benefits_injury"), url_for("si_employer_overview"),
    ]
    for url in urls:
        response = await client.get(url)
        assert response.status_code == 200, url
        assert not any(s in response.text for s in SECRET), url
        if url.endswith("xlsx"):
            assert b"\xe4\xb9\x99\xe6\x96\xb9" not in response.content  # 乙方
    # B's person by name: the typed name is shown back, nothing of the record.
    by_name = await client.get(url_for("si_pension_accounts", {"name": b1["name"]}))
    assert by_name.status_code == 200 and "5,508.65" not in by_name.text and b1["id_number"][-4:] not in by_name.text
    for url in (f"/social-insurance/benefits/maternity/202610/{b1['id']}",
                url_for("si_pension_accounts", {"id_number": b1["id_number"]}),
                "/social-insurance/payable/202613/pension", "/social-insurance/payable/202610/nothing",
                "/social-insurance/benefits/medical"):
        for htmx in (False, True):
            response = await client.get(url, headers={"HX-Request": "true"} if htmx else {})
            assert response.status_code == 404, url
            assert not any(s in response.text for s in SECRET), url
    # A person and a staff member see none of the employer pages.
    person = await make_person()
    await client.sign_in_person(person)
    for url in urls[:2] + [url_for("si_employer_overview")]:
        assert (await client.get(url)).status_code == 403, url
    await client.sign_in_staff("si_staff_x", permissions=["si.query", "si.assess"])
    assert (await client.get(url_for("si_roster"))).status_code == 403
    assert b is not None
