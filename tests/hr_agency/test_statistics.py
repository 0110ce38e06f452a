"""HRA-11 统计分析: new and deregistered per region and year within the jurisdiction; the xlsx has the same numbers."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from openpyxl import load_workbook

from domains.hr_agency.matters import ACCEPT, MANAGE
from domains.hr_agency.tables import Licence, ServiceFiling
from tests.hr_agency.factories import make_agency
from tests.hr_agency.support import staff
from tests.support.urls import url_for


async def test_statistics_table_and_export(app, client):
    a = await make_agency(division="460105")  # licence issued 2026-03-01
    b = await make_agency(division="460106", filing=True, licence=False)  # filing 2026-04-01
    await Licence.update({Licence.issued_on: date(2024, 5, 1), Licence.status: "revoked",
                          Licence.revoked_on: date(2025, 2, 1)}).where(Licence.id == a["licence_id"])
    await ServiceFiling.update({ServiceFiling.filed_on: date(2025, 6, 1)}).where(ServiceFiling.id == b["filing_id"])
    await make_agency(division="460202")  # Sanya
    province, _ = await staff(app, "hra_prov", [MANAGE], division="460000")
    haikou, _ = await staff(app, "hra_hk", [MANAGE], division="460100")

    await client.sign_in("staff", uid=province["id"])
    soup = await client.page(url_for("hra_statistics"))
    rows = {tr.th.get_text(): [td.get_text() for td in tr.find_all("td")]
            for tr in soup.select("[data-testid=hra-stats] tbody tr")}
    # years 2024, 2025, 2026 → (新增, 注销) pairs, then totals
    assert rows["海口市"] == ["1", "0", "1", "1", "0", "0", "2", "1"]
    assert rows["三亚市"] == ["0", "0", "0", "0", "1", "0", "1", "0"]
    response = await client.get(url_for("hra_statistics", {"export": "xlsx"}))
    sheet = load_workbook(BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["地区", "2024年新增", "2024年注销"]
    assert ["海口市", 1, 0, 1, 1, 0, 0, 2, 1] in values and values[-1][0] == "合计" and values[-1][-2:] == [3, 1]

    await client.sign_in("staff", uid=haikou["id"])
    soup = await client.page(url_for("hra_statistics"))
    labels = [tr.th.get_text() for tr in soup.select("[data-testid=hra-stats] tbody tr")]
    assert labels == ["秀英区", "龙华区"]  # districts of Haikou only; Sanya is outside
    acceptor, _ = await staff(app, "hra_acc_stats", [ACCEPT], division="460000")
    await client.sign_in("staff", uid=acceptor["id"])
    assert (await client.get(url_for("hra_statistics"))).status_code == 403


async def test_chart_draws_the_table_and_each_count_drills_down_within_the_jurisdiction(app, client):
    import json

    a = await make_agency(name="甲秀英机构", division="460105")  # licence 2026-03-01
    b = await make_agency(name="乙龙华机构", division="460106", filing=True, licence=False)  # filing 2026-04-01
    c = await make_agency(name="丙秀英机构", division="460105")
    await Licence.update({Licence.issued_on: date(2024, 5, 1), Licence.status: "revoked",
                          Licence.revoked_on: date(2025, 2, 1)}).where(Licence.id == c["licence_id"])
    await make_agency(name="丁三亚机构", division="460202")
    haikou, _ = await staff(app, "hra_hk_drill", [MANAGE], division="460100")
    province, _ = await staff(app, "hra_prov_drill", [MANAGE], division="460000")
    await client.sign_in("staff", uid=haikou["id"])

    soup = await client.page(url_for("hra_statistics"))
    island = json.loads(soup.find("script", id="chart-hra-stats-data").get_text())
    assert island["categories"] == ["秀英区", "龙华区"] and island["title"] == "历年各地区新增和注销合计"
    assert [s["values"] for s in island["series"]] == [[2, 1], [1, 0]]  # 新增, 注销: the table's 合计 columns
    assert soup.select_one("[data-testid=chart-hra-stats] [data-testid=hra-stats]")  # the table inside the figure
    assert soup.find("script", src="/static/js/chart.js") and not any(
        s.get_text().strip() for s in soup.find_all("script") if s.get("type") != "application/json")
    year = json.loads((await client.page(url_for("hra_statistics", {"year": "2025"})))
                      .find("script", id="chart-hra-stats-data").get_text())
    assert year["title"] == "2025年各地区新增和注销" and [s["values"] for s in year["series"]] == [[0, 0], [1, 0]]
    # An unknown year falls back to all years.
    assert json.loads((await client.page(url_for("hra_statistics", {"year": "1999"}))).find(
        "script", id="chart-hra-stats-data").get_text())["title"] == "历年各地区新增和注销合计"

    # Drill down: the cell's link lists exactly the agencies behind its number.
    xiuying_2026 = url_for("hra_statistics_agencies", region="460105", year=2026, what="new")
    link = soup.find("a", href=xiuying_2026)
    assert link is not None and link.get_text() == "1"
    text = (await client.page(xiuying_2026)).get_text()
    assert "甲秀英机构" in text and "丙秀英机构" not in text and "乙龙华机构" not in text and "秀英区2026年新增" in text
    ended = (await client.page(url_for("hra_statistics_agencies", region="460105", year=2025, what="ended"))).get_text()
    assert "丙秀英机构" in ended and "甲秀英机构" not in ended and "已注销" in ended
    all_years = await client.page(url_for("hra_statistics_agencies", region="460105", year=0, what="new"))
    assert "甲秀英机构" in all_years.get_text() and "丙秀英机构" in all_years.get_text()
    filing_link = (await client.page(url_for("hra_statistics_agencies", region="460106", year=2026, what="new"))).find(
        "a", string="乙龙华机构")
    assert filing_link["href"] == url_for("hra_filing_detail", filing_id=b["filing_id"])
    assert all_years.find("a", string="甲秀英机构")["href"] == url_for("hra_licence_detail", licence_id=a["licence_id"])
    export = await client.get(url_for("hra_statistics_agencies", {"export": "xlsx"}, region="460105", year=0,
                                      what="new"))
    names = [r[0].value for r in load_workbook(BytesIO(export.content)).active.iter_rows()]
    assert "甲秀英机构" in names and "丙秀英机构" in names and "丁三亚机构" not in names

    # Outside the jurisdiction, or a malformed path: 404, never an empty list of someone else's region.
    for region, y, what in (("4602", 2026, "new"), ("460202", 0, "new"), ("46", 0, "new"), ("4601", 2026, "other"),
                            ("46x1", 2026, "new"), ("4601", 3000, "new")):
        assert (await client.get(url_for("hra_statistics_agencies", region=region, year=y, what=what))).status_code \
            == 404, (region, y, what)
    # The province sees Sanya's city row and its drill-down.
    await client.sign_in("staff", uid=province["id"])
    soup = await client.page(url_for("hra_statistics"))
    sanya = soup.find("a", href=url_for("hra_statistics_agencies", region="4602", year=2026, what="new"))
    assert sanya is not None and "丁三亚机构" in (await client.page(sanya["href"])).get_text()


async def test_drill_down_refuses_who_may_not_see_statistics(app, client):
    a = await make_agency(division="460105")
    url = url_for("hra_statistics_agencies", region="460105", year=2026, what="new")
    acceptor, _ = await staff(app, "hra_acc_drill", [ACCEPT], division="460000")
    await client.sign_in("staff", uid=acceptor["id"])
    assert (await client.get(url)).status_code == 403
    await client.sign_in_employer(a["employer"], acting_name="陈法人")
    assert (await client.get(url)).status_code in (401, 403)
