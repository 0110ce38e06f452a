"""The demo 工伤快报: every state, one within 5 days of its 工伤认定 limit, loaded once."""

from __future__ import annotations

from domains.work_injury import service
from domains.work_injury.tables import WiAccident, WiInjured
from portal.db import fetch
from seeds.demo import load_demo


async def test_demo_reports_in_every_state(app):
    await load_demo()
    rows = await fetch("SELECT a.*, m.state FROM wi_accident a JOIN matter m ON m.id = a.matter_id")
    assert {r["state"] for r in rows} == {"draft", "submitted", "approved", "rejected", "voided"}
    flags = [service.deadline(r)["deadline_flag"] for r in rows]
    assert "due_soon" in flags
    assert any(r["review_opinion"] for r in rows if r["state"] == "rejected")
    assert await WiInjured.count() == 7
    count = await WiAccident.count()
    await load_demo()
    assert await WiAccident.count() == count
