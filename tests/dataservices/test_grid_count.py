"""Every grid's 共 N 条: capped like the workbench's and cached briefly per scope and filter (issue #15)."""

from __future__ import annotations

from portal.dataservices import grid as grid_module
from portal.db import current_engine, is_sqlite
from tests.dataservices.support import PERSON_GRID
from tests.support.factories import make_id_number, make_person

URL = "/_test/ds/persons"


def _total(soup) -> str:
    return soup.find(attrs={"data-testid": "grid-total"}).get_text(strip=True)


async def _sign_in(app, client) -> None:
    await client.sign_in_staff("count1", scopes={"division": ["460100"]})


async def test_count_is_capped_and_says_so(app, client, monkeypatch):
    monkeypatch.setattr(grid_module, "COUNT_CAP", 3)
    for n in range(5):
        await make_person(name=f"海口{n}", id_number=make_id_number("460105"))
    await _sign_in(app, client)
    soup = await client.page(URL)
    assert _total(soup).endswith("共 3 条以上")
    assert "查询结果：共 3 条以上" in soup.find(attrs={"data-grid-status": True}).get_text()
    # a narrower filter under the cap is exact
    assert _total(await client.page(URL + "?name=海口1")).endswith("共 1 条")


async def test_write_in_this_process_shows_at_once(app, client):
    await make_person(name="海口甲", id_number=make_id_number("460105"))
    await _sign_in(app, client)
    assert _total(await client.page(URL)).endswith("共 1 条")
    await make_person(name="海口乙", id_number=make_id_number("460106"))
    assert _total(await client.page(URL)).endswith("共 2 条")


async def test_count_is_cached_per_scope_and_filter_until_it_expires(app, monkeypatch):
    from portal.dataservices.grid import Scope

    await make_person(name="海口甲", id_number=make_id_number("460105"))
    await make_person(name="海口乙", id_number=make_id_number("460106"))
    await make_person(name="三亚丙", id_number=make_id_number("460202"))
    now = [1000.0]
    monkeypatch.setattr(grid_module, "_clock", lambda: now[0])
    haikou = Scope("division_code LIKE {}", "4601%")
    query = await PERSON_GRID.parse({})
    assert await PERSON_GRID.shown_count(haikou, query) == 2
    assert await PERSON_GRID.shown_count(Scope("division_code LIKE {}", "4602%"), query) == 1  # another scope
    assert await PERSON_GRID.shown_count(haikou, await PERSON_GRID.parse({"name": "乙"})) == 1  # another filter
    # Another worker's write (a connection of its own, so this process cannot know): the count stays a while…
    engine = current_engine()
    if is_sqlite(engine):
        conn = await engine.get_connection()
        await conn.execute("DELETE FROM person WHERE name = '海口甲'")
        await conn.commit()
    else:
        conn = await engine.get_new_connection()
        await conn.execute("DELETE FROM person WHERE name = '海口甲'")
    await conn.close()
    assert await PERSON_GRID.shown_count(haikou, query) == 2
    now[0] += grid_module.COUNT_TTL_S + 1  # …and is read again once it expires
    assert await PERSON_GRID.shown_count(haikou, query) == 1


async def test_hostile_cell_values_stay_escaped(app, client):
    """The rows are built in Python (GridPage.body_html): every value still goes through escape()."""
    await make_person(name='<script>alert(1)</script>"\'&', id_number=make_id_number("460105"))
    await _sign_in(app, client)
    soup = await client.page(URL)
    html = str(soup)
    assert "<script>alert(1)</script>" not in html
    cell = soup.find(attrs={"data-testid": "grid-table"}).find("tbody").find("td")
    assert cell.get_text() == '<script>alert(1)</script>"\'&'  # shown as typed, as text
    assert cell.find("script") is None


def test_rows_html_escapes_text_links_and_tones():
    from portal.dataservices.grid import Cell, rows_html

    html = str(rows_html([[Cell('<b>"x"</b>'), Cell("甲&乙", "link", href='/a?b=1&c="><x>'),
                           Cell("<i>", "badge", tone='"bad')]]))
    assert "<b>" not in html and "&lt;b&gt;&#34;x&#34;&lt;/b&gt;" in html
    assert '<a href="/a?b=1&amp;c=&#34;&gt;&lt;x&gt;">甲&amp;乙</a>' in html
    assert '<span class="app-badge app-badge--&#34;bad">&lt;i&gt;</span>' in html
    assert html.count("<td ") == 3 and html.startswith("<tr>")
