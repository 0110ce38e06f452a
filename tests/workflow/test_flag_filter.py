"""The workbench flag filter in SQL picks exactly the rows the displayed flag marks, holidays included."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.core.tables import Holiday
from portal.db import write_transaction
from portal.workflow import engine, views
from portal.workflow.deadlines import local_date
from portal.workflow.tables import Matter
from portal.workflow.workbench import queue_rows
from tests.workflow.support import employer_with_principal, make_reviewer


@pytest.fixture
async def days_off():
    """Today+1 and today+2 as holidays (where the seeded calendar has no entry), so due_soon reaches further."""
    today = local_date()
    taken = {r["day"] for r in await Holiday.select(Holiday.day)}
    async with write_transaction():
        for d in (1, 2):
            day = today + timedelta(days=d)
            if day not in taken:
                await Holiday.insert(Holiday(day=day, is_workday=False, name="测试假"))
    views.forget_calendar()
    yield
    async with write_transaction():
        await Holiday.delete().where(Holiday.name == "测试假")
    views.forget_calendar()


async def test_flag_filter_matches_the_displayed_flag_for_every_deadline(app, days_off):
    _, applicant = await employer_with_principal()
    today = local_date()
    ids = {}
    for offset in range(-2, 12):
        m = await engine.create_matter(applicant, "t_licence", payload={}, title=f"期限{offset}", submit=True)
        ids[m["id"]] = offset
        async with write_transaction():
            await Matter.update({Matter.promised_deadline: today + timedelta(days=offset)}).where(Matter.id == m["id"])
    reviewer = await make_reviewer(app, "flagsql", ["test.accept"])
    none = {"kind": "", "state": "", "flag": "", "q": ""}
    everything, _ = await queue_rows(reviewer, none)
    shown = {r["id"]: r["flag"][0] for r in everything if r["id"] in ids}
    assert len(shown) == len(ids)
    assert {i for i, f in shown.items() if f == "overdue"} == {i for i, o in ids.items() if o < 0}
    assert any(f == "due_soon" for f in shown.values()) and any(f == "" for f in shown.values())
    for code in ("overdue", "due_soon"):
        rows, has_next = await queue_rows(reviewer, {**none, "flag": code})
        assert {r["id"] for r in rows} == {i for i, f in shown.items() if f == code}, code
        assert all(r["flag"][0] == code for r in rows) and not has_next
    assert await queue_rows(reviewer, {**none, "flag": "bogus"}) == ([], False)


async def test_the_calendar_is_read_once_per_ttl(app, monkeypatch):
    calls = []

    async def counting(start, end):
        calls.append((start, end))
        return {}

    monkeypatch.setattr(views.deadlines, "load_calendar", counting)
    views.forget_calendar()
    try:
        await views.flagger()
        await views.flagger()
        assert len(calls) == 1
        monkeypatch.setattr(views, "CALENDAR_TTL_S", 0.0)
        await views.flagger()
        assert len(calls) == 2
    finally:
        views.forget_calendar()


async def test_the_clock_test_is_left_out_where_the_state_filter_already_says_it(app):
    """The workbench lists only waiting states, where every kind's clock runs: its 超期 WHERE is the date alone
    (a shorter clause for PostgreSQL to plan per request). Any other state list keeps the clock test."""
    running, stopped = views._clock_states()
    pure = sorted(s for s in running if s not in stopped)
    assert pure
    assert '"state"' not in str((await views.flag_where("overdue", pure)).querystring)
    assert '"state"' in str((await views.flag_where("overdue")).querystring)
    assert '"state"' in str((await views.flag_where("due_soon", [*pure, "draft"])).querystring)
    assert await views.flag_where("bogus", pure) is None
