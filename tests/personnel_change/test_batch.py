"""批量增员 / 批量减员 (PC-2, PC-5): templates with instructions and drop-downs, rows with every kind of failure,
the result table, the failed-rows workbook re-uploaded; the saved rows are 未确认 applications."""

from __future__ import annotations

from datetime import date

from domains.personnel_change.tables import PcChange
from portal.workflow.tables import Matter
from tests.personnel_change.support import id_for, insure, make_id_number, two_employers
from tests.support.factories import make_person
from tests.support.workbooks import filled, workbook


async def template(client, direction):
    response = await client.get(f"/personnel-change/{direction}/batch/template.xlsx")
    assert response.status_code == 200
    return workbook(response.content)


async def upload(client, direction, data):
    response = await client.post_form(f"/personnel-change/{direction}/batch", files={"file": ("增员.xlsx", data)})
    assert response.status_code == 303, response.text[:800]
    return response.headers["location"]


def enrol_row(name, id_number, **kw):
    row = {"name": name, "id": id_number, "ethnicity": "汉族", "hukou": "城镇户口", "address": "海口市龙华区1号",
           "phone": "13800138000", "form": "全日制用工", "work_start": "2015-07-01", "pension": "是", "medical": "是",
           "injury": "否", "unemployment": "", "maternity": "", "identity": "城镇职工", "base": "6000",
           "period": "2026-12"}
    row.update(kw)
    return list(row.values())


def result_table(page) -> dict[int, str]:
    return {int(tr.find_all("td")[0].get_text()): tr.find_all("td")[-1].get_text()
            for tr in page.find(attrs={"data-testid": "import-rows"}).find("tbody").find_all("tr")}


async def test_enrol_template_has_instructions_and_drop_downs(client):
    w = await two_employers()
    await client.sign_in_employer(w["a"])
    wb = await template(client, "enrol")
    assert wb.sheetnames[0] == "填写说明"
    headers = [c.value for c in wb[wb.sheetnames[1]][1]]
    assert headers[:3] == ["姓名", "身份证号", "民族"] and "养老保险" in headers and headers[-1] == "失败原因"
    lists = [dv.formula1 for dv in wb[wb.sheetnames[1]].data_validations.dataValidation]
    assert '"是,否"' in lists
    instructions = " ".join(str(c.value) for row in wb["填写说明"].iter_rows() for c in row if c.value)
    assert "增员类型（新参保、续保、调入）由系统按该人员的参保记录判断" in instructions


async def test_enrol_upload_with_every_kind_of_failure_and_the_failed_rows_fixed(client):
    w = await two_employers()
    await client.sign_in_employer(w["a"])
    known = await make_person(name="真名")
    fresh, dup = make_id_number("460106", date(1992, 2, 2)), make_id_number("460106", date(1993, 3, 3))
    rows = [
        enrol_row("新来甲", fresh),                                                  # 2 ok, 新参保
        enrol_row("乙在职", w["b1"]["id_number"]),                                   # 3 ok, 调入
        enrol_row("甲在职", w["a1"]["id_number"]),                                   # 4 already insured here
        enrol_row("低基数", make_id_number("460106"), base="100"),                    # 5 below the floor
        enrol_row("太早了", make_id_number("460106"), period="2024-06"),              # 6 before the first 结算期
        enrol_row("未成年", make_id_number("460106", date(2012, 1, 1))),              # 7 under 16
        enrol_row("没险种", make_id_number("460106"), pension="否", medical="否"),     # 8 no insurance
        enrol_row("重复一", dup), enrol_row("重复二", dup),                            # 9 ok, 10 duplicate
        enrol_row("冒名", known["id_number"]),                                       # 11 name differs
        enrol_row("坏号码", "46010519900517001X"),                                    # 12 check digit
    ]
    location = await upload(client, "enrol", filled(await template(client, "enrol"), rows))
    result = await client.page(location)
    table = result_table(result)
    assert 2 not in table and 3 not in table and 9 not in table
    assert "已在本单位参加养老保险，不能重复增员" in table[4]
    assert "缴费基数不能低于下限" in table[5]
    assert "结算期不能早于本单位首个结算期" in table[6]
    assert "未满16周岁" in table[7]
    assert "请至少选择一个参保险种" in table[8]
    assert "与第9行重复" in table[10]
    assert "姓名与该身份证号已登记的姓名不一致" in table[11]
    assert "校验位" in table[12]
    assert result.find(attrs={"data-testid": "import-ok"}).get_text() == "3"
    matters = await Matter.select(Matter.state, Matter.title).where(Matter.kind == "pc_enrol")
    assert {m["state"] for m in matters} == {"draft"} and len(matters) == 3
    kinds = {(r["name"], r["kind"]) for r in await PcChange.select(PcChange.name, PcChange.kind)}
    assert ("乙在职", "transfer") in kinds and ("新来甲", "new") in kinds

    failed = await client.get(location.rstrip("/") + "/failed")
    wb = workbook(failed.content)
    body = [[c.value for c in row] for row in wb[wb.sheetnames[1]].iter_rows(min_row=2) if any(c.value for c in row)]
    assert all(r[-1] for r in body)
    fixed = next(r for r in body if r[0] == "低基数")
    fixed[14] = "6000"
    again = await client.page(await upload(client, "enrol", filled(await template(client, "enrol"), [fixed[:-1]])))
    assert again.find(attrs={"data-testid": "import-ok"}).get_text() == "1"


async def test_withdraw_upload(client):
    w = await two_employers()
    old = await insure(w["a"], id_number=id_for(date(1960, 1, 1)), name="老师傅", start=202501)
    await client.sign_in_employer(w["a"])
    wb = await template(client, "withdraw")
    rows = [
        ["甲在职", w["a1"]["id_number"], "终止参保", "是", "是", "", "", "", "解除或终止劳动合同", "2026-12", ""],  # 2 ok
        ["乙在职", w["b1"]["id_number"], "终止参保", "是", "", "", "", "", "辞职", "2026-12", ""],  # 3 not here
        ["老师傅", old["id_number"], "在职转退休", "是", "", "", "", "", "达到法定退休年龄退休", "2026-12", ""],  # 4 ok
        ["老师傅", old["id_number"], "暂停参保", "", "是", "", "", "", "停薪留职", "2026-12", ""],  # 5 duplicate
    ]
    result = await client.page(await upload(client, "withdraw", filled(wb, rows)))
    table = result_table(result)
    assert "未在本单位参加养老保险，不能减员" in table[3]
    assert "与第4行重复" in table[5]
    assert result.find(attrs={"data-testid": "import-ok"}).get_text() == "2"
    kinds = sorted(r["kind"] for r in await PcChange.select(PcChange.kind))
    assert kinds == ["retire", "terminate", "terminate"]
