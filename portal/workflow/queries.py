"""Reading matters for a Principal: one scoped query each, 404 (and a security audit row) when not theirs."""

from __future__ import annotations

import json
from typing import Any

from litestar.exceptions import NotFoundException

from portal import audit
from portal.auth.principal import Principal
from portal.workflow.scope import scope_where
from portal.workflow.tables import Matter, MatterEvent


def load_json(row: dict[str, Any]) -> dict[str, Any]:
    """A Matter row with its JSON columns (payload, result) as dicts."""
    for key in ("payload", "result"):
        if isinstance(row.get(key), str):
            row[key] = json.loads(row[key] or "{}")
    return row


async def select_matter(where: Any) -> dict[str, Any] | None:
    row = await Matter.select().where(where).first()
    return load_json(row) if row else None


async def get_matter_for(principal: Principal, matter_id: int) -> dict[str, Any]:
    """The matter if it is the applicant's own or inside the staff member's jurisdiction; else 404 (audited)."""
    where = scope_where(principal)
    row = None
    if where is not None and isinstance(matter_id, int):
        row = await select_matter((Matter.id == matter_id) & where)
    if row is None:
        if isinstance(matter_id, int) and await Matter.exists().where(Matter.id == matter_id):
            await audit.record(
                category="security", action="workflow.cross_tenant", actor=principal, result="denied",
                object_type="matter", object_id=matter_id,
            )
        raise NotFoundException("办件不存在")
    return row


async def timeline(matter_id: int) -> list[dict[str, Any]]:
    """Events of a matter, oldest first; call only after get_matter_for() allowed the matter."""
    return await MatterEvent.select().where(MatterEvent.matter == matter_id).order_by(MatterEvent.id)


async def find_by_number(principal: Principal, number: str) -> dict[str, Any] | None:
    """办事进度查询: a matter by its number, within the caller's own scope only."""
    where = scope_where(principal)
    if where is None:
        return None
    return await select_matter((Matter.number == number.strip()) & where)
