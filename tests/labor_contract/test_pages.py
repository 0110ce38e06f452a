"""HTTP flows of the contract pages: the LC-1 gate, 新订 with bad input kept, 综合查询 and export, 续订, 解除, 作废."""

import io
from datetime import date

from bs4 import BeautifulSoup
from openpyxl import load_workbook

from domains.labor_contract.tables import Contract
from tests.labor_contract.support import completed_contract, form_data, review
from tests.support.factories import make_employer, make_id_number
from tests.support.urls import url_for

LC_PAGES = [  # route names
    "lc_home", "lc_query", "lc_new", "lc_renew_list", "lc_terminate_list", "lc_void_list", "lc_rosters",
    "lc_roster_pick", "lc_batch_new_renew", "lc_batch_terminate",
]


async def test_no_contract_page_before_the_first_filing_is_approved(client):
    employer = await make_employer(filing_approved=False)
    await client.sign_in_employer(employer)
    for url in map(url_for, LC_PAGES):
        soup = await client.page(url, status=403)
        assert "请先完成单位初次备案" in soup.get_text(), url
        assert soup.find("a", href=url_for("employer_filing")), url
    response = await client.post_form(url_for("lc_new"), form_data())
    assert response.status_code == 403
    assert await Contract.count() == 0


async def test_every_contract_page_renders_for_an_approved_employer(client):
    employer = await make_employer()
    await client.sign_in_employer(employer)
    for url in map(url_for, LC_PAGES):
        soup = await client.page(url)
        assert soup.find("nav", attrs={"aria-label": "用工备案管理"}), url


async def test_new_filing_saved_then_listed_as_unreviewed(client):
    employer = await make_employer()
    await client.sign_in_employer(employer)
    soup = await client.page(url_for("lc_new"))
    token = soup.find("input", attrs={"name": "form_token"})["value"]
    data = form_data(worker_name="测试一", form_token=token)
    response = await client.post_form(url_for("lc_new"), data)
    assert response.status_code == 303, response.text[:500]
    # X-1a: the platform's confirmation page: the number, what happens next, the 回执 PDF.
    saved = await Contract.select().where(Contract.worker_name == "测试一").first()
    from portal.workflow.tables import Matter

    number = (await Matter.select(Matter.number).where(Matter.id == saved["matter_id"]).first())["number"]
    assert response.headers["location"] == url_for("matter_submitted", matter_id=saved["matter_id"])
    confirmation = await client.page(response.headers["location"])
    assert confirmation.find(attrs={"data-testid": "matter-number"}).get_text(strip=True) == number
    assert "接下来会怎样" in confirmation.get_text()
    assert confirmation.find("a", href=url_for("matter_receipt", matter_id=saved["matter_id"]))
    detail = await client.page(url_for("lc_detail", contract_id=saved["id"]))
    assert detail.find(attrs={"data-testid": "lc-review-state"}).get_text(strip=True) == "未审核"
    # The same form posted twice acts once (double click, back button).
    again = await client.post_form(url_for("lc_new"), data)
    assert again.status_code == 200
    assert "请勿重复提交" in again.text and "此人存在未审核的备案信息" not in again.text  # not the rule (issue #12)
    assert await Contract.count() == 1
    listing = await client.page(url_for("lc_query", {"state": "new", "review_state": "pending", "in_roster": "0"}))
    assert "测试一" in listing.find(attrs={"data-testid": "grid-table"}).get_text()
    assert data["id_number"] not in listing.get_text()  # masked in lists


async def test_bad_input_is_explained_beside_each_field_and_kept(client):
    employer = await make_employer()
    await client.sign_in_employer(employer)
    bad = form_data(worker_name="", id_number="46010519900517001X", contract_type="1", end_date="",
                    monthly_wage="八千", pay_day="32", contract_template="model", contract_number="")
    response = await client.post_form(url_for("lc_new"), bad)
    assert response.status_code == 200
    text = response.text
    assert "请填写姓名" in text
    assert "身份证号校验位不正确" in text
    assert "月工资（元）应为不小于0的数字" in text
    assert 'value="46010519900517001X"' in text and 'value="八千"' in text
    assert await Contract.count() == 0
    # Cross-field rules once the fields themselves are fine.
    response = await client.post_form(url_for("lc_new"), form_data(end_date="", pay_day="32",
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
    await client.sign_in_employer(employer)
    response = await client.post_form(url_for("lc_new"), form_data(id_number=id_number, post="仓库保管员"))
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
    await client.sign_in_employer(employer)
    response = await client.post_form(url_for("lc_renew", contract_id=done["id"]),
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
    await client.sign_in_employer(employer)
    employed = await client.page(url_for("lc_query", {"employed": "1"}))
    table = employed.find(attrs={"data-testid": "grid-table"}).get_text()
    assert "在职甲" in table and "未审乙" not in table
    by_id = await client.page(url_for("lc_query", {"id_number": done["id_number"]}))
    assert "在职甲" in by_id.get_text()
    fragment = await client.page(url_for("lc_query", {"review_state": "pending"}), htmx=True)
    assert "未审乙" in fragment.get_text() and "在职甲" not in fragment.get_text()
    assert fragment.find("nav", attrs={"aria-label": "用工备案管理"}) is None  # only the results block
    response = await client.get(url_for("lc_query", {"export": "xlsx", "employed": "1"}))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert any("在职甲" in (v or "") for row in values for v in row if isinstance(v, str))
    assert not any("未审乙" == v for row in values for v in row)


async def test_renew_and_terminate_pages(client):
    employer = await make_employer()
    done = await completed_contract(employer, worker_name="续订丙")
    await client.sign_in_employer(employer)
    listing = await client.page(url_for("lc_renew_list"))
    assert listing.find("a", href=url_for("lc_renew", contract_id=done["id"]))
    response = await client.post_form(url_for("lc_renew", contract_id=done["id"]),
                                      form_data(start_date="2028-01-01", end_date="2030-12-31"))
    assert response.status_code == 303, response.text[:800]
    renewed = await Contract.select().where(Contract.previous == done["id"]).first()
    assert (renewed["state"], renewed["review_state"]) == ("renew", "pending")
    # While the renewal waits for review nothing else may be filed for the person.
    refused = await client.post_form(url_for("lc_terminate", contract_id=done["id"]),
                                     {"termination_date": "2026-01-01", "termination_reason": "02"})
    assert "此人存在未审核的备案信息" in refused.text
    await review(renewed["id"], "reject", opinion="合同期限有误")
    bad = await client.post_form(url_for("lc_terminate", contract_id=done["id"]),
                                 {"termination_date": "2026-01-01", "termination_reason": "02", "compensation": "三千"})
    assert "不可填写汉字" in bad.text and 'value="三千"' in bad.text


async def test_modify_only_a_rejected_filing_and_void_several(client):
    employer = await make_employer()
    from domains.labor_contract import service
    from tests.labor_contract.support import cleaned, employer_principal

    first = await service.file_new(employer_principal(employer), cleaned(worker_name="作废丁"))
    second = await service.file_new(employer_principal(employer), cleaned(worker_name="修改戊"))
    await client.sign_in_employer(employer)
    soup = await client.page(url_for("lc_edit", contract_id=second["id"]))
    assert "只有审核状态为审核不通过或退回补正的备案才可以修改" in soup.get_text()
    await review(second["id"], "reject", opinion="岗位填写不规范")
    row = await Contract.select().where(Contract.id == second["id"]).first()
    edit = await client.page(url_for("lc_edit", contract_id=second["id"]))
    assert edit.find("input", attrs={"name": "id_number"})["value"] == row["id_number"]
    from portal.core.tables import AuditLog

    assert await AuditLog.count().where(AuditLog.action == "lc.full_id_view") == 1
    response = await client.post_form(url_for("lc_edit", contract_id=second["id"]),
                                      form_data(worker_name="修改戊", id_number=row["id_number"], post="会计"))
    assert response.status_code == 303
    row = await Contract.select().where(Contract.id == second["id"]).first()
    assert (row["review_state"], row["post"]) == ("pending", "会计")
    page = await client.page(url_for("lc_void_list"))
    assert "作废丁" in page.get_text()
    response = await client.post_form(url_for("lc_void_list"), {"ids": [str(first["id"]), str(second["id"])]})
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
    await client.sign_in_employer(employer)
    form = await client.page(url_for("lc_edit", contract_id=ended["id"]))
    assert form.find("input", attrs={"name": "termination_date"}) and not form.find("input", attrs={"name": "worker_name"})
    response = await client.post_form(url_for("lc_edit", contract_id=ended["id"]),
                                      {"termination_date": "2026-02-01", "termination_reason": "01", "compensation": "800"})
    assert response.status_code == 303
    row = await Contract.select().where(Contract.id == ended["id"]).first()
    assert (row["review_state"], row["termination_reason"], row["compensation"]) == ("pending", "01", 80000)
    response = await client.post_form(url_for("lc_edit", contract_id=renewed["id"]),
                                      form_data(contract_type="2", end_date="2030-01-01", start_date="2028-01-01"))
    assert "无固定期限劳动合同不填写合同结束日期" in response.text
    response = await client.post_form(url_for("lc_edit", contract_id=renewed["id"]),
                                      form_data(contract_type="2", end_date="", start_date="2028-01-01", probation_months="0"))
    assert response.status_code == 303
    row = await Contract.select().where(Contract.id == renewed["id"]).first()
    assert (row["review_state"], row["end_date"], row["contract_type"]) == ("pending", None, "2")


async def test_an_approved_renewal_starting_later_can_be_terminated_now(client):
    from datetime import timedelta

    from domains.labor_contract import service
    from tests.labor_contract.support import cleaned, employer_principal

    employer = await make_employer()
    today = service.today_local()
    first = await completed_contract(employer, start_date=date(today.year - 2, 1, 1), end_date=today + timedelta(60))
    renewal = await service.file_renew(employer_principal(employer), first["id"], cleaned(
        start_date=first["end_date"] + timedelta(1), end_date=date(today.year + 5, 1, 1)))
    await review(renewal["id"])
    await Contract.update({Contract.in_roster: True}).where(Contract.id == renewal["id"])
    await client.sign_in_employer(employer)
    response = await client.post_form(url_for("lc_terminate", contract_id=renewal["id"]),
                                      {"termination_date": today.isoformat(), "termination_reason": "03"})
    assert response.status_code == 303, response.text[:800]
    ended = await Contract.select().where(Contract.previous == renewal["id"]).first()
    assert ended["termination_date"] == today
    # Before the renewed contract started it stays refused.
    early = date(today.year - 3, 6, 1).isoformat()
    await review(ended["id"], "reject", opinion="解除时间有误")
    again = await client.post_form(url_for("lc_edit", contract_id=ended["id"]),
                                   {"termination_date": early, "termination_reason": "03"})
    assert "解除(终止)时间不能早于合同起始日期" in again.text


async def test_renewal_form_refuses_a_start_inside_the_renewed_contract_beside_the_field(client):
    employer = await make_employer()
    done = await completed_contract(employer, start_date=date(2025, 3, 1), end_date=date(2028, 2, 29))
    await client.sign_in_employer(employer)
    response = await client.post_form(url_for("lc_renew", contract_id=done["id"]),
                                      form_data(start_date="2024-01-01", end_date="2025-12-31"))
    assert response.status_code == 200
    soup = __import__("bs4").BeautifulSoup(response.text, "html.parser")
    summary = soup.find(class_="app-error-summary").get_text()
    assert "合同起始日期：续订合同的起始日期应为原合同结束日期（2028-02-29）的次日（2028-03-01）或之后" in summary
    assert await Contract.count() == 1


async def test_new_filing_for_someone_employed_elsewhere_is_saved_with_a_warning(client, other_client):
    old = await make_employer(name="原单位有限公司")
    new = await make_employer(name="新单位有限公司")
    done = await completed_contract(old)
    await client.sign_in_employer(new)
    response = await client.post_form(url_for("lc_new"), form_data(id_number=done["id_number"]))
    assert response.status_code == 303, response.text[:800]
    confirmation = await client.page(response.headers["location"])
    notice = confirmation.find(attrs={"data-testid": "submitted-notice"}).get_text()
    assert notice.startswith("此人在其他单位仍有在职的劳动合同备案")
    hired = await Contract.select().where(Contract.employer == new["id"]).first()
    detail = await client.page(url_for("lc_detail", contract_id=hired["id"]))
    assert detail.find(attrs={"data-testid": "lc-warning"}).get_text().startswith("此人在其他单位仍有在职的劳动合同备案")
    # The old employer still renews (or ends) the contract while the new 新订 waits for review.
    await other_client.sign_in_employer(old)
    renewed = await other_client.post_form(url_for("lc_renew", contract_id=done["id"]),
                                           form_data(start_date="2028-01-01", end_date="2030-12-31"))
    assert renewed.status_code == 303, renewed.text[:800]


async def test_every_problem_of_a_form_in_one_answer_and_no_raw_keys(client):
    from domains.labor_contract import service
    from tests.labor_contract.support import cleaned, employer_principal

    other = await make_employer(name="海南慧新业桥经贸有限公司")
    employer = await make_employer()
    busy = make_id_number(born=date(1988, 3, 1))
    await service.file_new(employer_principal(other), cleaned(id_number=busy))
    await client.sign_in_employer(employer)
    # A field error, a cross-field rule and the person rule: one answer, not three waves.
    response = await client.post_form(url_for("lc_new"), form_data(
        worker_name="", id_number=busy, end_date="", monthly_wage="八千"))
    summary = __import__("bs4").BeautifulSoup(response.text, "html.parser").find(class_="app-error-summary").get_text()
    assert "姓名：请填写姓名" in summary
    assert "月工资（元）应为不小于0的数字" in summary
    assert "合同结束日期：固定期限劳动合同必须填写合同结束日期" in summary
    assert "身份证号：此人在其他单位存在未审核的备案，待其审核完成后再办理" in summary
    # 续订 and 解除 have no 身份证号 field: the person rule is shown on top, never under the raw key.
    done = await completed_contract(employer)
    await service.file_renew(employer_principal(employer), done["id"], cleaned(start_date=date(2028, 1, 1)))
    for url, data in ((url_for("lc_terminate", contract_id=done["id"]),
                       {"termination_date": "2026-01-01", "termination_reason": "02", "compensation": "三千"}),
                      (url_for("lc_renew", contract_id=done["id"]),
                       form_data(start_date="2028-01-01", end_date="2030-12-31", pay_day="32"))):
        text = (await client.post_form(url, data)).text
        assert "id_number" not in text.replace('name="id_number"', "")
        assert "此人存在未审核的备案信息" in text and ("不可填写汉字" in text or "发工资日期" in text)


async def test_every_contract_page_links_its_guide(client):
    employer = await make_employer()
    await client.sign_in_employer(employer)
    for url in map(url_for, LC_PAGES):
        soup = await client.page(url)
        link = soup.find("nav", attrs={"aria-label": "用工备案管理"}).find("a", string="办事指南")
        assert link and link["href"] == url_for("matter_guide", kind_code="lc_contract"), url
    guide = await client.page(url_for("matter_guide", kind_code="lc_contract"))
    assert "劳动合同备案" in guide.get_text()


async def test_a_filing_is_saved_as_a_draft_resumed_and_submitted(client, other_client):
    from portal.workflow.tables import Matter

    employer = await make_employer()
    await client.sign_in_employer(employer)
    # 保存草稿 checks nothing: half a form is kept, no filing exists yet, no rule counts it.
    half = form_data(worker_name="草稿甲", pay_day="", monthly_wage="", intent="draft")
    response = await client.post_form(url_for("lc_new"), half)
    assert response.status_code == 303, response.text[:500]
    location = response.headers["location"]
    assert location.startswith(url_for("lc_new", {"draft": ""})) and location.endswith("&draft_saved=1")
    draft_id = int(location.split("draft=")[1].split("&")[0])
    assert await Contract.count() == 0
    assert (await Matter.select(Matter.state).where(Matter.id == draft_id).first())["state"] == "draft"
    resumed = await client.page(location)
    assert resumed.find(attrs={"data-testid": "lc-draft-saved"})
    assert resumed.find("input", attrs={"name": "worker_name"})["value"] == "草稿甲"
    assert resumed.find("input", attrs={"name": "draft_id"})["value"] == str(draft_id)
    listing = await client.page(url_for("lc_new"))
    assert listing.find(attrs={"data-testid": "lc-drafts"}).find("a", href=url_for("lc_new", {"draft": draft_id}))
    # Another employer cannot open it.
    await other_client.sign_in_employer(await make_employer())
    await other_client.page(url_for("lc_new", {"draft": draft_id}), status=404)
    # Saving the completed form files the contract and submits the draft's own 办件.
    done = await client.post_form(url_for("lc_new"), form_data(worker_name="草稿甲", draft_id=str(draft_id)))
    assert done.headers["location"] == url_for("matter_submitted", matter_id=draft_id)
    filed = await Contract.select().where(Contract.worker_name == "草稿甲").first()
    assert filed["matter_id"] == draft_id and filed["review_state"] == "pending"
    assert (await Matter.select(Matter.state).where(Matter.id == draft_id).first())["state"] == "submitted"
    assert not (await client.page(url_for("lc_new"))).find(attrs={"data-testid": "lc-drafts"})


async def test_renewal_and_termination_drafts(client):
    employer = await make_employer()
    done = await completed_contract(employer)
    await client.sign_in_employer(employer)
    renew_url = url_for("lc_renew", contract_id=done["id"])
    saved = await client.post_form(renew_url, form_data(start_date="2028-01-01", end_date="", intent="draft"))
    page = await client.page(saved.headers["location"])
    assert page.find("input", attrs={"name": "start_date"})["value"] == "2028-01-01"
    end_url = url_for("lc_terminate", contract_id=done["id"])
    saved = await client.post_form(end_url, {"termination_reason": "12", "intent": "draft"})
    page = await client.page(saved.headers["location"])
    assert page.find("select", attrs={"name": "termination_reason"}).find("option", selected=True)["value"] == "12"
    assert await Contract.count() == 1


async def test_reviewer_returns_a_filing_for_correction_and_the_resubmission_restarts_the_clock(client):
    from datetime import UTC, datetime

    from domains.labor_contract import service
    from portal.workflow.tables import Matter
    from tests.labor_contract.support import cleaned, employer_principal

    employer = await make_employer()
    filed = await service.file_new(employer_principal(employer), cleaned(worker_name="补正甲"))
    problems = "1. 工作岗位与合同文本不一致；2. 月工资低于当地最低工资标准"
    await review(filed["id"], "return", opinion=problems)
    row = await Contract.select().where(Contract.id == filed["id"]).first()
    assert (row["review_state"], row["review_opinion"]) == ("returned", problems)
    # The clock started long ago; the resubmission after 补正 starts it again.
    await Matter.update({Matter.clock_started_at: datetime(2020, 1, 2, tzinfo=UTC),
                         Matter.promised_deadline: date(2020, 1, 9)}).where(Matter.id == row["matter_id"])
    await client.sign_in_employer(employer)
    detail = await client.page(url_for("lc_detail", contract_id=filed["id"]))
    assert detail.find(attrs={"data-testid": "lc-review-state"}).get_text(strip=True) == "退回补正"
    assert f"补正内容：{problems}" in detail.get_text()
    response = await client.post_form(url_for("lc_edit", contract_id=filed["id"]),
                                      form_data(worker_name="补正甲", id_number=row["id_number"], post="测试工程师"))
    assert response.headers["location"] == url_for("matter_submitted", matter_id=row["matter_id"])
    matter = await Matter.select().where(Matter.id == row["matter_id"]).first()
    assert matter["state"] == "submitted"
    assert matter["promised_deadline"] > service.today_local()
    assert (await Contract.select().where(Contract.id == filed["id"]).first())["review_state"] == "pending"


async def _sheet(client, url):
    response = await client.get(url)
    assert response.status_code == 200, (url, response.text[:300])
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    return [[c.value for c in row] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows()]


async def test_every_contract_list_exports_what_it_shows(client):
    from domains.labor_contract import rosters, service
    from tests.labor_contract.support import cleaned, employer_principal

    employer = await make_employer()
    done = await completed_contract(employer, worker_name="名册甲")
    await Contract.update({Contract.in_roster: False}).where(Contract.id == done["id"])
    roster = await rosters.save(employer_principal(employer), "new_roster", [done["id"]])
    pending = await service.file_new(employer_principal(employer), cleaned(worker_name="作废乙"))
    await client.sign_in_employer(employer)
    pages = {
        url_for("lc_void_list"): "作废乙", url_for("lc_rosters"): roster["number"],
        url_for("lc_roster_pick", {"state": "new"}): "名册甲", url_for("lc_roster_detail", roster_id=roster["id"]): "名册甲",
    }
    for url, expected in pages.items():
        soup = await client.page(url)
        link = soup.find("a", attrs={"data-testid": "list-export"})
        assert link and "export=xlsx" in link["href"], url
        values = await _sheet(client, link["href"])
        assert any(expected == v for row in values for v in row), (url, values)
        flat = " ".join(str(v) for row in values for v in row)
        assert pending["id_number"] not in flat and done["id_number"] not in flat  # masked as on screen
    # The filters of the page are kept in its export.
    values = await _sheet(client, url_for("lc_void_list", {"worker_name": "不存在", "export": "xlsx"}))
    assert len(values) == 1  # the header only
