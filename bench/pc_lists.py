"""增员确认 / 减员确认 on the scale data (issue #18: p95 < 50 ms): the employer with the most applications and a
typical one, first page, a deep page by key, state and name filters — timing `service.confirm_list()`, what the
page awaits. Each engine in its own process, as bench.grids does.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys

from bench import _scale

TARGET_P95_MS = 50.0
RUNS = int(os.environ.get("BENCH_GRID_RUNS", 30))


def run() -> list[dict]:
    rows: list[dict] = []
    for engine in _scale.engines():
        _scale.ensure(engine)
        for case in _scale.run_worker("bench.pc_lists", engine):
            name = f"pc lists {engine}: {case['name']}"
            rows.append({"name": f"{name} p50", "value": case["p50"], "unit": "ms", "target": None, "ok": None})
            rows.append({"name": f"{name} CPU p50", "value": case.get("cpu_p50"), "unit": "ms cpu", "target": None,
                         "ok": None})
            rows.append({"name": f"{name} p95", "value": case["p95"], "unit": "ms", "target": TARGET_P95_MS,
                         "ok": case["p95"] is not None and case["p95"] < TARGET_P95_MS})
    return rows


async def _cases() -> list[tuple[str, object]]:
    from domains.personnel_change import service
    from portal.auth.principal import Principal
    from portal.dataservices.keyset import Cursor, PageRequest
    from portal.db import fetch

    sizes = await fetch("SELECT employer AS e, direction AS d, COUNT(DISTINCT matter_id) AS n FROM pc_change"
                        " GROUP BY employer, direction ORDER BY n DESC, employer, direction")
    enrol = [s for s in sizes if s["d"] == "enrol"]
    withdraw = [s for s in sizes if s["d"] == "withdraw"]
    cases: list[tuple[str, object]] = []

    def employer(emp_id: int) -> Principal:
        return Principal(kind="employer", account_id=0, display_name="bench", employer_id=emp_id)

    def case(label: str, emp_id: int, direction: str, paging: PageRequest = PageRequest(), **filters: str) -> None:
        cases.append((label, lambda: service.confirm_list(employer(emp_id), direction, paging=paging, **filters)))

    # typical: the median of the employers with at least ten applications (most have one or none)
    many = [s for s in enrol if s["n"] >= 10] or enrol
    big, typical, big_w = enrol[0], many[len(many) // 2], withdraw[0]
    tag = f"最大单位({big['n']:,}件)"
    case(f"增员确认 {tag} 首页", big["e"], "enrol")
    case(f"增员确认 {tag} 未确认 首页", big["e"], "enrol", state="draft")
    case(f"增员确认 {tag} 审核通过 首页", big["e"], "enrol", state="approved")
    deep = max(2, min(20, big["n"] // service.PAGE_SIZE))
    mids = await fetch("SELECT DISTINCT matter_id AS id FROM pc_change WHERE employer = {} AND direction = 'enrol'"
                       f" ORDER BY matter_id DESC LIMIT 1 OFFSET {(deep - 1) * service.PAGE_SIZE - 1}", big["e"])
    case(f"增员确认 {tag} 第{deep}页(keyset)", big["e"], "enrol", PageRequest(after=Cursor(None, mids[0]["id"]),
                                                                             number=deep))
    some = await fetch("SELECT name, id_number FROM pc_change WHERE employer = {} AND direction = 'enrol'"
                       " ORDER BY id LIMIT 1", big["e"])
    case(f"增员确认 {tag} 姓名筛选", big["e"], "enrol", name=some[0]["name"])
    case(f"增员确认 {tag} 身份证号筛选", big["e"], "enrol", id_number=some[0]["id_number"])
    case(f"增员确认 中位单位({typical['n']:,}件) 首页", typical["e"], "enrol")
    case(f"减员确认 最大单位({big_w['n']:,}件) 首页", big_w["e"], "withdraw")
    return cases


async def _worker() -> list[dict]:
    return await _scale.timed_cases(_cases, RUNS)


if __name__ == "__main__" and sys.argv[1:2] == ["--worker"]:
    print(json.dumps(asyncio.run(_worker()), ensure_ascii=False))
