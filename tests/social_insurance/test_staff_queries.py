"""Staff SI-5 / SI-6 (si.query, by division) and the 到账 import (si.assess)."""

from __future__ import annotations

from domains.social_insurance import service
from domains.social_insurance.tables import SiContribution, SiEmployerPeriod
from tests.social_insurance.support import world
from tests.support.factories import make_id_number, make_uscc
from tests.support.urls import url_for
from tests.support.workbooks import filled


async def sign_in_staff(app, client, name, division="460100", permissions=(service.QUERY_PERMISSION,)):
    await client.sign_in_staff(name, permissions=list(permissions), scopes={"division": [division]})


async def test_person_query_by_id_or_name_within_the_division(app, client):
    w = await world()  # A in 460105 (Haikou), B in 460202 (Sanya)
    await sign_in_staff(app, client, "si_haikou")
    found = await client.page(url_for("si_staff_persons", {"q": w["a1"]["id_number"]}))
    link = found.select_one("[data-testid=staff-persons] a")
    assert link.get_text() == "甲职工" and w["a1"]["id_number"] not in found.get_text()
    detail = await client.page(link["href"])
    assert len(detail.select("[data-testid=staff-person-enrolments] tbody tr")) == 5
    assert "甲方社保有限公司" in detail.get_text()
    by_name = await client.page(url_for("si_staff_persons", {"q": "甲"}), htmx=True)
    assert {a.get_text() for a in by_name.select("a")} == {"甲职工", "甲二号"} and not by_name.select_one("h1")
    # a name is matched from its first characters (the person.name index), not in the middle
    assert "没有找到" in (await client.page(url_for("si_staff_persons", {"q": "职工"}))).get_text()
    # Sanya's person: not found by ID nor by name, 404 on the detail.
    assert "没有找到" in (await client.page(url_for("si_staff_persons", {"q": w["b1"]["id_number"]}))).get_text()
    assert "没有找到" in (await client.page(url_for("si_staff_persons", {"q": "乙方"}))).get_text()
    assert (await client.get(url_for("si_staff_person", person_id=w["b1"]["id"]))).status_code == 404


async def test_employer_query_within_the_division(app, client):
    w = await world()
    await sign_in_staff(app, client, "si_haikou2")
    found = await client.page(url_for("si_staff_employers", {"q": w["a"]["uscc"]}))
    link = found.select_one("[data-testid=staff-employers] a")
    page = await client.page(link["href"])
    assert "2,979.38" in page.get_text() and len(page.select("[data-testid=overview-roster] tbody tr")) == 6
    assert "没有找到" in (await client.page(url_for("si_staff_employers", {"q": "乙方"}))).get_text()
    response = await client.get(url_for("si_staff_employer", employer_id=w["b"]["id"]))
    assert response.status_code == 404 and "乙方" not in response.text


async def test_queries_need_the_permission(app, client):
    w = await world()
    await sign_in_staff(app, client, "si_assessor", permissions=(service.ASSESS_PERMISSION,))
    for url in (url_for("si_staff_persons", {"q": "甲"}), url_for("si_staff_person", person_id=w["a1"]["id"]), url_for("si_staff_employers"),
                url_for("si_staff_employer", employer_id=w["a"]["id"])):
        assert (await client.get(url)).status_code == 403, url


async def test_payments_import_marks_rows_paid_and_explains_failures(app, client):
    w = await world()  # 2026-10 assessed; A paid, B (Sanya) not
    await service.assess((await _assessor()), 202611)
    await sign_in_staff(app, client, "si_pay", division="460000", permissions=(service.ASSESS_PERMISSION,))
    template = await client.get(url_for("si_payments_template"))
    assert template.status_code == 200
    b, b1, a, a1 = w["b"], w["b1"], w["a"], w["a1"]
    b_total = (await SiContribution.select().where(SiContribution.person == b1["id"]).first())["total"]
    rows = [
        ["2026-10", b["uscc"], b1["id_number"], "2026-11-03", f"{b_total / 100:.2f}"],   # 2 ok
        ["2026-10", a["uscc"], a1["id_number"], "2026-11-03", "1539.38"],                 # 3 already paid
        ["2026-09", a["uscc"], a1["id_number"], "2026-11-03", "1.00"],                    # 4 not assessed
        ["2026-11", a["uscc"], make_id_number(), "2026-11-03", "1.00"],                   # 5 unknown person
        ["2026-11", "91460100MA5T0009XA", a1["id_number"], "2026-11-03", "1.00"],         # 6 unknown employer
        ["2026-11", a["uscc"], a1["id_number"], "2026-11-03", "1.00"],                    # 7 wrong amount
        ["2026-11", a["uscc"], w["a2"]["id_number"], "2026-11-03", "1440.00"],             # 8 ok
        ["2026-11", make_uscc(), a1["id_number"], "2026-11-03", "1.00"],                  # 9 valid, not registered
    ]
    response = await client.post_form(url_for("si_payments"), files={"file": ("到账.xlsx", filled(template.content, rows))})
    assert response.status_code == 303, response.text[:500]
    result = await client.page(response.headers["location"])
    table = {int(tr.find_all("td")[0].get_text()): tr.find_all("td")[-1].get_text()
             for tr in result.find(attrs={"data-testid": "import-rows"}).find("tbody").find_all("tr")}
    assert 2 not in table and 8 not in table  # rows imported are counted, not listed
    assert result.find(attrs={"data-testid": "import-ok"}).get_text() == "2"
    assert "该记录已到账，不能重复导入" in table[3]
    assert "结算期未核定或格式不正确" in table[4]
    assert "未找到该人员" in table[5]
    assert "统一社会信用代码" in table[6]  # an invalid code fails the generic check, an unknown one ours
    assert "到账金额与应缴合计 1,539.38 元不一致" in table[7]
    assert "未找到该单位（统一社会信用代码未登记或不在您的管辖范围）" in table[9]
    paid = {(r["period"], r["person"]) for r in await SiContribution.select().where(SiContribution.paid_state == "paid")}
    assert (202610, b1["id"]) in paid and (202611, w["a2"]["id"]) in paid and (202611, a1["id"]) not in paid
    summary = await SiEmployerPeriod.select().where((SiEmployerPeriod.employer == b["id"]) &
                                                    (SiEmployerPeriod.period == 202610)).first()
    assert summary["paid"] == summary["total"] == b_total


async def _assessor():
    from tests.social_insurance.support import assessor

    return assessor()
