"""SECURITY 12: a grid page or export that shows whole ID numbers (`full=True`) leaves a privacy audit row."""

from __future__ import annotations

import json
from types import SimpleNamespace

from portal.auth.principal import Principal
from portal.core.tables import AuditLog
from portal.dataservices.grid import Column, Grid, audit_full_view


def _request(**params: str) -> SimpleNamespace:
    staff = Principal(kind="staff", account_id=7, display_name="稽核员")
    return SimpleNamespace(query_params=params, scope={"user": staff}, client=SimpleNamespace(host="10.0.0.9"))


def _grid(full: bool) -> Grid:
    return Grid(name="full-view", source="person", columns=[
        Column("name", "姓名"), Column("id_number", "身份证号", kind="id_number", full=full),
    ])


async def test_full_columns_are_audited_with_the_filters_and_row_count():
    await audit_full_view(_request(name="张", after="abc"), _grid(full=True), 3)
    row = await AuditLog.select().where(AuditLog.action == "grid.full_view").first()
    assert (row["category"], row["object_id"], row["actor_id"], row["ip"]) == ("privacy", "full-view", 7, "10.0.0.9")
    detail = json.loads(row["detail"])
    assert detail == {"columns": ["身份证号"], "rows": 3, "filters": {"name": "张"}}
    await audit_full_view(_request(), _grid(full=True), 5, action="grid.full_export")
    assert await AuditLog.count().where(AuditLog.action == "grid.full_export") == 1


async def test_masked_grids_and_empty_pages_write_nothing():
    await audit_full_view(_request(), _grid(full=False), 3)
    await audit_full_view(_request(), _grid(full=True), 0)
    assert await AuditLog.count().where(AuditLog.category == "privacy") == 0
