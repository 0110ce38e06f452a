"""Grid rules through HTTP: scope in the SQL, masking, filters from the URL, keyset paging, htmx fragments."""

from __future__ import annotations

from datetime import date

import pytest

from portal.dataservices.grid import GridScopeMissing, Scope
from portal.validators import id_check_digit
from tests.dataservices.support import PERSON_GRID
from tests.support.factories import make_id_number, make_person

URL = "/_test/ds/persons"


async def _staff(app, client, divisions=("460100",)):
    await client.sign_in_staff("grid1", scopes={"division": list(divisions)})


def _names(soup) -> list[str]:
    table = soup.find(attrs={"data-testid": "grid-table"})
    if table is None:
        return []
    return [tr.find_all("td")[0].get_text(strip=True) for tr in table.find("tbody").find_all("tr")]


async def test_grid_refuses_to_run_without_scope():
    with pytest.raises(GridScopeMissing):
        await PERSON_GRID.page({}, None, path="/x")


async def test_scope_is_part_of_the_query_and_ids_and_phones_are_masked(app, client):
    mine = await make_person(name="海口甲", id_number=make_id_number("460105"), mobile="13912345678")
    await make_person(name="三亚乙", id_number=make_id_number("460202"))
    await _staff(app, client)
    soup = await client.page(URL)
    assert _names(soup) == ["海口甲"]
    html = str(soup)
    assert mine["id_number"] not in html
    assert mine["id_number"][:6] + "********" + mine["id_number"][-4:] in html
    assert "13912345678" not in html and "139****5678" in html
    assert "秀英区" in html or "460105" not in html  # dictionary label shown instead of the code
    assert soup.find(attrs={"data-testid": "grid-total"}).get_text(strip=True).endswith("共 1 条")


async def test_filters_come_from_the_url_and_bad_values_get_messages(app, client):
    target = await make_person(name="王小明", id_number=make_id_number("460105", date(1990, 5, 1)))
    await make_person(name="王大明", id_number=make_id_number("460105", date(1980, 5, 1)))
    await make_person(name="李四", id_number=make_id_number("460105", date(1985, 5, 1)))
    await _staff(app, client)
    assert sorted(_names(await client.page(URL + "?name=王"))) == ["王大明", "王小明"]
    full_width = target["id_number"].translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    assert _names(await client.page(URL, params={"id_number": " " + full_width + " "})) == ["王小明"]
    assert _names(await client.page(URL + "?birth_date_from=1984-01-01&birth_date_to=1989-12-31")) == ["李四"]
    # LIKE wildcards typed by a user are literal characters
    assert _names(await client.page(URL + "?name=%25")) == []
    soup = await client.page(URL + "?birth_date_from=1990-13-01&gender=X")
    errors = soup.find(class_="app-error-summary").get_text()
    assert "出生日期填写的日期不存在" in errors and "请从列表中选择性别" in errors
    assert soup.find(id="grid-ds-persons-f-birth_date_from").get("aria-invalid") == "true"
    assert soup.find(id="grid-ds-persons-f-birth_date_from")["value"] == "1990-13-01"  # what was typed stays
    assert len(_names(soup)) == 3  # bad filters are ignored, not a 500


async def test_keyset_paging_visits_every_row_once_in_order_and_back(app, client):
    names = [f"人员{i:02d}" for i in range(12)]
    for i, n in enumerate(names):
        # identical birth dates: the id tiebreaker keeps pages stable
        first17 = f"46010519900101{i:03d}"
        await make_person(name=n, id_number=first17 + id_check_digit(first17))
    await _staff(app, client)
    seen: list[str] = []
    url = URL + "?sort=-birth_date"
    pages = []
    while url:
        soup = await client.page(url)
        pages.append(url)
        seen += _names(soup)
        nxt = soup.find("a", rel="next")
        url = nxt["href"] if nxt else None
    assert len(pages) == 3 and len(seen) == 12 and len(set(seen)) == 12
    soup = await client.page(pages[2])
    prev = soup.find("a", rel="prev")
    assert "第 3 页" in soup.find(attrs={"data-testid": "grid-total"}).get_text()
    back = await client.page(prev["href"])
    assert _names(back) == seen[5:10]
    by_name = [_names(await client.page(URL + "?sort=name"))]
    assert by_name[0] == sorted(names)[:5]
    desc = _names(await client.page(URL + "?sort=-name"))
    assert desc == sorted(names, reverse=True)[:5]


async def test_tampered_cursor_and_sort_fall_back_to_first_page(app, client):
    await make_person(name="甲")
    await _staff(app, client)
    soup = await client.page(URL + "?after=!!notbase64&sort=id_number;DROP")
    assert _names(soup) == ["甲"]


async def test_htmx_request_gets_only_the_grid_fragment(app, client):
    await make_person(name="片段")
    await _staff(app, client)
    response = await client.get(URL + "?name=片", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text and 'id="grid-ds-persons"' in response.text
    assert response.headers["vary"] == "HX-Request"
    assert response.headers["cache-control"] == "no-store"
    assert 'hx-push-url="true"' in response.text


async def test_user_text_renders_inert(app, client):
    payload = "\"'><img src=x onerror=alert(1)>{{7*7}}"
    await make_person(name=payload[:40])
    await _staff(app, client)
    response = await client.get(URL)
    assert "<img src=x" not in response.text and "&lt;img src=x onerror=alert(1)&gt;{{7*7}}" in response.text


async def test_scope_object_accepts_piccolo_where(app, client):
    from domains.person.tables import Person

    await make_person(name="甲", division_code="460105")
    await make_person(name="乙", division_code="460202")
    page = await PERSON_GRID.page({}, Scope.where(Person.division_code == "460202"), path="/x")
    assert [r["name"] for r in page.rows] == ["乙"]


async def test_a_filter_sql_with_a_placeholder_is_the_whole_condition():
    from portal.dataservices.grid import Column, Filter, Grid

    through = ("t.name LIKE {} ESCAPE '\\' AND EXISTS (SELECT 1 FROM names n WHERE n.id = t.id"
               " AND n.name LIKE {} ESCAPE '\\')")
    grid = Grid(name="t", source="t", columns=(Column("id", "编号"),),
                filters=(Filter("name", "姓名", sql=through), Filter("plain", "名称", sql="t.plain"),
                         Filter("code", "代码", kind="exact", sql="t.id IN (SELECT id FROM codes WHERE code = {})")))
    query = await grid.parse({"name": "5%_", "plain": "甲", "code": "A1"})
    assert [(w.template, w.args) for w in query.where] == [
        (through, ["%5\\%\\_%"] * 2),  # the value in every placeholder
        ("t.plain LIKE {} ESCAPE '\\'", ["%甲%"]),
        ("t.id IN (SELECT id FROM codes WHERE code = {})", ["A1"]),
    ]
