"""Person pages (SI-7): own records only, the 参保证明 PDF and its public verification page."""

from __future__ import annotations

import json
import re

from tests.dataservices.test_documents import pdf_text
from tests.social_insurance.support import world
from tests.support.factories import make_person
from tests.support.urls import url_for


async def test_person_sees_own_records(client, other_client):
    w = await world()
    await client.sign_in_person(w["a1"])
    await other_client.sign_in_person(w["b1"])
    mine = await client.page("/person/insurance/")
    assert "甲方社保有限公司" in mine.get_text() and "乙方保密有限公司" not in mine.get_text()
    assert len(mine.select("[data-testid=my-enrolments] tbody tr")) == 5
    record = await client.page(url_for("si_my_contributions", {"year": "2026"}))
    cells = [td.get_text() for td in record.select("[data-testid=my-contributions] tbody tr td")]
    # 2026-10: 个人 365.43 + 91.36 + 22.84 = 479.63; 单位 730.86 + 274.07 + 9.14 + 22.84 + 22.84 = 1,059.75
    assert cells[:5] == ["2026年10月", "甲方社保有限公司", "4,567.89", "479.63", "1,059.75"] and "已到账" in cells[5]
    island = json.loads(record.select_one("#chart-si-contributions-data").get_text())
    assert island["categories"][9] == "10月" and [s["values"][9] for s in island["series"]] == [479.63, 1059.75]
    assert record.select_one("[data-testid=chart-si-contributions] [data-testid=my-contributions]")
    pension = await client.page(url_for("si_my_pension"))
    assert "5,508.65" in pension.get_text()
    theirs = await other_client.page(url_for("si_my_contributions"))
    assert "甲方" not in theirs.get_text() and "乙方保密有限公司" in theirs.get_text()
    nobody = await make_person()
    await client.sign_in_person(nobody)
    for url in ("/person/insurance/", url_for("si_my_contributions"), url_for("si_my_pension")):
        text = (await client.page(url)).get_text()
        assert "甲方" not in text and "乙方" not in text and "5,508.65" not in text


async def test_certificate_pdf_and_verification(client, other_client):
    w = await world()
    await client.sign_in_person(w["a1"])
    await client.page(url_for("si_my_certificate"))
    response = await client.post_form(url_for("si_my_certificate"))
    assert response.status_code in (302, 303)
    document = response.headers["location"]
    pdf = await client.get(document)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = pdf_text(pdf.content)
    assert "社会保险参保证明" in text and "自2026年01月起累计参保" in text and w["a1"]["id_number"] in text
    code = re.search(r"验证码\s*([A-Z2-7]{24})", text).group(1)
    verify = await other_client.get(url_for("verify_certificate", code=code))
    assert verify.status_code == 200 and "社会保险参保证明" in verify.text
    assert w["a1"]["id_number"] not in verify.text  # masked on the public page
    # Another person cannot open the PDF.
    await other_client.sign_in_person(w["b1"])
    assert (await other_client.get(document)).status_code == 404


async def test_person_pages_refuse_other_kinds(client):
    w = await world()
    await client.sign_in_employer(w["a"])
    for url in ("/person/insurance/", url_for("si_my_contributions"), url_for("si_my_certificate")):
        assert (await client.get(url)).status_code == 403
