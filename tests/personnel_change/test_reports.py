"""PC-7 申报表: generate from confirmed changes of a 结算期 (numbered, saved), print the same certificate PDF twice;
another employer gets 404."""

from __future__ import annotations

from domains.personnel_change import forms, service
from domains.personnel_change.tables import PcReport
from portal.dataservices.tables import Certificate
from tests.labor_contract.test_rosters import pdf_text
from tests.personnel_change.support import (
    cleaned,
    employer_principal,
    enrol_data,
    make_id_number,
    two_employers,
)


async def test_enrol_report_lists_confirmed_changes_and_prints_once(client, other_client):
    w = await two_employers()
    a = employer_principal(w["a"])
    confirmed = await service.save(a, "enrol", await cleaned(forms.enrol_form, enrol_data(make_id_number("460106"),
                                                                                         name="已确认人")))
    await service.confirm(a, "enrol", [(confirmed["id"], confirmed["version"])])
    await service.save(a, "enrol", await cleaned(forms.enrol_form, enrol_data(make_id_number("460106"), name="未确认人")))
    await client.sign_in_employer(w["a"])
    empty = await client.post_form("/personnel-change/reports", {"direction": "withdraw", "period": "2026-12"})
    assert "2026-12 没有已确认的减员申报" in empty.text
    bad = await client.post_form("/personnel-change/reports", {"direction": "enrol", "period": "2026-13"})
    assert "结算期不存在" in bad.text
    response = await client.post_form("/personnel-change/reports", {"direction": "enrol", "period": "2026-12"})
    assert response.status_code == 303, response.text[:500]
    detail = await client.page(response.headers["location"])
    rows = detail.select_one("[data-testid=pc-report-rows]").get_text()
    assert "已确认人" in rows and "未确认人" not in rows and "待审核" in rows
    report = await PcReport.select().first()
    first = await client.get(f"/personnel-change/reports/{report['id']}/pdf")
    assert first.status_code == 200 and first.headers["content-type"].startswith("application/pdf")
    text = pdf_text(first.content)
    assert "人员增员异动申报表" in text and "已确认人" in text and "甲方增员有限公司" in text and "合计" in text
    code = (await Certificate.select(Certificate.code).first())["code"]
    assert code in text
    again = await client.get(f"/personnel-change/reports/{report['id']}/pdf?download=1")
    assert again.content == first.content and "attachment" in again.headers["content-disposition"]
    await other_client.sign_in_employer(w["b"])
    for url in (f"/personnel-change/reports/{report['id']}", f"/personnel-change/reports/{report['id']}/pdf"):
        assert (await other_client.get(url)).status_code == 404, url
    listing = await other_client.page("/personnel-change/reports")
    assert report["number"] not in listing.get_text()
