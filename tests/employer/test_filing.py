"""EMP-2 employer filing: save, materials, submit, review by the chosen 送审机构, and LC-1 opening afterwards."""

from domains.employer.matters import FILING_REVIEW_PERMISSION
from domains.employer.tables import Employer, EmployerFiling
from domains.labor_contract.matters import REVIEW_PERMISSION as CONTRACT_REVIEW_PERMISSION
from portal.workflow.tables import Matter
from tests.support.factories import make_employer, make_id_number
from tests.support.files import image_bytes
from tests.support.urls import url_for

PNG = image_bytes("PNG")


def filing_data(**kw):
    data = {
        "name": "海南新泰经贸有限公司", "nature": "10", "affiliation": "50", "legal_rep": "张三", "economic_type": "170",
        "industry": "F", "division_code": "460105", "address": "海口市秀英区长滨路1号", "contact_name": "李四",
        "contact_phone": "13566657777", "review_agency": "460105", "agent_name": "李四", "agent_phone": "13566657777",
        "agent_id_number": make_id_number(),
    }
    data.update(kw)
    return data


async def sign_in_reviewer(app, client, username: str, agency: str, permission: str = FILING_REVIEW_PERMISSION) -> dict:
    staff = await client.sign_in_staff(username, permissions=[permission], scopes={"agency": [agency]})
    return staff


async def upload_all(client, matter_id):
    for code in ("business_licence", "agent_id_card", "legal_rep_id_card"):
        response = await client.post_form(url_for("matter_upload", matter_id=matter_id), {"code": code},
                                          files={"file": (f"{code}.png", PNG, "image/png")})
        assert response.status_code in (302, 303), response.text[:500]


async def test_first_filing_reviewed_by_the_chosen_agency_opens_contract_filing(app, client, other_client):
    employer = await make_employer(filing_approved=False, name="旧名称有限公司")
    await client.sign_in_employer(employer)
    page = await client.page(url_for("employer_filing"))
    assert page.find(attrs={"data-testid": "filing-state"}).get_text(strip=True) == "未备案"
    assert page.find(attrs={"data-testid": "filing-uscc"}).get_text() == employer["uscc"]

    bad = await client.post_form(url_for("employer_filing"), filing_data(agent_id_number="12345", contact_phone="abc", name=""))
    assert bad.status_code == 200
    assert "身份证号应为18位" in bad.text and "电话号码格式不正确" in bad.text and "请填写单位名称" in bad.text
    assert 'value="12345"' in bad.text and await EmployerFiling.count() == 0

    saved = await client.post_form(url_for("employer_filing"), filing_data())
    assert saved.status_code == 303
    filing = await EmployerFiling.select().first()
    matter = await Matter.select().where(Matter.id == filing["matter_id"]).first()
    assert (matter["state"], matter["agency_code"], matter["kind"]) == ("draft", "460105", "lc_employer_filing")

    refused = await client.post_form(url_for("employer_filing_submit"))
    assert "请先上传以下材料：营业执照、经办人身份证正反面、法人身份证正反面" in refused.text
    await upload_all(client, matter["id"])
    submitted = await client.post_form(url_for("employer_filing_submit"))
    assert submitted.status_code == 303
    page = await client.page(url_for("employer_filing"))
    assert page.find(attrs={"data-testid": "filing-state"}).get_text(strip=True) == "待审核"
    assert (await client.get(url_for("lc_home"))).status_code == 403  # still closed while under review

    # A reviewer of another agency, or of contracts only, does not even see it; the chosen agency's reviewer
    # of employer filings rejects it.
    await sign_in_reviewer(app, other_client, "outsider", agency="460200")
    assert (await other_client.get(url_for("workbench_matter", matter_id=matter["id"]))).status_code == 404
    await sign_in_reviewer(app, other_client, "contracts_only", agency="460105", permission=CONTRACT_REVIEW_PERMISSION)
    assert (await other_client.get(url_for("workbench_matter", matter_id=matter["id"]))).status_code == 404
    reviewer = await sign_in_reviewer(app, other_client, "xiuying", agency="460105")
    modal = await other_client.page(url_for("workbench_matter", matter_id=matter["id"]), htmx=True)
    assert "海南新泰经贸有限公司" in modal.get_text()
    version = (await Matter.select(Matter.version).where(Matter.id == matter["id"]).first())["version"]
    rejected = await other_client.post_form(url_for("workbench_fire", matter_id=matter["id"]),
                                            {"transition": "reject", "version": str(version), "opinion": "营业执照不清晰"})
    assert rejected.status_code in (200, 303), rejected.text[:300]
    page = await client.page(url_for("employer_filing"))
    assert page.find(attrs={"data-testid": "filing-state"}).get_text(strip=True) == "审核不通过"
    assert page.find(attrs={"data-testid": "filing-opinion"}).get_text(strip=True) == "营业执照不清晰"

    # Corrected and resubmitted; approval writes the record and opens the contract pages (LC-1).
    await client.post_form(url_for("employer_filing"), filing_data(name="海南新泰经贸有限公司（更正）"))
    assert (await client.post_form(url_for("employer_filing_submit"))).status_code == 303
    await other_client.sign_in("staff", uid=reviewer["id"])
    version = (await Matter.select(Matter.version).where(Matter.id == matter["id"]).first())["version"]
    approved = await other_client.post_form(url_for("workbench_fire", matter_id=matter["id"]),
                                            {"transition": "approve", "version": str(version), "opinion": ""})
    assert approved.status_code in (200, 303)
    row = await Employer.select().where(Employer.id == employer["id"]).first()
    assert row["filing_approved"] is True and row["name"] == "海南新泰经贸有限公司（更正）"
    page = await client.page(url_for("employer_filing"))
    assert page.find(attrs={"data-testid": "filing-state"}).get_text(strip=True) == "审核通过"
    assert (await client.get(url_for("lc_home"))).status_code == 200


async def test_a_filing_under_review_cannot_be_changed(client):
    employer = await make_employer(filing_approved=False)
    await client.sign_in_employer(employer)
    await client.post_form(url_for("employer_filing"), filing_data())
    filing = await EmployerFiling.select().first()
    await upload_all(client, filing["matter_id"])
    await client.post_form(url_for("employer_filing_submit"))
    response = await client.post_form(url_for("employer_filing"), filing_data(name="改名"))
    assert "已提交审核，请等待审核结果后再修改" in response.text


async def test_a_change_after_approval_keeps_contract_pages_open_while_reviewed(client):
    employer = await make_employer(filing_approved=True)
    await client.sign_in_employer(employer)
    page = await client.page(url_for("employer_filing"))
    assert page.find(attrs={"data-testid": "filing-state"}).get_text(strip=True) == "审核通过"
    assert (await client.post_form(url_for("employer_filing"), filing_data(name="变更后名称有限公司"))).status_code == 303
    filing = await EmployerFiling.select().first()
    assert filing["is_first"] is False
    await upload_all(client, filing["matter_id"])
    assert (await client.post_form(url_for("employer_filing_submit"))).status_code == 303
    assert (await client.get(url_for("lc_home"))).status_code == 200
    row = await Employer.select(Employer.name).where(Employer.id == employer["id"]).first()
    assert row["name"] != "变更后名称有限公司"  # the record changes only when the change is approved
