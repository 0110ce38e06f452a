"""X-3 (issue 14 item 10): the 办件工作台, the admin lists and 经办人授权 export what they show, scoped and masked."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from portal.workflow import engine
from tests.employer.test_agents import authorised_agent, legal_rep
from tests.support.factories import make_employer, make_id_number, make_staff
from tests.workflow.support import employer_with_principal, staff_principal


async def _sheet(client, url: str) -> list[list]:
    """The page's 导出Excel link followed: the sheet's rows (header first)."""
    link = (await client.page(url)).find("a", attrs={"data-testid": "list-export"})
    assert link is not None, url
    response = await client.get(link["href"])
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/vnd.openxml")
    return [[c.value for c in row] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows()]


async def test_workbench_exports_the_filtered_queue_in_scope(app, client):
    _, mine = await employer_with_principal(division_code="460105", name="秀英公司")
    _, other = await employer_with_principal(division_code="460200", name="三亚公司")
    licence = await engine.create_matter(mine, "t_licence", payload={}, title="许可", submit=True)
    review = await engine.create_matter(mine, "t_confirm", payload={}, title="增员", submit=True)
    outside = await engine.create_matter(other, "t_licence", payload={}, title="别处", submit=True)
    staff = await make_staff(app, "wbx", permissions=["test.accept", "test.review"], scopes={"division": ["460100"]})
    await client.sign_in("staff", uid=staff["id"])
    rows = await _sheet(client, "/workbench?kind=t_licence")
    assert rows[0] == ["办件编号", "事项", "申请人", "环节", "提交时间", "承诺办结日期", "时限", "事项提示"]
    numbers = [r[0] for r in rows[1:]]
    assert numbers == [licence["number"]]
    assert review["number"] not in numbers and outside["number"] not in numbers
    assert rows[1][2] == "秀英公司"
    everything = [r[0] for r in (await _sheet(client, "/workbench"))[1:]]
    assert sorted(everything) == sorted([licence["number"], review["number"]])


async def test_workbench_export_walks_past_a_page(app, client, monkeypatch):
    from portal.workflow import workbench

    _, applicant = await employer_with_principal(division_code="460105")
    made = [await engine.create_matter(applicant, "t_licence", payload={}, title=f"许可{i}", submit=True)
            for i in range(5)]
    staff = await make_staff(app, "wby", permissions=["test.accept"], scopes={"division": ["460000"]})
    monkeypatch.setattr(workbench, "EXPORT_BATCH", 2)  # three keyset steps for five rows
    principal = staff_principal(staff["id"], ["test.accept"], "460000")
    rows = await workbench.export_rows(principal, dict.fromkeys(workbench.FILTER_KEYS, ""), 3)
    assert len(rows) == 3 and {r["number"] for r in rows} <= {m["number"] for m in made}
    everything = await workbench.export_rows(principal, dict.fromkeys(workbench.FILTER_KEYS, ""), 100)
    assert sorted(r["number"] for r in everything) == sorted(m["number"] for m in made)
    await client.sign_in("staff", uid=staff["id"])
    assert len((await _sheet(client, "/workbench"))[1:]) == 5


async def test_staff_list_exports_every_match_with_phones_masked(app, client):
    admin = await make_staff(app, "adminx", permissions=["admin.staff"], mobile="13912345678")
    await make_staff(app, "other1", display_name="另一位", mobile="13800001111")
    await client.sign_in("staff", uid=admin["id"])
    rows = await _sheet(client, "/admin/staff?q=other")
    assert rows[0][:3] == ["用户名", "姓名", "手机号码"]
    assert [r[0] for r in rows[1:]] == ["other1"]
    assert rows[1][2] == "138****1111"


async def test_role_dictionary_and_holiday_lists_export(app, client):
    admin = await make_staff(app, "adminy", permissions=["admin.roles", "admin.dictionary"])
    await client.sign_in("staff", uid=admin["id"])
    roles = await _sheet(client, "/admin/roles")
    assert roles[0] == ["角色代码", "角色名称", "内置", "权限", "人数"] and len(roles) > 1
    categories = await _sheet(client, "/admin/dictionary")
    assert categories[0] == ["字典", "标识", "条目数", "启用"] and ["行政区划", "division"] in [r[:2] for r in categories]
    entries = await _sheet(client, "/admin/dictionary/division?q=秀英")
    assert {r[0] for r in entries[1:]} == {"460105", "460105001"}
    assert entries[0][:3] == ["代码", "名称", "上级"]
    days = await _sheet(client, "/admin/holidays?year=2026")
    assert days[0] == ["日期", "星期", "类型", "名称"]
    assert any(r[3] == "春节" for r in days[1:]) and all(r[0].year == 2026 for r in days[1:])


async def test_agent_list_exports_own_agents_masked(client):
    employer = await legal_rep(client)
    id_number = make_id_number()
    await authorised_agent(employer["id"], id_number)
    other = await make_employer()
    await authorised_agent(other["id"], make_id_number())  # another employer's agent …
    rows = await _sheet(client, "/employer/agents")
    assert rows[0] == ["姓名", "身份证号", "手机号码", "授权业务", "授权开始日期", "授权截止日期", "状态"]
    assert len(rows) == 2  # … is not in this employer's sheet
    assert rows[1][1] == id_number[:6] + "********" + id_number[-4:] and rows[1][2] == "139****0003"
    assert rows[1][3]  # ACC-8: the services the authorisation names (全部业务 for one from before ACC-8)
