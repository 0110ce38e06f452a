"""年度报告 and 现场招聘会: the agency submits; staff of its division 通过 or 退回重填 (also after 通过); the returned
report is corrected and submitted again; 导出公示信息 holds the passed reports of the region and nothing personal."""

from __future__ import annotations

from io import BytesIO

from bs4 import BeautifulSoup
from openpyxl import load_workbook

from domains.hr_agency.effects import today
from domains.hr_agency.matters import ACCEPT, MANAGE
from domains.hr_agency.tables import AnnualReport, JobFair
from tests.hr_agency.factories import make_agency
from tests.hr_agency.support import staff
from tests.support.urls import url_for

LAST = today().year - 1
REPORT = {"year": str(LAST), "service_count": "1200", "revenue_fen": "3865000.50", "employment_helped": "300",
          "fairs_held": "2"}


async def test_report_pass_return_after_pass_resubmit_and_publicity(app, client, other_client):
    a = await make_agency(name="年报人力资源有限公司", division="460105")
    await client.sign_in_employer(a["employer"], acting_name="陈法人")
    bad = await client.post_form(url_for("hra_reports"), {**REPORT, "year": str(LAST + 1), "service_count": "x"})
    assert bad.status_code == 200 and f"报告年度不能大于{LAST}" in bad.text and "服务人次应为整数" in bad.text
    assert (await client.post_form(url_for("hra_reports"), REPORT)).status_code == 303
    again = await client.post_form(url_for("hra_reports"), REPORT)
    assert "不能重复填报" in again.text and await AnnualReport.count() == 1
    # the service's Refused(message, "year") goes beside the 报告年度 field, what was typed kept
    beside = BeautifulSoup(again.text, "html.parser").find(id="f-year-error")
    assert beside is not None and "不能重复填报" in beside.get_text()
    assert f'value="{REPORT["revenue_fen"]}"' in again.text
    report = await AnnualReport.select().first()
    assert report["revenue_fen"] == 386500050

    manager, _ = await staff(app, "hra_rep", [MANAGE], division="460100")
    outsider, _ = await staff(app, "hra_rep_far", [MANAGE], division="460200")
    await other_client.sign_in("staff", uid=outsider["id"])
    assert (await other_client.get(url_for("hra_staff_report", report_id=report["id"]))).status_code == 404
    assert (await other_client.post_form(url_for("hra_staff_report_review", report_id=report["id"]),
                                         {"action": "pass"})).status_code == 404
    assert "年报人力资源" not in (await other_client.page(url_for("hra_staff_reports"))).get_text()

    await other_client.sign_in("staff", uid=manager["id"])
    assert "年报人力资源" in (await other_client.page(url_for("hra_staff_reports"))).get_text()
    url = url_for("hra_staff_report_review", report_id=report["id"])
    assert (await other_client.post_form(url, {"action": "pass"})).status_code == 303
    sheet = load_workbook(BytesIO((await other_client.get(url_for("hra_reports_publicity"))).content)).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[1][:4] == ["年报人力资源有限公司", a["employer"]["uscc"], LAST, 1200] and rows[1][4] == 3865000.5
    assert "赵法人" not in str(rows) and "13912345678" not in str(rows)
    # 退回重填 even after 通过, with a reason.
    missing = await other_client.post_form(url, {"action": "return", "opinion": ""})
    assert "请填写退回原因" in missing.text
    assert (await other_client.post_form(url, {"action": "return", "opinion": "收入数据有误"})).status_code == 303
    assert (await AnnualReport.select().first())["status"] == "returned"
    sheet = load_workbook(BytesIO((await other_client.get(url_for("hra_reports_publicity"))).content)).active
    assert sheet.max_row == 1  # only passed reports are published

    soup = await client.page(url_for("hra_reports", {"year": LAST}))
    assert "收入数据有误" in soup.get_text() and soup.find("input", id="f-revenue_fen")["value"] == "3865000.50"
    assert (await client.post_form(url_for("hra_reports"), {**REPORT, "revenue_fen": "3800000"})).status_code == 303
    row = await AnnualReport.select().first()
    assert row["status"] == "submitted" and row["revenue_fen"] == 380000000 and await AnnualReport.count() == 1


async def test_job_fair_reported_and_seen_by_its_division(app, client, other_client):
    a = await make_agency(name="招聘会机构", division="460105")
    await client.sign_in_employer(a["employer"], acting_name="陈法人")
    bad = await client.post_form(url_for("hra_fairs"), {"name": "春季招聘会", "held_on": "2026-02-30"})
    assert "举办时间填写的日期不存在" in bad.text and "请填写举办地点" in bad.text and await JobFair.count() == 0
    ok = await client.post_form(url_for("hra_fairs"), {"name": "春季招聘会", "held_on": "2026-03-15", "place": "秀英区",
                                                          "scale": "展位60个", "employer_count": "58", "post_count": "1320"})
    assert ok.status_code == 303 and "春季招聘会" in (await client.page(url_for("hra_fairs"))).get_text()
    near, _ = await staff(app, "hra_fair", [ACCEPT], division="460100")
    far, _ = await staff(app, "hra_fair_far", [MANAGE], division="460200")
    await other_client.sign_in("staff", uid=near["id"])
    assert "春季招聘会" in (await other_client.page(url_for("hra_staff_fairs"))).get_text()
    await other_client.sign_in("staff", uid=far["id"])
    assert "春季招聘会" not in (await other_client.page(url_for("hra_staff_fairs"))).get_text()
    other = await make_agency(licence=False)
    await other_client.sign_in_employer(other["employer"], acting_name="陈法人")
    assert "春季招聘会" not in (await other_client.page(url_for("hra_fairs"))).get_text()
