"""The one keyset pager (grids and the workbench): cursors, the URL's paging parameters, pages forward and back."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from portal.dataservices.keyset import Cursor, PageRequest, keyset_page


@pytest.mark.parametrize(("cursor", "kind"), [
    (Cursor(date(2026, 1, 5), 3), "date"), (Cursor(None, 7), "date"), (Cursor("王小明.1", 9), "text"),
    (Cursor(datetime(2026, 1, 5, 8, 30, tzinfo=UTC), 1), "datetime"), (Cursor(520050, 2), "money"),
])
def test_cursor_round_trip(cursor, kind):
    assert Cursor.decode(cursor.encode(), kind) == cursor


@pytest.mark.parametrize("raw", [None, "", "x", "!!notbase64", "9" * 500, Cursor(date(2026, 1, 5), "1").encode(),
                                 Cursor(date(2026, 1, 5), True).encode(), Cursor([1], 1).encode()])
def test_malformed_cursor_means_the_first_page(raw):
    assert Cursor.decode(raw, "text") is None
    assert PageRequest.read({"after": raw or "", "p": "4"}) == PageRequest()


def test_page_request_from_the_url():
    after, before = Cursor("b", 2), Cursor("a", 1)
    assert PageRequest.read({"after": after.encode(), "before": before.encode(), "p": "3"}) == PageRequest(after, None, 3)
    assert PageRequest.read({"before": before.encode(), "p": "2"}) == PageRequest(None, before, 2)
    for p in ("abc", "0", "-1", "99999999999", ""):
        assert PageRequest.read({"after": after.encode(), "p": p}).number == 1
    assert PageRequest.read({"p": "7"}).number == 1  # no cursor: the first page, whatever p says
    assert PageRequest(after, None, 3).url_params() == {"after": after.encode(), "p": "3"}
    assert PageRequest().url_params() == {}


async def test_pages_forward_and_back_are_the_same_pages():
    rows = [{"v": v, "id": i} for i, v in enumerate("aabbbcdeeffg")]
    order = sorted(rows, key=lambda r: (r["v"], r["id"]))

    def key(row):
        return Cursor(row["v"], row["id"])

    async def walk(cursor, forward, limit):
        ordered = order if forward else order[::-1]
        if cursor is not None:
            mark = (cursor.value, cursor.id)
            ordered = [r for r in ordered if ((r["v"], r["id"]) > mark if forward else (r["v"], r["id"]) < mark)]
        return ordered[:limit]

    pages = [await keyset_page(walk, PageRequest(), 5, key)]
    while pages[-1].next:
        pages.append(await keyset_page(walk, PageRequest.read(pages[-1].next_params()), 5, key))
    assert [r for p in pages for r in p.rows] == order and [p.number for p in pages] == [1, 2, 3]
    assert pages[0].prev is None and not pages[0].has_prev and pages[-1].next is None
    back = pages[-1]
    for expected in reversed(pages[:-1]):
        back = await keyset_page(walk, PageRequest.read(back.prev_params()), 5, key)
        assert back.rows == expected.rows and back.number == expected.number
    assert back.prev is None and back.number == 1
