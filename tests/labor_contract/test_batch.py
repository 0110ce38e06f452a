"""Batch filings (LC-6, LC-7): the guide's templates, files with every kind of failure, failed rows re-uploaded."""

import io
from datetime import date

from openpyxl import load_workbook

from domains.labor_contract import service
from domains.labor_contract.tables import Contract
from tests.labor_contract.support import cleaned, completed_contract, employer_principal
from tests.support.factories import make_employer, make_id_number
from tests.support.urls import url_for
from tests.support.workbooks import filled


async def template(client, batch):
    response = await client.get(f"/labor-contract/batch/{batch}/template.xlsx")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


async def upload(client, batch, data):
    response = await client.post_form(f"/labor-contract/batch/{batch}", files={"file": ("合同.xlsx", data)})
    assert response.status_code == 303, response.text[:800]
    return response.headers["location"]


def new_row(name, id_number, kind="新订", **kw):
    row = {"kind": kind, "name": name, "id": id_number, "form": "全日制用工", "type": "固定期限",
           "template": "单位自拟文本", "number": "", "start": "2025-03-01", "end": "2027-02-28", "probation": "2",
           "post": "厨师", "place": "海口", "wage": "5200.5", "pay_day": "10", "hours": "标准工时制"}
    row.update(kw)
    return list(row.values())


async def test_new_renew_template_is_the_guides(client):
    employer = await make_employer()
    await client.sign_in_employer(employer)
    wb = await template(client, "new-renew")
    assert wb.sheetnames[0] == "填写说明"
    headers = [c.value for c in wb[wb.sheetnames[1]][1]]
    assert headers == ["备案类型", "姓名", "证件号码", "用工形式", "合同类别", "使用合同模板", "劳动合同编号", "合同起始日期",
                       "合同结束日期", "试用期（月）", "工作岗位", "工作地点", "月工资（元）", "发工资日期", "工时制度", "失败原因"]
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in wb[wb.sheetnames[1]].data_validations.dataValidation}
    assert lists["A2"] == '"新订,续订"'
    instructions = " ".join(str(c.value) for row in wb["填写说明"].iter_rows() for c in row if c.value)
    assert "一定要以新订的形式进入" in instructions


async def test_new_renew_upload_with_every_kind_of_failure(client):
    other = await make_employer(name="吉林慧新业桥经贸有限公司")
    employer = await make_employer()
    busy = make_id_number(born=date(1991, 1, 1))
    await service.file_new(employer_principal(other), cleaned(id_number=busy))
    done = await completed_contract(employer, worker_name="续订甲")
    fresh, dup = make_id_number(born=date(1992, 2, 2)), make_id_number(born=date(1993, 3, 3))
    await client.sign_in_employer(employer)
    rows = [
        new_row("新订乙", fresh),                                                   # 2 ok
        new_row("续订甲", done["id_number"], kind="续订", start="2028-01-01", end="2030-12-31"),  # 3 ok
        new_row("测试", busy),                                                      # 4 unreviewed elsewhere
        new_row("测试一", make_id_number(), template="劳动合同范本（备案试运行文本）"),  # 5 no contract number
        new_row("测试二", make_id_number(), kind="续订"),                            # 6 first filing must be 新订
        new_row("测试三", "46010519900517001X"),                                    # 7 bad check digit
        new_row("测试四", dup), new_row("测试五", dup),                              # 8 ok, 9 duplicate in file
        new_row("测试六", make_id_number(), start="2025-13-01"),                     # 10 bad date
        new_row("测试七", make_id_number(), end=None),                              # 11 fixed term without end
        new_row("测试八", make_id_number(), form="临时工"),                          # 12 not from the list
        new_row(None, make_id_number()),                                           # 13 name missing
    ]
    location = await upload(client, "new-renew", filled(await template(client, "new-renew"), rows))
    result = await client.page(location)
    table = {int(tr.find_all("td")[0].get_text()): tr.find_all("td")[-1].get_text()
             for tr in result.find(attrs={"data-testid": "import-rows"}).find("tbody").find_all("tr")}
    assert 2 not in table and 3 not in table  # accepted rows are counted, not listed (issue #12)
    assert table[4].startswith("此人在其他单位存在未审核的备案，待其审核完成后再办理")
    assert "吉林慧新业桥经贸有限公司" not in result.get_text()
    assert "使用合同模板没有劳动合同号" in table[5]
    assert "首次备案必须以新订的形式进入" in table[6]
    assert "身份证号校验位不正确" in table[7]
    assert "与第8行重复" in table[9]
    assert "合同起始日期填写的日期不存在" in table[10]
    assert "固定期限劳动合同必须填写合同结束日期" in table[11]
    assert "用工形式应从下拉列表中选择" in table[12]
    assert "姓名不能为空" in table[13]
    assert 8 not in table  # the first of two identical ID numbers is kept
    assert result.find(attrs={"data-testid": "import-ok"}).get_text() == "3"
    states = {(r["worker_name"], r["state"], r["review_state"]) for r in await Contract.select().where(
        Contract.employer == employer["id"])}
    assert ("新订乙", "new", "pending") in states and ("续订甲", "renew", "pending") in states

    # The failed rows come back in the same template with 失败原因; fixed, they upload cleanly.
    failed = await client.get(location.rstrip(url_for("home")) + "/failed")
    wb = load_workbook(io.BytesIO(failed.content))
    ws = wb[wb.sheetnames[1]]
    filled_rows = [row for row in ws.iter_rows(min_row=2) if any(c.value is not None for c in row)]
    assert [row[0].row for row in filled_rows] == [4, 5, 6, 7, 9, 10, 11, 12, 13]  # the upload's row numbers
    body = [[c.value for c in row] for row in filled_rows]
    assert all(r[-1] for r in body)
    fixed = [r for r in body if r[1] == "测试一"]
    fixed[0][6] = "2018-0001"
    location = await upload(client, "new-renew", filled(await template(client, "new-renew"), [fixed[0][:-1]]))
    again = await client.page(location)
    assert again.find(attrs={"data-testid": "import-ok"}).get_text() == "1"


async def test_terminate_upload(client):
    employer = await make_employer()
    done = await completed_contract(employer, worker_name="马五")
    pending = await service.file_new(employer_principal(employer), cleaned(worker_name="未审"))
    await client.sign_in_employer(employer)
    wb = await template(client, "terminate")
    assert [c.value for c in wb[wb.sheetnames[1]][1]] == ["姓名", "身份证号码", "终止或解除时间", "终止或解除原因", "失败原因"]
    rows = [
        ["马五", done["id_number"], "2026-01-15", "双方协商一致解除"],               # 2 ok
        ["一二三四五六七八九十一", make_id_number(), "2026-01-15", "双方协商一致解除"],  # 3 name too long
        ["测试", "46010519900517001X", "2026-01-15", "双方协商一致解除"],            # 4 bad ID
        ["测试", make_id_number(), "2026/01/32", "双方协商一致解除"],                # 5 bad date
        ["测试", make_id_number(), "2026-01-15", "不想干了"],                        # 6 reason not in the list
        ["未审", (await Contract.select().where(Contract.id == pending["id"]).first())["id_number"], "2026-01-15",
         "双方协商一致解除"],                                                       # 7 unreviewed
        ["无合同", make_id_number(), "2026-01-15", "双方协商一致解除"],              # 8 never filed here
    ]
    location = await upload(client, "terminate", filled(wb, rows))
    result = await client.page(location)
    table = {int(tr.find_all("td")[0].get_text()): tr.find_all("td")[-1].get_text()
             for tr in result.find(attrs={"data-testid": "import-rows"}).find("tbody").find_all("tr")}
    assert 2 not in table
    assert "姓名应为10个汉字以内" in table[3]
    assert "身份证号校验位不正确" in table[4]
    assert "终止或解除时间填写的日期不存在" in table[5]
    assert "终止或解除原因应从下拉列表中选择" in table[6]
    assert "此人存在未审核的备案信息" in table[7]
    assert "首次备案必须以新订的形式进入" in table[8]
    ended = await Contract.select().where(Contract.previous == done["id"]).first()
    assert (ended["state"], ended["review_state"], str(ended["termination_date"])) == ("terminate", "pending", "2026-01-15")


async def test_not_an_excel_file_is_refused_beside_the_field(client):
    employer = await make_employer()
    await client.sign_in_employer(employer)
    response = await client.post_form(url_for("lc_batch_terminate"), files={"file": ("a.xlsx", b"not a zip")})
    assert response.status_code == 400
    assert "文件不是有效的Excel" in response.text and 'id="f-file-error"' in response.text
    missing = await client.post_form(url_for("lc_batch_terminate"), {})
    assert "请选择要上传的Excel文件" in missing.text


async def test_batch_new_for_someone_employed_elsewhere_is_accepted_with_the_single_forms_warning(client):
    """Issue 14 item 10/§15: the batch 新订 warns (劳动合同法 91) as the single 新订 does, and still files."""
    old = await make_employer(name="吉林慧新业桥经贸有限公司")
    employed = await completed_contract(old, worker_name="在职甲")
    employer = await make_employer()
    await client.sign_in_employer(employer)
    rows = [new_row("在职甲", employed["id_number"]), new_row("新订乙", make_id_number(born=date(1994, 4, 4)))]
    location = await upload(client, "new-renew", filled(await template(client, "new-renew"), rows))
    result = await client.page(location)
    assert result.find(attrs={"data-testid": "import-ok"}).get_text() == "2"
    assert "1行有提示" in result.find(attrs={"data-testid": "import-message"}).get_text()
    listed = {int(tr.find_all("td")[0].get_text()): tr for tr in
              result.find(attrs={"data-testid": "import-rows"}).find("tbody").find_all("tr")}
    assert list(listed) == [2]  # only the warned row; the other accepted row is counted, not listed
    warning = listed[2].find(attrs={"data-testid": "import-warning"}).get_text()
    assert warning.startswith("提示：此人在其他单位仍有在职的劳动合同备案") and "第九十一条" in warning
    assert "吉林慧新业桥经贸有限公司" not in result.get_text()
    assert await Contract.exists().where((Contract.employer == employer["id"])
                                         & (Contract.id_number == employed["id_number"]))
    # Nothing to fix: the failed-rows link is not offered.
    assert "下载失败数据" not in result.get_text()


def test_import_results_keep_warnings_and_read_older_jobs():
    from portal.dataservices.imports import job_rows, results_json
    from portal.dataservices.spreadsheets import RowResult

    rows = [RowResult(2, {"a": "1"}), RowResult(3, {"a": "2"}, warnings=["提示"]), RowResult(4, {"a": "3"}, reasons=["错"])]
    stored = results_json(rows, written=True)
    back = job_rows({"results": stored})
    assert [(r.number, r.reasons, r.warnings) for r in back] == [(3, [], ["提示"]), (4, ["错"], [])]
    assert job_rows({"results": '[[5,{"a":"x"},["旧"]]]'})[0].warnings == []  # a job stored before warnings


async def test_the_batch_page_lists_recent_uploads_with_their_results(client):
    # The shared 最近的上传 table (components/forms.html): every upload links its own result page.
    employer = await make_employer()
    await client.sign_in_employer(employer)
    data = filled(await template(client, "new-renew"), [new_row("王五", make_id_number())])
    location = await upload(client, "new-renew", data)
    table = (await client.page("/labor-contract/batch/new-renew")).find(attrs={"aria-labelledby": "recent-imports"})
    assert table is not None
    links = [a["href"] for a in table.find_all("a")]
    assert any(location.endswith(href) or href.endswith(location.rsplit("/", 1)[-1]) for href in links), links
    assert "成功导入1行" in table.get_text()
