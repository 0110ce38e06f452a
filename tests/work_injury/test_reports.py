"""WI-1 工伤快报 and WI-2 快报确认 over HTTP: fields and rules refused beside their field with what was typed kept,
rows added and removed without JS and with htmx, 修改/删除 only while unconfirmed, 确认提交 many, review."""

from __future__ import annotations

import pytest

from domains.work_injury import matters
from domains.work_injury.tables import WiAccident, WiInjured
from portal.workflow.tables import Matter
from tests.support.factories import make_id_number
from tests.work_injury.support import person_row, report_data, save, world, yesterday_text


def _errors(soup) -> dict[str, str]:
    return {p["id"].removeprefix("f-").removesuffix("-error"): p.get_text(strip=True).removeprefix("错误：")
            for p in soup.select(".app-error-message")}


async def _post(client, data, url="/work-injury/report"):
    from bs4 import BeautifulSoup

    from tests.support.client import check_page

    response = await client.post_form(url, data)
    assert response.status_code == 200, response.status_code
    check_page(response.text, url)
    return BeautifulSoup(response.text, "html.parser")


async def test_new_report_page(client):
    w = await world()
    await client.sign_in_employer(w["a"])
    soup = await client.page("/work-injury/report")
    assert soup.select_one("#f-occurred_at")["type"] == "datetime-local"
    assert len(soup.select("[data-testid=wi-person]")) == 1
    required = {label.get_text(strip=True).rstrip(" *") for label in soup.select("label.app-label")
                if label.select_one(".app-required")}
    assert {"事故发生时间", "事故发生地点", "事故类别", "报告人", "报告人联系电话", "就诊医疗机构", "事故经过",
            "身份证号", "受伤部位", "伤害程度", "诊断结果", "职业/岗位"} <= required
    assert "物体打击" in soup.select_one("#f-category").get_text()


# field → (posted value, message); every accident field and every person field, refused beside itself.
BAD_FIELDS = [
    ("occurred_at", "", "请填写事故发生时间"),
    ("occurred_at", "昨天", "事故发生时间应为日期和时间，格式yyyy-mm-dd hh:mm"),
    ("occurred_at", "2026-02-30T10:00", "事故发生时间填写的日期或时间不存在"),
    ("place", "", "请填写事故发生地点"),
    ("place", "地" * 201, "事故发生地点不能超过200个字"),
    ("category", "99", "请从列表中选择事故类别"),
    ("description", "", "请填写事故经过"),
    ("reporter", "", "请填写报告人"),
    ("reporter_phone", "12345", None),
    ("hospital", "", "请填写就诊医疗机构"),
    ("p0_id_number", "460105199001011234", None),
    ("p0_body_part", "", "请填写受伤部位（工伤人员1）"),
    ("p0_severity", "", "请选择伤害程度（工伤人员1）"),
    ("p0_diagnosis", "", "请填写诊断结果（工伤人员1）"),
    ("p0_hospitalised", "", "请选择是否住院（工伤人员1）"),
    ("p0_occupation", "", "请填写职业/岗位（工伤人员1）"),
]


@pytest.mark.parametrize(("name", "value", "message"), BAD_FIELDS)
async def test_bad_field_kept_and_explained(client, name, value, message):
    w = await world()
    await client.sign_in_employer(w["a"])
    data = report_data(person_row("0", w["a1"]["id_number"]))
    data[name] = value
    soup = await _post(client, data)
    errors = _errors(soup)
    assert name in errors, errors
    if message:
        assert errors[name] == message
    assert soup.select_one(".app-error-summary")
    kept = soup.select_one(f"[name={name}]")
    if kept.name == "input" and kept.get("type") not in ("radio",):
        assert kept.get("value", "") == value  # nothing typed is lost
    assert soup.select_one("[name=place]")["value"] == data["place"] or name == "place"
    assert await WiAccident.count() == 0


# The rules of the issue: each refused with its reason beside the field, nothing saved.
async def test_rules_refused_with_reasons(client):
    w = await world()
    await client.sign_in_employer(w["a"])
    cases = [
        ([person_row("0", w["a1"]["id_number"])], {"occurred_at": "2099-01-01T08:00"},
         "occurred_at", "事故发生时间不能晚于当前时间"),
        ([person_row("0", w["none"]["id_number"])], {},
         "p0_id_number", "该人员未在本单位参加工伤保险，不能作为本单位工伤人员上报"),
        ([person_row("0", w["old"]["id_number"])], {},
         "p0_id_number", "参保期：2024年01月至2025年06月"),
        ([person_row("0", w["a1"]["id_number"])], {"occurred_at": "2024-12-31T10:00"},
         "p0_id_number", "本单位工伤保险参保自2025年01月起"),
        ([person_row("0", w["b1"]["id_number"])], {}, "p0_id_number", "未在本单位参加工伤保险"),
        ([person_row("0", w["stranger"]["id_number"])], {}, "p0_id_number", "未在本单位参加工伤保险"),
        ([person_row("0", make_id_number())], {}, "p0_id_number", "系统中没有该身份证号的人员"),
        ([person_row("0", w["a1"]["id_number"]), person_row("1", w["a1"]["id_number"])], {},
         "p1_id_number", "该人员已在第1名工伤人员中添加，不能重复添加"),
    ]
    for rows, overrides, field, needle in cases:
        soup = await _post(client, report_data(*rows, **overrides))
        errors = _errors(soup)
        assert needle in errors.get(field, ""), (field, errors)
        assert needle in soup.select_one(".app-error-summary").get_text()
        assert soup.select_one("[name=description]").get_text() == "操作冲床时右手被压伤，立即停机送医。"
    soup = await _post(client, report_data())
    assert "请至少增加一名工伤人员" in soup.select_one(".app-error-summary").get_text()
    assert await WiAccident.count() == 0 and await Matter.count() == 0


async def test_rows_without_js_and_with_htmx(client):
    w = await world()
    await client.sign_in_employer(w["a"])
    data = report_data(person_row("0", w["a1"]["id_number"], body_part="左手"), op="add")
    soup = await _post(client, data)
    rows = soup.select("[data-testid=wi-person]")
    assert len(rows) == 2 and soup.select_one("[name=p0_body_part]")["value"] == "左手"
    assert not soup.select(".app-error-message")  # adding a row checks nothing yet
    # htmx: only the persons block comes back
    data = report_data(person_row("0", w["a1"]["id_number"]), person_row("1", w["a2"]["id_number"], body_part="头部"),
                       op="remove-0")
    response = await client.post_form("/work-injury/report", data, htmx=True, headers={"HX-Target": "wi-persons"})
    assert response.status_code == 200 and "<html" not in response.text and 'id="wi-persons"' in response.text
    assert 'name="p1_body_part"' in response.text and 'value="头部"' in response.text
    assert 'name="p0_body_part"' not in response.text
    # 查询工伤人员: the name comes back beside the row
    data = report_data(person_row("0", w["a1"]["id_number"]), person_row("1", w["old"]["id_number"]), op="lookup")
    soup = await _post(client, data)
    names = [p.get_text(" ", strip=True) for p in soup.select("[data-testid=wi-person-name]")]
    assert names[0].startswith("甲一") and "本单位工伤参保" in names[0]
    assert names[1] == "甲旧" and "已终止参保" in soup.select("[data-testid=wi-person]")[1].get_text()


async def test_save_two_persons_then_edit_confirm_review(client, other_client, app):
    w = await world()
    accident_id = await save(client, w["a"], w["a1"]["id_number"], w["a2"]["id_number"])
    detail = await client.page(f"/work-injury/reports/{accident_id}?saved=1")
    assert "未确认" in detail.get_text() and len(detail.select("[data-testid=wi-persons] tbody tr")) == 2
    assert w["a1"]["id_number"] not in detail.get_text()  # masked
    assert await WiInjured.count() == 2
    # 修改 while 未确认: the form comes back filled in; a person removed
    edit = await client.page(f"/work-injury/reports/{accident_id}/edit")
    assert edit.select_one("[name=p1_id_number]")["value"] == w["a2"]["id_number"]
    response = await client.post_form(f"/work-injury/reports/{accident_id}/edit",
                                      report_data(person_row("0", w["a1"]["id_number"]), place="二号车间"))
    assert response.status_code in (302, 303)
    row = await WiAccident.select().where(WiAccident.id == accident_id).first()
    assert row["place"] == "二号车间" and row["persons_label"] == "甲一" and await WiInjured.count() == 1
    # 快报确认: query, then tick and 确认提交
    listing = await client.page("/work-injury/reports?person=甲一")
    assert len(listing.select("[data-testid=grid-table] tbody tr")) == 1
    assert listing.select_one(f"input[name=pick][value='{accident_id}']")["form"] == "wi-confirm-form"
    confirm = await client.post_form("/work-injury/reports/confirm", {"pick": [str(accident_id)]})
    assert confirm.status_code == 200 and "已确认提交 1 份工伤快报" in confirm.text
    matter = await Matter.select().where(Matter.id == row["matter_id"]).first()
    assert matter["state"] == "submitted" and matter["division_code"] == "460105"
    # no longer editable nor deletable
    listing = await client.page("/work-injury/reports")
    assert not listing.select("input[name=pick]") and "剩余" in listing.get_text()
    assert (await client.get(f"/work-injury/reports/{accident_id}/edit")).status_code in (302, 303)
    refused = await client.post_form(f"/work-injury/reports/{accident_id}/edit", report_data(
        person_row("0", w["a1"]["id_number"])))
    assert "不能修改" in refused.text
    refused = await client.post_form(f"/work-injury/reports/{accident_id}/delete")
    assert "不能删除" in refused.text and (await Matter.select().where(Matter.id == row["matter_id"]).first())[
        "state"] == "submitted"
    # the reviewer of the division returns it with an opinion; the employer sees both
    await other_client.sign_in_staff("gongshang1", permissions=[matters.REVIEW], scopes={"division": ["460100"]})
    queue = await other_client.page("/wi-admin/")
    assert "甲方工伤测试有限公司" in queue.get_text()
    response = await other_client.post_form(f"/workbench/matters/{row['matter_id']}/fire", {
        "transition": "reject", "version": str(matter["version"]), "opinion": "请补充受伤经过"})
    assert response.status_code in (302, 303), response.text[:500]
    detail = await client.page(f"/work-injury/reports/{accident_id}")
    assert "退回" in detail.get_text() and detail.select_one("[data-testid=wi-opinion]").get_text() == "请补充受伤经过"
    assert "请补充受伤经过" in (await client.page("/work-injury/reports")).get_text()
    # returned: editable again, confirmed again, then accepted
    assert (await client.get(f"/work-injury/reports/{accident_id}/edit")).status_code == 200
    await client.post_form("/work-injury/reports/confirm", {"pick": [str(accident_id)]})
    matter = await Matter.select().where(Matter.id == row["matter_id"]).first()
    assert matter["state"] == "submitted"
    await other_client.post_form(f"/workbench/matters/{row['matter_id']}/fire", {
        "transition": "approve", "version": str(matter["version"]), "opinion": "同意"})
    detail = await client.page(f"/work-injury/reports/{accident_id}")
    assert "审核通过" in detail.get_text() and "同意" in detail.get_text()


async def test_confirm_many_and_delete(client):
    w = await world()
    first = await save(client, w["a"], w["a1"]["id_number"])
    second = await save(client, w["a"], w["a2"]["id_number"], occurred_at=yesterday_text(3))
    third = await save(client, w["a"], w["a1"]["id_number"], occurred_at=yesterday_text(5))
    response = await client.post_form("/work-injury/reports/confirm", {"pick": [str(first), str(second)]})
    assert "已确认提交 2 份工伤快报" in response.text
    nothing = await client.post_form("/work-injury/reports/confirm", {})
    assert "请先勾选要确认提交的工伤快报" in nothing.text
    # state filter
    listing = await client.page("/work-injury/reports?state=draft")
    assert [i["value"] for i in listing.select("input[name=pick]")] == [str(third)]
    page = await client.page(f"/work-injury/reports/{third}/delete")
    assert "确认删除" in page.get_text()
    response = await client.post_form(f"/work-injury/reports/{third}/delete")
    assert response.status_code in (302, 303)
    assert (await client.get(f"/work-injury/reports/{third}")).status_code == 404
    listing = await client.page("/work-injury/reports")
    assert len(listing.select("[data-testid=grid-table] tbody tr")) == 2
    # date range filter
    listing = await client.page(f"/work-injury/reports?occurred_on_to={yesterday_text(2)[:10]}")
    assert len(listing.select("[data-testid=grid-table] tbody tr")) == 1


async def test_double_post_saves_once(client):
    w = await world()
    await client.sign_in_employer(w["a"])
    form = await client.page("/work-injury/report")
    data = report_data(person_row("0", w["a1"]["id_number"]))
    data["form_id"] = form.select_one("[name=form_id]")["value"]
    assert (await client.post_form("/work-injury/report", data)).status_code in (302, 303)
    again = await client.post_form("/work-injury/report", data)
    assert "该表单已提交过" in again.text and await WiAccident.count() == 1
