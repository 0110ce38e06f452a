"""Exports and PDFs on the scale data (issue #7, item 3): the same code paths as the data-services figures, fed
by the province-sized data set instead of a synthetic table.

- the biggest employer's whole 劳动合同综合查询 exported to xlsx (the grid, scope and keyset batches the
  page's 导出Excel link uses);
- a 500-row 新签备案名册 PDF of that employer's approved filings (the roster template the LC pages print).
Each engine runs in its own process so peak RSS is the case's own.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import _scale

EXPORT_TARGET_S = 10.0
ROSTER_ROWS = 500
ROSTER_TARGET_MS = 2000.0
RSS_TARGET_MB = 200.0


def run() -> list[dict]:
    rows: list[dict] = []
    for engine in _scale.engines():
        _scale.ensure(engine)
        for r in _scale.run_worker("bench.scale_documents", engine):
            rows.append({**r, "name": f"scale {engine}: {r['name']}"})
    return rows


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _worker() -> list[dict]:
    from domains.labor_contract import grids as lc
    from domains.labor_contract import rosters
    from portal.app import create_app
    from portal.auth.principal import Principal
    from portal.dataservices.documents import renderer
    from portal.dataservices.export import write_export
    from portal.db import current_engine, fetch, is_sqlite

    create_app()
    engine = current_engine()
    if not is_sqlite(engine):
        await engine.start_connection_pool(min_size=1, max_size=2)
    try:
        big = (await fetch("SELECT employer AS e, COUNT(*) AS n FROM contract GROUP BY employer ORDER BY n DESC, "
                           "employer LIMIT 1"))[0]
        principal = Principal(kind="employer", account_id=0, display_name="bench", employer_id=big["e"])
        out: list[dict] = []
        with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
            path = Path(tmp) / "export.xlsx"
            t, cpu = time.perf_counter(), time.process_time()
            count = await write_export(lc.QUERY, {}, lc.employer_scope(principal), path)
            wall, cpu = time.perf_counter() - t, time.process_time() - cpu
            size_mb = path.stat().st_size / 1e6
        assert count == big["n"], (count, big["n"])
        out += [
            {"name": f"劳动合同综合查询 导出 最大单位 {count:,} 行", "value": round(wall * 1000), "unit": "ms",
             "target": EXPORT_TARGET_S * 1000, "ok": wall < EXPORT_TARGET_S},
            {"name": f"劳动合同综合查询 导出 {count:,} 行: CPU (all threads)", "value": round(cpu * 1000),
             "unit": "ms cpu", "target": None, "ok": None},
            {"name": f"劳动合同综合查询 导出 {count:,} 行: rows/s", "value": round(count / wall), "unit": "rows/s",
             "target": None, "ok": None},
            {"name": f"劳动合同综合查询 导出 {count:,} 行: file size", "value": round(size_mb, 1), "unit": "MB",
             "target": None, "ok": None},
        ]
        picked = await fetch(
            "SELECT * FROM contract WHERE employer = {} AND state = 'new' AND review_state = 'approved' "
            "ORDER BY id LIMIT {}", big["e"], ROSTER_ROWS)
        roster = {"kind": "new_roster", "kind_label": "新签备案名册", "number": "BENCH-0001", "filing_agency": "",
                  "filing_agency_name": "海口市秀英区劳动保障监察大队", "created_at": datetime.now(UTC),
                  "items": await rosters.display_rows(picked)}
        employer = (await fetch("SELECT name, uscc FROM employer WHERE id = {}", big["e"]))[0]
        await rosters._render({**roster, "items": roster["items"][:5]}, employer)  # warm the browser
        t = time.perf_counter()
        pdf = await rosters._render(roster, employer)
        ms = (time.perf_counter() - t) * 1000
        assert pdf.startswith(b"%PDF")
        await renderer().close()
        out += [
            {"name": f"新签备案名册 PDF {len(picked)} 行 (warm browser)", "value": round(ms), "unit": "ms",
             "target": ROSTER_TARGET_MS, "ok": ms < ROSTER_TARGET_MS and len(picked) == ROSTER_ROWS},
            {"name": "peak RSS of the worker (export + roster)", "value": round(_peak_mb()), "unit": "MB",
             "target": RSS_TARGET_MB, "ok": _peak_mb() < RSS_TARGET_MB},
        ]
        return out
    finally:
        if not is_sqlite(engine):
            await engine.close_connection_pool()


if __name__ == "__main__" and sys.argv[1:2] == ["--worker"]:
    print(json.dumps(asyncio.run(_worker()), ensure_ascii=False))
