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
