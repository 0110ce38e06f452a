"""The 30-day 工伤认定 flag on the platform's workbench (MatterKind.queue_flags and the review panel's notice):
read set-wise, one query for a page of 办件, from the reports' 认定申请期限 and recorded 工伤认定申请日期."""

from __future__ import annotations

from datetime import date
from typing import Any

from domains.work_injury import rules
from domains.work_injury.tables import WiAccident
from portal.workflow.deadlines import local_date

CHUNK = 500  # an export passes thousands of rows; one IN list each


def as_date(value: Any) -> date | None:
    return value if isinstance(value, date) or value is None else date.fromisoformat(str(value)[:10])


async def _accidents(matter_ids: list[int]) -> list[dict[str, Any]]:
    return await WiAccident.select(WiAccident.matter_id, WiAccident.deadline_on, WiAccident.applied_on).where(
        WiAccident.matter_id.is_in(matter_ids))


async def queue_flags(rows: list[dict[str, Any]]) -> dict[int, tuple[str, str]]:
    """{matter id: (tone, text)} for the page's 工伤快报 rows (id, state): the flag, or 已申请工伤认定."""
    today, states = local_date(), {r["id"]: r["state"] for r in rows}
    ids = list(states)
    marks: dict[int, tuple[str, str]] = {}
    for start in range(0, len(ids), CHUNK):
        for a in await _accidents(ids[start:start + CHUNK]):
            tone, text = rules.queue_flag(states[a["matter_id"]], as_date(a["deadline_on"]),
                                          as_date(a["applied_on"]), today)
            if text:
                marks[a["matter_id"]] = (tone, text)
    return marks


async def review_notices(principal: Any, matter: dict[str, Any]) -> list[str]:
    """The review panel's notice on one 工伤快报 (MatterKind.extra["review_notices"]): the same mark as its row."""
    found = await queue_flags([{"id": matter["id"], "state": matter["state"]}])
    return [found[matter["id"]][1]] if matter["id"] in found else []
