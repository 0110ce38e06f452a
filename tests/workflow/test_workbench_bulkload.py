"""The scale loader (seeds/bulk.py) leaves the workbench's name index complete: on SQLite it drops the FTS5
triggers for the load and rebuilds the index once; on PostgreSQL the GIN index is rebuilt with the others."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portal.db import current_engine, fetch, is_sqlite
from portal.workflow.tables import Matter
from portal.workflow.workbench import queue_page
from seeds.bulk import BulkLoader
from seeds.scale_contracts import matter_row
from tests.workflow.support import staff_principal

BLANK = {"kind": "", "state": "", "flag": "", "q": ""}
NAMES = ("海口椰林装饰工程有限公司", "三亚鹿城酒店管理有限公司", "海口椰林物业服务有限公司")


async def _triggers() -> set[str]:
    rows = await fetch("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'matter'")
    return {r["name"] for r in rows}


async def test_bulk_load_fills_the_name_index_and_restores_its_triggers():
    sqlite = is_sqlite(current_engine())
    before = await _triggers() if sqlite else set()
    submitted = datetime.now(UTC) - timedelta(days=1)
    async with BulkLoader() as bulk:
        first = await bulk.next_id(Matter)
        await bulk.defer_indexes([Matter])
        if sqlite:
            # For the load the FTS5 triggers are gone: rows go in at executemany speed.
            assert not bulk.conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'matter'").fetchall()
        rows = [matter_row(first + i, "t_licence", "TL", "submitted", (None, name, "460105", "地址", "460105"),
                           submitted, None, submitted, "批量", "{}") for i, name in enumerate(NAMES * 20)]
        await bulk.insert_dicts(Matter, rows)
        await bulk.restore_indexes()
        await bulk.fix_sequence(Matter)
    reviewer = staff_principal(1, ["test.accept"], "460105")
    page = await queue_page(reviewer, {**BLANK, "q": "椰林装饰"})
    assert page.total == 20 and all(r["applicant_name"] == NAMES[0] for r in page.rows)
    assert (await queue_page(reviewer, {**BLANK, "q": "椰林"})).total == 40
    if sqlite:
        assert await _triggers() == before and before
        await fetch("INSERT INTO matter_name_fts(matter_name_fts) VALUES ('integrity-check')")
    else:
        indexes = await fetch("SELECT indexname FROM pg_indexes WHERE tablename = 'matter'")
        assert "matter_applicant_name_trgm_idx" in {r["indexname"] for r in indexes}
