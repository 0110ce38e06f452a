"""字典管理 through HTTP: guard, htmx filter, add/edit/disable with validation, audit, cache invalidation."""

from __future__ import annotations

import pytest

from portal.core import dictionary
from portal.core.tables import AuditLog, DictEntry, Holiday
from seeds.reference import load_reference
from tests.support.client import check_page
from tests.support.urls import url_for


@pytest.fixture(autouse=True)
async def _restore_reference():
    """The dictionary is shared reference data: put the seeded state back after each test here."""
    yield
    await DictEntry.delete(force=True)
    await Holiday.delete(force=True)
    await load_reference()
    dictionary.invalidate()


@pytest.fixture
async def admin(app, client):
    user = await client.sign_in_staff("dictadmin", "Dict@2026pw", permissions=["admin.dictionary"])
    return user


async def _entry(category: str, code: str) -> dict | None:
    return await DictEntry.select().where((DictEntry.category == category) & (DictEntry.code == code)).first()


async def test_pages_need_the_dictionary_permission(app, client):
    response = await client.get(url_for("dictionary_categories"))
    assert response.status_code in (302, 303, 401) and url_for("login") in response.headers.get("location", url_for("login"))
    await client.sign_in_staff("clerk", "Clerk@2026pw", permissions=["admin.audit"])
    for url in (url_for("dictionary_categories"), "/admin/dictionary/division", url_for("holiday_calendar")):
        assert (await client.get(url)).status_code == 403
    response = await client.post_form("/admin/dictionary/division/new", {"code": "460199", "label": "x"})
    assert response.status_code == 403
    assert await _entry("division", "460199") is None


async def test_categories_page_lists_every_dictionary_with_counts(admin, client):
    soup = await client.page(url_for("dictionary_categories"))
    row = soup.find("a", string="行政区划").find_parent("tr")
    cells = [td.get_text(strip=True) for td in row.find_all("td")]
    assert cells[1] == "division" and int(cells[2]) == await DictEntry.count().where(DictEntry.category == "division")
    assert soup.find("a", string="劳动保障监察中队")


async def test_filter_by_name_and_htmx_returns_only_the_results(admin, client):
    soup = await client.page("/admin/dictionary/division?q=秀英")
    text = soup.find(attrs={"data-testid": "dict-table"}).get_text()
    assert "秀英区" in text and "秀英街道" in text and "美兰区" not in text
    fragment = await client.page("/admin/dictionary/division?q=460108", htmx=True)
    assert fragment.find("html") is None and "美兰区" in fragment.get_text() and "秀英区" not in fragment.get_text()
    soup = await client.page("/admin/dictionary/division?q=不存在的地名")
    assert "没有符合条件的条目" in soup.get_text()


async def test_unknown_category_and_foreign_entry_are_404(admin, client):
    assert (await client.get("/admin/dictionary/no_such_thing")).status_code == 404
    squad = await _entry("squad", "Z460105001")
    assert (await client.get(f"/admin/dictionary/division/{squad['id']}")).status_code == 404


async def test_add_entry_is_audited_and_appears_in_choices(admin, client):
    response = await client.post_form(
        "/admin/dictionary/work_hours_system/new", {"code": "9", "label": "特殊工时制", "sort_order": "9"}
    )
    assert response.status_code == 303
    assert "saved=9" in response.headers["location"]
    assert ("9", "特殊工时制") in await dictionary.choices("work_hours_system")
    log = await AuditLog.select().where(AuditLog.action == "dictionary_create").first()
    assert log["actor_id"] == admin["id"] and "特殊工时制" in log["detail"]


async def test_bad_entries_are_refused_with_messages_and_typed_values_kept(admin, client):
    cases = [
        ("division", {"code": "4601", "label": "短代码"}, "code", "6位"),
        ("division", {"code": "460105", "label": "重复"}, "code", "已存在"),
        ("division", {"code": "460105999", "label": "无上级", "parent_code": "469999"}, "parent_code", "不存在"),
        ("division", {"code": "460105998", "label": ""}, "label", "请填写名称"),
        ("work_hours_system", {"code": "a b", "label": "空格"}, "code", "只能包含"),
        ("work_hours_system", {"code": "8", "label": "x", "sort_order": "abc"}, "sort_order", "整数"),
        ("work_hours_system", {"code": "8", "label": "x", "extra": "[1, 2]"}, "extra", "JSON对象"),
        ("squad", {"code": "Zx", "label": "新中队", "extra": '{"divisions": ["999999"]}'}, "extra", "不存在"),
        ("squad", {"code": "Zy", "label": "新中队"}, "extra", "divisions"),
        ("review_agency", {"code": "460199", "label": "新机构", "extra": "{}"}, "extra", "division"),
    ]
    for category, data, bad_field, message in cases:
        before = await DictEntry.count()
        response = await client.post_form(url_for("dictionary_entry_new", category=category), data)
        assert response.status_code == 200, (data, response.status_code)
        soup = check_page(response.text)
        error = soup.find(id=f"f-{bad_field}-error")
        assert error is not None and message in error.get_text(), (data, soup.find(class_="app-error-summary"))
        assert soup.find("a", href=f"#f-{bad_field}"), "the summary links to the field"
        for name, value in data.items():
            typed = soup.find(id=f"f-{name}")
            kept = typed.get_text() if typed.name == "textarea" else typed.get("value")
            assert kept == value, (name, kept, value)
        assert await DictEntry.count() == before


async def test_edit_keeps_the_code_rejects_cycles_and_invalidates_the_cache(admin, client):
    district = await _entry("division", "460105")
    assert ("460105", "秀英区") in await dictionary.choices("division")
    soup = await client.page(f"/admin/dictionary/division/{district['id']}")
    assert soup.find(id="f-label")["value"] == "秀英区" and soup.find(id="f-code") is None
    response = await client.post_form(
        f"/admin/dictionary/division/{district['id']}",
        {"code": "999999", "label": "秀英区（改）", "parent_code": "460100", "sort_order": "3"},
    )
    assert response.status_code == 303
    row = await _entry("division", "460105")
    assert row["label"] == "秀英区（改）" and row["sort_order"] == 3  # the posted code was ignored
    assert ("460105", "秀英区（改）") in await dictionary.choices("division")
    response = await client.post_form(
        f"/admin/dictionary/division/{district['id']}", {"label": "秀英区", "parent_code": "460105001"}
    )
    assert response.status_code == 200 and "循环" in response.text
    log = await AuditLog.select().where(AuditLog.action == "dictionary_update").first()
    assert "秀英区（改）" in log["detail"] and '"before"' in log["detail"]


async def test_disable_hides_from_choices_and_enable_brings_back(admin, client):
    entry = await _entry("contract_type", "3")
    back = "/admin/dictionary/contract_type?q=3"
    response = await client.post_form(f"/admin/dictionary/contract_type/{entry['id']}/toggle", {"back": back})
    assert response.status_code == 303 and response.headers["location"] == back
    assert "3" not in dict(await dictionary.choices("contract_type"))
    soup = await client.page("/admin/dictionary/contract_type?status=disabled")
    assert "以完成一定工作任务为期限" in soup.get_text()
    response = await client.post_form(
        f"/admin/dictionary/contract_type/{entry['id']}/toggle", {"back": "https://evil.example/"}
    )
    assert response.headers["location"] == "/admin/dictionary/contract_type"
    assert "3" in dict(await dictionary.choices("contract_type"))
    actions = [r["action"] for r in await AuditLog.select(AuditLog.action).order_by(AuditLog.id)]
    assert actions[-2:] == ["dictionary_disable", "dictionary_enable"]


async def test_a_disabled_code_keeps_its_label_for_old_records(admin, client):
    entry = await _entry("contract_type", "2")
    await client.post_form(f"/admin/dictionary/contract_type/{entry['id']}/toggle")
    assert "2" not in dict(await dictionary.choices("contract_type"))
    assert await dictionary.label("contract_type", "2") == "无固定期限"
    assert (await dictionary.labels("contract_type"))["2"] == "无固定期限"
    assert await dictionary.code_for_label("contract_type", "无固定期限") is None  # not importable any more


async def test_every_problem_is_reported_at_once(admin, client):
    response = await client.post_form(
        "/admin/dictionary/squad/new", {"code": "Z460105001", "label": "", "parent_code": "nope", "extra": "{}"}
    )
    soup = check_page(response.text)
    links = [a["href"] for a in soup.find(class_="app-error-summary").find_all("a")]
    assert links == ["#f-code", "#f-label", "#f-parent_code", "#f-extra"]
