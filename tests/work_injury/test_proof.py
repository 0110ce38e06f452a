"""WI-3 工伤保险单位证明: 生成报表 on the page, the PDF with its verification code, for each kind of asker."""

from __future__ import annotations

import re
from datetime import date

from domains.social_insurance import service as insurance
from domains.work_injury import matters
from portal.db import write_transaction
from tests.dataservices.test_documents import pdf_text
from tests.social_insurance.support import assessor
from tests.work_injury.support import save, world


async def _paid_months(w) -> None:
    await insurance.assess(assessor(), 202610)
    await insurance.assess(assessor(), 202611)
    async with write_transaction():
        await insurance.mark_paid(202610, w["a"]["id"], date(2026, 10, 25))


async def test_employer_preview_pdf_and_verify(client, other_client):
    w = await world()
    await _paid_months(w)
    accident_id = await save(client, w["a"], w["a1"]["id_number"])
    await client.post_form("/work-injury/reports/confirm", {"pick": [str(accident_id)]})
    form = await client.page("/work-injury/proof")
    assert not form.select("[name=employer_id]")  # 工伤单位 is the employer itself
    response = await client.post_form("/work-injury/proof", {"id_number": w["a1"]["id_number"], "name": "甲一"})
    assert response.status_code == 200
    from tests.support.client import check_page

    soup = check_page(response.text)
    proof = soup.select_one("[data-testid=wi-proof]").get_text()
    assert "甲方工伤测试有限公司" in proof and "2025年01月" in proof and "1个月" in proof and "机械伤害" in proof
    assert w["a1"]["id_number"] not in proof
    pdf = await client.post_form("/work-injury/proof/pdf", {"id_number": w["a1"]["id_number"], "name": "甲一"})
    assert pdf.status_code in (302, 303)
    document = await client.get(pdf.headers["location"])
    assert document.content.startswith(b"%PDF")
    text = pdf_text(document.content)
    assert "工伤保险单位证明" in text and "甲方工伤测试有限公司" in text and "已缴费月数" in text
    code = re.search(r"验证码\s*([A-Z2-7]{24})", text).group(1)
    verify = await other_client.get(f"/verify/{code}")
    assert verify.status_code == 200 and "工伤保险单位证明" in verify.text
    assert w["a1"]["id_number"] not in verify.text


async def test_who_may_see_whom(client, app):
    w = await world()
    await client.sign_in_employer(w["a"])
    cases = [  # (posted, field, message) for the employer A
        ({"id_number": w["b1"]["id_number"], "name": "乙一"}, "id_number", "该人员未在甲方工伤测试有限公司参加工伤保险"),
        ({"id_number": w["a1"]["id_number"], "name": "别人"}, "id_number", "身份证号与姓名不一致"),
        ({"id_number": w["none"]["id_number"], "name": "甲无"}, "id_number", "未在甲方工伤测试有限公司参加工伤保险"),
        ({"id_number": "123", "name": "甲一"}, "id_number", "身份证号"),
    ]
    for posted, _field, message in cases:
        for url in ("/work-injury/proof", "/work-injury/proof/pdf"):
            response = await client.post_form(url, posted)
            assert response.status_code == 200 and message in response.text, (url, posted)
            assert "乙方工伤保密有限公司" not in response.text
    # a person: only themself, any 工伤 employer of theirs
    await client.sign_in("person", person_id=w["a1"]["id"])
    form = await client.page("/person/work-injury/proof")
    assert form.select_one("[name=id_number]")["value"] == w["a1"]["id_number"]
    assert [o.get_text() for o in form.select("[name=employer_id] option")][1:] == ["甲方工伤测试有限公司"]
    mine = await client.post_form("/person/work-injury/proof", {"id_number": w["a1"]["id_number"], "name": "甲一",
                                                                "employer_id": str(w["a"]["id"])})
    assert "参保期" in mine.text
    theirs = await client.post_form("/person/work-injury/proof", {"id_number": w["b1"]["id_number"], "name": "乙一",
                                                                  "employer_id": str(w["a"]["id"])})
    assert "请从列表中选择工伤单位" in theirs.text or "只能打印本人" in theirs.text
    other = await client.post_form("/person/work-injury/proof", {"id_number": w["b1"]["id_number"], "name": "乙一",
                                                                 "employer_id": str(w["b"]["id"])})
    assert "乙方工伤保密有限公司" not in other.text.split("</form>")[-1]
    # staff with wi.query: employers in their division only
    await client.sign_in_staff("gongshang_q", permissions=[matters.QUERY], scopes={"division": ["460100"]})
    ok = await client.post_form("/wi-admin/proof", {"id_number": w["a1"]["id_number"], "name": "甲一",
                                                   "employer_id": str(w["a"]["id"])})
    assert "参保期" in ok.text
    out = await client.post_form("/wi-admin/proof", {"id_number": w["b1"]["id_number"], "name": "乙一",
                                                    "employer_id": str(w["b"]["id"])})
    assert "参保期" not in out.text and "请从列表中选择工伤单位" in out.text
    pdf = await client.post_form("/wi-admin/proof/pdf", {"id_number": w["a1"]["id_number"], "name": "甲一",
                                                        "employer_id": str(w["a"]["id"])})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # staff without wi.query
    await client.sign_in_staff("gongshang_r", permissions=[matters.REVIEW])
    assert (await client.get("/wi-admin/proof")).status_code == 403
