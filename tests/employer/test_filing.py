"""EMP-2 employer filing: save, materials, submit, review by the chosen 送审机构, and LC-1 opening afterwards."""

import json

from domains.employer.matters import FILING_REVIEW_PERMISSION
from domains.employer.tables import Employer, EmployerFiling
from domains.labor_contract.matters import REVIEW_PERMISSION as CONTRACT_REVIEW_PERMISSION
from portal.workflow.tables import Material, Matter
from tests.support.factories import make_employer, make_id_number
from tests.support.files import image_bytes
from tests.support.urls import url_for

PNG = image_bytes("PNG")


def filing_data(**kw):
    data = {
        "name": "海南新泰经贸有限公司", "nature": "10", "affiliation": "50", "legal_rep": "张三", "economic_type": "170",
        "industry": "F", "division_code": "460105", "address": "海口市秀英区长滨路1号", "contact_name": "李四",
        "contact_phone": "13566657777", "landline": "0898-66668888", "postcode": "570100", "review_agency": "460105", "agent_name": "李四", "agent_phone": "13566657777",
        "agent_id_number": make_id_number(),
    }
    data.update(kw)
    return data


async def sign_in_reviewer(app, client, username: str, agency: str, permission: str = FILING_REVIEW_PERMISSION) -> dict:
    staff = await client.sign_in_staff(username, permissions=[permission], scopes={"agency": [agency]})
    return staff


MATERIAL_CODES = ("business_licence", "agent_id_card", "agent_id_card_back", "legal_rep_id_card", "legal_rep_id_card_back")


async def upload_all(client, matter_id):
    for code in MATERIAL_CODES:
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
    assert "请先上传以下材料：营业执照、经办人身份证正面、经办人身份证反面、法人身份证正面、法人身份证反面" in refused.text
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


async def approve(app, client, matter_id: int, username: str = "approver") -> None:
    await sign_in_reviewer(app, client, username, agency="460105")
    version = (await Matter.select(Matter.version).where(Matter.id == matter_id).first())["version"]
    response = await client.post_form(f"/workbench/matters/{matter_id}/fire",
                                      {"transition": "approve", "version": str(version), "opinion": ""})
    assert response.status_code in (200, 303), response.text[:300]


async def test_the_record_carries_the_guide_fields_and_checks_them(client):
    employer = await make_employer(filing_approved=False)
    await client.sign_in_employer(employer)
    bad = await client.post_form("/employer/filing", filing_data(landline="12345", postcode="5701", industry="Z9",
                                                                  division_code="460100"))
    assert "固定电话格式不正确" in bad.text and "邮政编码应为6位数字" in bad.text
    assert "请从列表中选择所属行业" in bad.text and "请继续选择行政区划的县（市、区）" in bad.text
    assert 'value="12345"' in bad.text and await EmployerFiling.count() == 0
    # the cascade: one select per level, top down, as a change would send it
    saved = await client.post_form("/employer/filing", filing_data(
        industry=["I", "I65", "I651", "I6513"], division_code=["460000", "460100", "460105", ""]))
    assert saved.status_code == 303
    payload = (await EmployerFiling.select().first())["payload"]
    payload = json.loads(payload) if isinstance(payload, str) else payload
    assert (payload["industry"], payload["division_code"]) == ("I6513", "460105")
    assert (payload["landline"], payload["postcode"]) == ("0898-66668888", "570100")


async def test_a_stale_lower_level_is_dropped_when_an_upper_level_changes(client):
    employer = await make_employer(filing_approved=False)
    await client.sign_in_employer(employer)
    # 三亚 chosen above, but the county select still shows 秀英区 (海口): the choice stops at 三亚, which has more below
    bad = await client.post_form("/employer/filing", filing_data(division_code=["460000", "460200", "460105"]))
    assert "请继续选择行政区划的县（市、区）" in bad.text
    # without JS, 选择下一级 shows the next level and keeps what was typed; nothing is saved
    step = await client.post_form("/employer/filing", filing_data(
        name="半路保存测试", division_code=["460000", "460200"], _cascade="division_code"))
    assert step.status_code == 200 and "提交的信息有" not in step.text
    assert 'value="半路保存测试"' in step.text
    assert '<option value="460202">海棠区</option>' in step.text
    assert await EmployerFiling.count() == 0


async def test_a_change_reuses_the_last_approved_materials_with_each_replaceable(app, client, other_client):
    employer = await make_employer(filing_approved=False)
    await client.sign_in_employer(employer)
    refused = await client.post_form("/employer/filing/reuse")
    assert "请先填写并保存单位基本信息" in refused.text
    await client.post_form("/employer/filing", filing_data())
    first = await EmployerFiling.select().first()
    page = await client.page("/employer/filing")
    assert page.find(attrs={"data-testid": "filing-reuse"}) is None  # nothing approved yet
    assert "没有审核通过的备案材料可以沿用" in (await client.post_form("/employer/filing/reuse")).text
    await upload_all(client, first["matter_id"])
    assert (await client.post_form("/employer/filing/submit")).status_code == 303
    await approve(app, other_client, first["matter_id"])

    # A later change: the materials of the approved filing are offered, then carried over.
    assert (await client.post_form("/employer/filing", filing_data(legal_rep="王新"))).status_code == 303
    change = await EmployerFiling.select().order_by(EmployerFiling.id, ascending=False).first()
    page = await client.page("/employer/filing")
    assert page.find(attrs={"data-testid": "filing-reuse"}) is not None
    assert (await client.post_form("/employer/filing/reuse")).status_code == 303
    page = await client.page("/employer/filing?done=reused")
    for code in MATERIAL_CODES:
        assert "沿用" in page.find(attrs={"data-testid": f"material-{code}"}).get_text()
    reused = await Material.select().where(Material.matter == change["matter_id"])
    assert len(reused) == 5 and all(r["reused_from"] for r in reused)

    # The new legal representative's ID card replaces the reused one; the rest stays reused.
    response = await client.post_form(f"/matters/{change['matter_id']}/materials", {"code": "legal_rep_id_card"},
                                      files={"file": ("new.png", PNG, "image/png")})
    assert response.status_code in (302, 303)
    page = await client.page("/employer/filing")
    assert page.find(attrs={"data-testid": "material-legal_rep_id_card"}).get_text().strip().endswith("是")
    assert "沿用" in page.find(attrs={"data-testid": "material-business_licence"}).get_text()
    assert (await client.post_form("/employer/filing/submit")).status_code == 303

    # The reviewer sees which materials were reused.
    await sign_in_reviewer(app, other_client, "change_reviewer", agency="460105")
    panel = await other_client.page(f"/workbench/matters/{change['matter_id']}", htmx=True)
    items = panel.find(attrs={"data-testid": "materials"}).find_all("li")
    marked = {li.get_text().split("：")[0] for li in items if li.find(attrs={"data-testid": "material-reused"})}
    assert marked == {"营业执照", "经办人身份证正面", "经办人身份证反面", "法人身份证反面"}
