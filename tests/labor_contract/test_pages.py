"""HTTP flows of the contract pages: the LC-1 gate, 新订 with bad input kept, 综合查询 and export, 续订, 解除, 作废."""

import io
from datetime import date

from bs4 import BeautifulSoup
from openpyxl import load_workbook

from domains.labor_contract.tables import Contract
from tests.labor_contract.support import completed_contract, form_data, review, sign_in_employer
from tests.support.factories import make_employer, make_id_number

LC_PAGES = [
    "/labor-contract", "/labor-contract/contracts", "/labor-contract/new", "/labor-contract/renew",
    "/labor-contract/terminate", "/labor-contract/void", "/labor-contract/rosters", "/labor-contract/rosters/print",
    "/labor-contract/batch/new-renew", "/labor-contract/batch/terminate",
]


async def test_no_contract_page_before_the_first_filing_is_approved(client):
    employer = await make_employer(filing_approved=False)
    await sign_in_employer(client, employer)
    for url in LC_PAGES:
        soup = await client.page(url, status=403)
        assert "请先完成单位初次备案" in soup.get_text(), url
        assert soup.find("a", href="/employer/filing"), url
    response = await client.post_form("/labor-contract/new", form_data())
    assert response.status_code == 403
    assert await Contract.count() == 0


async def test_every_contract_page_renders_for_an_approved_employer(client):
    employer = await make_employer()
    await sign_in_employer(client, employer)
    for url in LC_PAGES:
        soup = await client.page(url)
        assert soup.find("nav", attrs={"aria-label": "用工备案管理"}), url


async def test_new_filing_saved_then_listed_as_unreviewed(client):
    employer = await make_employer()
    await sign_in_employer(client, employer)
    soup = await client.page("/labor-contract/new")
    token = soup.find("input", attrs={"name": "form_token"})["value"]
    data = form_data(worker_name="测试一", form_token=token)
    response = await client.post_form("/labor-contract/new", data)
    assert response.status_code == 303, response.text[:500]
    detail = await client.page(response.headers["location"])
    assert "保存成功" in detail.get_text()
    assert detail.find(attrs={"data-testid": "lc-review-state"}).get_text(strip=True) == "未审核"
    # The same form posted twice acts once (double click, back button).
    again = await client.post_form("/labor-contract/new", data)
    assert again.status_code == 200
    assert "请勿重复提交" in again.text and "此人存在未审核的备案信息" not in again.text  # not the rule (issue #12)
    assert await Contract.count() == 1
    listing = await client.page("/labor-contract/contracts?state=new&review_state=pending&in_roster=0")
    assert "测试一" in listing.find(attrs={"data-testid": "grid-table"}).get_text()
    assert data["id_number"] not in listing.get_text()  # masked in lists


async def test_bad_input_is_explained_beside_each_field_and_kept(client):
    employer = await make_employer()
    await sign_in_employer(client, employer)
    bad = form_data(worker_name="", id_number="46010519900517001X", contract_type="1", end_date="",
                    monthly_wage="八千", pay_day="32", contract_template="model", contract_number="")
    response = await client.post_form("/labor-contract/new", bad)
    assert response.status_code == 200
    text = response.text
    assert "请填写姓名" in text
    assert "身份证号校验位不正确" in text
    assert "月工资（元）应为不小于0的数字" in text
    assert 'value="46010519900517001X"' in text and 'value="八千"' in text
    assert await Contract.count() == 0
    # Cross-field rules once the fields themselves are fine.
    response = await client.post_form("/labor-contract/new", form_data(end_date="", pay_day="32",
                                                                       contract_template="model"))
    assert "固定期限劳动合同必须填写合同结束日期" in response.text
    assert "发工资日期填写每月的几号" in response.text
    assert "使用合同模板没有劳动合同号" in response.text
    assert 'class="app-error-summary"' in response.text


async def test_unreviewed_filing_elsewhere_is_refused_beside_the_id_number(client):
    other = await make_employer(name="海南慧新业桥经贸有限公司")
    employer = await make_employer()
    id_number = make_id_number(born=date(1988, 3, 1))
    from domains.labor_contract import service
    from tests.labor_contract.support import cleaned, employer_principal

    await service.file_new(employer_principal(other), cleaned(id_number=id_number))
    await sign_in_employer(client, employer)
    response = await client.post_form("/labor-contract/new", form_data(id_number=id_number, post="仓库保管员"))
    assert response.status_code == 200
    soup = BeautifulSoup(response.text, "html.parser")
    # the service's Refused(message, "id_number") goes beside that field, and into the summary with a link to it
    beside = soup.find(id="f-id_number-error").get_text()
    assert "此人在其他单位存在未审核的备案，待其审核完成后再办理" in beside
    summary = soup.find(class_="app-error-summary")
    assert summary.find("a", href="#f-id_number") and "此人在其他单位存在未审核的备案" in summary.get_text()
    # The other employer is not named: anyone typing an ID number would learn where the person is hired.
    assert "海南慧新业桥经贸有限公司" not in response.text
    # everything typed is kept
    assert soup.find("input", attrs={"name": "id_number"})["value"] == id_number
    assert soup.find("input", attrs={"name": "post"})["value"] == "仓库保管员"


async def test_a_refusal_of_the_whole_filing_heads_the_error_summary(client):
    employer = await make_employer()
    done = await completed_contract(employer, worker_name="续订丁")
    await Contract.update({Contract.in_roster: False}).where(Contract.id == done["id"])
    await sign_in_employer(client, employer)
    response = await client.post_form(f"/labor-contract/contracts/{done['id']}/renew",
                                      form_data(start_date="2028-01-01", end_date="2030-12-31", post="质检员"))
    assert response.status_code == 200
    soup = BeautifulSoup(response.text, "html.parser")
    first = soup.find(class_="app-error-summary").find("li")
    assert first.get_text(strip=True) == "请先通过实时名册打印生成名册后再办理续订" and first.find("a") is None
    assert soup.find("input", attrs={"name": "post"})["value"] == "质检员"
    assert await Contract.count().where(Contract.previous == done["id"]) == 0


async def test_query_filters_and_export(client):
    employer = await make_employer()
    done = await completed_contract(employer, worker_name="在职甲")
    from domains.labor_contract import service
    from tests.labor_contract.support import cleaned, employer_principal

    await service.file_new(employer_principal(employer), cleaned(worker_name="未审乙"))
    await sign_in_employer(client, employer)
    employed = await client.page("/labor-contract/contracts?employed=1")
    table = employed.find(attrs={"data-testid": "grid-table"}).get_text()
    assert "在职甲" in table and "未审乙" not in table
    by_id = await client.page(f"/labor-contract/contracts?id_number={done['id_number']}")
    assert "在职甲" in by_id.get_text()
    fragment = await client.page("/labor-contract/contracts?review_state=pending", htmx=True)
    assert "未审乙" in fragment.get_text() and "在职甲" not in fragment.get_text()
    assert fragment.find("nav", attrs={"aria-label": "用工备案管理"}) is None  # only the results block
    response = await client.get("/labor-contract/contracts?export=xlsx&employed=1")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert any("在职甲" in (v or "") for row in values for v in row if isinstance(v, str))
    assert not any("未审乙" == v for row in values for v in row)


async def test_renew_and_terminate_pages(client):
    employer = await make_employer()
    done = await completed_contract(employer, worker_name="续订丙")
    await sign_in_employer(client, employer)
    listing = await client.page("/labor-contract/renew")
    assert listing.find("a", href=f"/labor-contract/contracts/{done['id']}/renew")
    response = await client.post_form(f"/labor-contract/contracts/{done['id']}/renew",
                                      form_data(start_date="2028-01-01", end_date="2030-12-31"))
    assert response.status_code == 303, response.text[:800]
    renewed = await Contract.select().where(Contract.previous == done["id"]).first()
    assert (renewed["state"], renewed["review_state"]) == ("renew", "pending")
    # While the renewal waits for review nothing else may be filed for the person.
    refused = await client.post_form(f"/labor-contract/contracts/{done['id']}/terminate",
                                     {"termination_date": "2026-01-01", "termination_reason": "02"})
    assert "此人存在未审核的备案信息" in refused.text
    await review(renewed["id"], "reject", opinion="合同期限有误")
    bad = await client.post_form(f"/labor-contract/contracts/{done['id']}/terminate",
                                 {"termination_date": "2026-01-01", "termination_reason": "02", "compensation": "三千"})
    assert "不可填写汉字" in bad.text and 'value="三千"' in bad.text


async def test_modify_only_a_rejected_filing_and_void_several(client):
    employer = await make_employer()
    from domains.labor_contract import service
    from tests.labor_contract.support import cleaned, employer_principal

    first = await service.file_new(employer_principal(employer), cleaned(worker_name="作废丁"))
    second = await service.file_new(employer_principal(employer), cleaned(worker_name="修改戊"))
    await sign_in_employer(client, employer)
    soup = await client.page(f"/labor-contract/contracts/{second['id']}/edit")
    assert "只有审核状态为审核不通过的备案才可以修改" in soup.get_text()
    await review(second["id"], "reject", opinion="岗位填写不规范")
    row = await Contract.select().where(Contract.id == second["id"]).first()
    edit = await client.page(f"/labor-contract/contracts/{second['id']}/edit")
    assert edit.find("input", attrs={"name": "id_number"})["value"] == row["id_number"]
    from portal.core.tables import AuditLog

    assert await AuditLog.count().where(AuditLog.action == "lc.full_id_view") == 1
    response = await client.post_form(f"/labor-contract/contracts/{second['id']}/edit",
                                      form_data(worker_name="修改戊", id_number=row["id_number"], post="会计"))
    assert response.status_code == 303
    row = await Contract.select().where(Contract.id == second["id"]).first()
    assert (row["review_state"], row["post"]) == ("pending", "会计")
    page = await client.page("/labor-contract/void")
    assert "作废丁" in page.get_text()
    response = await client.post_form("/labor-contract/void", {"ids": [str(first["id"]), str(second["id"])]})
    assert response.status_code == 200
    states = {r["id"]: r["state"] for r in await Contract.select(Contract.id, Contract.state)}
    assert states == {first["id"]: "void", second["id"]: "void"}


async def test_rejected_termination_and_renewal_are_corrected_on_their_own_forms(client):
    employer = await make_employer()
    from domains.labor_contract import service
    from tests.labor_contract.support import cleaned, employer_principal

    first, second = await completed_contract(employer, worker_name="解除庚"), await completed_contract(employer)
    principal = employer_principal(employer)
    ended = await service.file_terminate(principal, first["id"], {
        "termination_date": first["start_date"], "termination_reason": "02", "compensation": None})
    renewed = await service.file_renew(principal, second["id"], cleaned(start_date=date(2028, 1, 1), end_date=None,
                                                                        contract_type="2", probation_months=0))
    await review(ended["id"], "reject", opinion="解除原因有误")
    await review(renewed["id"], "reject", opinion="期限有误")
    await sign_in_employer(client, employer)
    form = await client.page(f"/labor-contract/contracts/{ended['id']}/edit")
    assert form.find("input", attrs={"name": "termination_date"}) and not form.find("input", attrs={"name": "worker_name"})
    response = await client.post_form(f"/labor-contract/contracts/{ended['id']}/edit",
                                      {"termination_date": "2026-02-01", "termination_reason": "01", "compensation": "800"})
    assert response.status_code == 303
    row = await Contract.select().where(Contract.id == ended["id"]).first()
    assert (row["review_state"], row["termination_reason"], row["compensation"]) == ("pending", "01", 80000)
    response = await client.post_form(f"/labor-contract/contracts/{renewed['id']}/edit",
                                      form_data(contract_type="2", end_date="2030-01-01", start_date="2028-01-01"))
    assert "无固定期限劳动合同不填写合同结束日期" in response.text
    response = await client.post_form(f"/labor-contract/contracts/{renewed['id']}/edit",
                                      form_data(contract_type="2", end_date="", start_date="2028-01-01", probation_months="0"))
    assert response.status_code == 303
    row = await Contract.select().where(Contract.id == renewed["id"]).first()
    assert (row["review_state"], row["end_date"], row["contract_type"]) == ("pending", None, "2")
