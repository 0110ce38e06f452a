"""The workbench's keyset pager: pages carry the last (promised_deadline, id), walk forward and back to the same
pages in the engine's own order (undated matters included), keep the filters in the URL, and count the total."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest

from portal.dataservices.keyset import Cursor, PageRequest
from portal.db import write_transaction
from portal.workflow import creation, workbench
from portal.workflow.deadlines import local_date
from portal.workflow.tables import Matter
from portal.workflow.workbench import queue_page, row_cursor
from tests.support.urls import url_for
from tests.workflow.support import employer_with_principal, staff_principal

BLANK = {"kind": "", "state": "", "flag": "", "q": ""}
STAFF = ["test.accept"]
# Deadline offsets in days; None: the clock has not started. Repeats test the id tie-breaker.
OFFSETS = (3, None, 1, 1, 5, None, 1, 0, 8, 3, None, 2, 2, 9)


@pytest.fixture
async def queue():
    _, applicant = await employer_with_principal(name="海南翻页测试有限公司", division_code="460105")
    matters = await creation.create_matters(applicant, "t_licence", [{"title": f"第{i}件", "payload": {}}
                                                                  for i in range(len(OFFSETS))])
    today = local_date()
    async with write_transaction():
        for matter, offset in zip(matters, OFFSETS, strict=True):
            deadline = None if offset is None else today + timedelta(days=offset)
            await Matter.update({Matter.promised_deadline: deadline}).where(Matter.id == matter["id"])
    # The order the database itself gives (SQLite puts NULL first, PostgreSQL last): the pages must follow it.
    order = await Matter.select(Matter.id).where(Matter.id.is_in([m["id"] for m in matters])).order_by(
        Matter.promised_deadline, Matter.id)
    return [r["id"] for r in order]


@pytest.mark.parametrize("q, keys_limit", [("", 1000), ("翻页测试", 1000), ("翻页", 1000), ("翻页", 0)],
                         ids=["walk", "trigram-keys", "like-keys", "like-walk"])
async def test_pages_forward_and_back_are_the_database_order(queue, monkeypatch, q, keys_limit):
    monkeypatch.setattr(workbench, "PAGE_SIZE", 3)
    monkeypatch.setattr(workbench, "KEYS_LIMIT", keys_limit)
    reviewer = staff_principal(1, STAFF, "460105")
    filters = {**BLANK, "q": q}
    page = await queue_page(reviewer, filters)
    assert page.total == len(queue) and page.number == 1 and page.prev is None
    pages = [page]
    while page.next is not None:
        page = await queue_page(reviewer, filters, PageRequest.read(page.keyset.next_params(), "date"))
        pages.append(page)
    assert [r["id"] for p in pages for r in p.rows] == queue
    assert [p.number for p in pages] == list(range(1, len(pages) + 1))
    assert all(p.prev is not None for p in pages[1:]) and pages[-1].next is None
    # Back from the last page through the 上一页 cursors: the same pages, down to page 1 without a 上一页.
    back = pages[-1]
    for expected in reversed(pages[:-1]):
        back = await queue_page(reviewer, filters, PageRequest.read(back.keyset.prev_params(), "date"))
        assert [r["id"] for r in back.rows] == [r["id"] for r in expected.rows]
        assert back.number == expected.number and back.next is not None
    assert back.prev is None


def test_cursor_round_trip_and_malformed_values():
    day = local_date()
    for cursor in (Cursor(day, 42), Cursor(None, 7)):
        assert Cursor.decode(cursor.encode(), "date") == cursor
    bad_values = [Cursor("2026-13-01", 4), Cursor(1.5, 4), Cursor(day, "4"), Cursor(day, 4.0), Cursor(day, True)]
    for raw in (None, "", "x", "2026-13-01.4", "!!notbase64", "9" * 500, *(c.encode() for c in bad_values)):
        assert Cursor.decode(raw, "date") is None, raw


async def _reviewer_client(app, client, username):
    await client.sign_in_staff(username, permissions=STAFF, scopes={"division": ["460105"]})


def _link(soup, rel):
    link = soup.find("a", rel=rel)
    return link["href"] if link else None


async def test_pager_links_carry_the_key_and_the_filters(app, client, queue, monkeypatch):
    monkeypatch.setattr(workbench, "PAGE_SIZE", 5)
    await _reviewer_client(app, client, "pager")
    soup = await client.page(url_for("workbench", {"kind": "t_licence", "q": "翻页"}))
    assert "第 1 页，共 14 条" in soup.find(attrs={"data-testid": "queue-total"}).get_text()
    assert _link(soup, "prev") is None
    nxt = _link(soup, "next")
    params = parse_qs(urlparse(nxt).query)
    assert params["kind"] == ["t_licence"] and params["q"] == ["翻页"] and params["p"] == ["2"]
    assert "page" not in params and Cursor.decode(params["after"][0], "date").id == queue[4]
    # The link is an htmx swap of the queue that also pushes the URL, so the back button returns to it.
    link = soup.find("a", rel="next")
    assert link["hx-get"] == nxt and link["hx-push-url"] == "true" and link["hx-target"] == "#queue"

    page2 = await client.page(nxt)
    rows = [int(tr["data-matter"]) for tr in page2.find(attrs={"data-testid": "queue"}).find("tbody").find_all("tr")]
    assert rows == queue[5:10]
    assert "第 2 页，共 14 条" in page2.find(attrs={"data-testid": "queue-total"}).get_text()
    # The queue refreshes itself (after a review in the modal) on the page the reviewer is on.
    assert page2.find(id="queue")["hx-get"] == nxt
    prev = _link(page2, "prev")
    assert parse_qs(urlparse(prev).query)["p"] == ["1"] and "before" in prev and "q=" in prev
    page1 = await client.page(prev)
    assert _link(page1, "prev") is None
    assert [int(tr["data-matter"]) for tr in page1.find("tbody").find_all("tr")] == queue[:5]

    fragment = await client.page(nxt, htmx=True)
    assert fragment.find(id="queue") and not fragment.find("html") and not fragment.find("form", role="search")


async def test_bad_paging_parameters_show_the_first_page(app, client, queue, monkeypatch):
    monkeypatch.setattr(workbench, "PAGE_SIZE", 5)
    await _reviewer_client(app, client, "badpager")
    for query in ("after=garbage&p=9", "before=2026-99-99.1", "p=abc", "after=.x", "page=7", "p=99999999999"):
        soup = await client.page(url_for("workbench", {"{query}": ""}))
        rows = [int(tr["data-matter"]) for tr in soup.find("tbody").find_all("tr")]
        assert rows == queue[:5], query
        assert "第 1 页" in soup.find(attrs={"data-testid": "queue-total"}).get_text()


async def test_a_page_emptied_under_the_reader_offers_the_first_page(app, client, queue):
    await _reviewer_client(app, client, "emptied")
    last = await Matter.select(Matter.id, Matter.promised_deadline).where(Matter.id == queue[-1]).first()
    soup = await client.page(url_for("workbench", {"after": row_cursor(last).encode(), "p": "3"}))
    text = soup.find(id="queue").get_text()
    assert "本页已没有待办理的办件" in text and "共 14 条" in text
    assert soup.find("a", string="返回第一页")["href"] == url_for("workbench")


async def test_rows_show_state_flag_and_link_without_per_row_macros(app, client, queue):
    await _reviewer_client(app, client, "rowmarkup")
    overdue = await Matter.select(Matter.id).where(Matter.id.is_in(queue)).order_by(Matter.id).first()
    async with write_transaction():
        await Matter.update({Matter.promised_deadline: local_date() - timedelta(days=2)}).where(
            Matter.id == overdue["id"])
    soup = await client.page(url_for("workbench"))
    row = soup.find("tr", attrs={"data-matter": str(overdue["id"])})
    assert "app-flag--overdue" in row["class"]
    badge = row.find(attrs={"data-flag": "overdue"})
    assert badge.get_text() == "已超期" and {"app-badge", "app-badge--danger", "app-flag--overdue"} <= set(badge["class"])
    state = row.find_all("td")[4].find("span")
    assert state.get_text() == "待受理" and "app-badge" in state["class"]
    link = row.find("a", attrs={"data-modal-open": True})
    assert link["href"] == link["hx-get"] == url_for("workbench_matter", matter_id=overdue["id"])
    assert link.find(class_="app-visually-hidden").get_text().strip().startswith("460105-")


async def test_the_count_stops_at_the_cap_and_says_so(app, client, queue, monkeypatch):
    monkeypatch.setattr(workbench, "PAGE_SIZE", 5)
    monkeypatch.setattr(workbench, "COUNT_CAP", 10)
    await _reviewer_client(app, client, "capped")
    soup = await client.page(url_for("workbench"))
    assert "共 10 条以上" in soup.find(attrs={"data-testid": "queue-total"}).get_text()
    monkeypatch.setattr(workbench, "COUNT_CAP", 14)
    soup = await client.page(url_for("workbench"))
    assert "共 14 条" in soup.find(attrs={"data-testid": "queue-total"}).get_text()
    assert "以上" not in soup.find(attrs={"data-testid": "queue-total"}).get_text()
