"""Query grids on the scale data: 劳动合同综合查询 (LC-2) and the staff workbench (X-2), p50 / p95 server time.

Each engine runs in its own process (the engine comes from PORTAL_DATABASE_URL at import) and times the very
functions the pages call: `Grid.page()` of domains.labor_contract.grids.QUERY and `workbench.queue_rows()`.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys

from bench import _scale

TARGET_P95_MS = 50.0
RUNS = int(os.environ.get("BENCH_GRID_RUNS", 30))
DEEP_PAGE = 50
WB_DEEP_PAGE = int(os.environ.get("BENCH_WB_DEEP_PAGE", 200))


# The walk of one page visits a few hundred index entries per waiting state; sorting the whole province queue
# (70,000 entries on the 1M set) runs millions of steps.
MAX_WALK_STEPS = 200_000


def run() -> list[dict]:
    rows: list[dict] = []
    for engine in _scale.engines():
        _scale.ensure(engine)
        for case in _scale.run_worker("bench.grids", engine):
            name = f"grid {engine}: {case['name']}"
            if "plan" in case:  # how SQLite plans the workbench walk: a sort there cost ~100 ms a page (#15)
                ok = "matter_queue_cover_idx" in case["plan"] and case["steps"] <= MAX_WALK_STEPS
                rows.append({"name": f"{name}: {case['plan']}", "value": case["steps"],
                             "unit": "VM steps", "target": MAX_WALK_STEPS, "ok": ok})
                continue
            rows.append({"name": f"{name} p50", "value": case["p50"], "unit": "ms", "target": None, "ok": None})
            rows.append({"name": f"{name} CPU p50 (Python side)", "value": case.get("cpu_p50"), "unit": "ms cpu",
                         "target": None, "ok": None})
            rows.append({"name": f"{name} p95", "value": case["p95"], "unit": "ms", "target": TARGET_P95_MS,
                         "ok": case["p95"] is not None and case["p95"] < TARGET_P95_MS})
    return rows


async def _cases() -> list[tuple[str, object]]:
    """(label, zero-argument coroutine function) for every measured query."""
    from domains.labor_contract import grids as lc
    from portal.auth.principal import Principal
    from portal.db import fetch

    sizes = await fetch("SELECT employer AS e, COUNT(*) AS n FROM contract GROUP BY employer ORDER BY n DESC, employer")
    big, typical = sizes[0], sizes[len(sizes) // 2]
    some = await fetch("SELECT id_number, worker_name FROM contract WHERE employer = {} ORDER BY id LIMIT 1", big["e"])
    cases: list[tuple[str, object]] = []

    def employer(emp_id: int) -> Principal:
        return Principal(kind="employer", account_id=0, display_name="bench", employer_id=emp_id)

    async def deep_params(principal: Principal, params: dict) -> tuple[int, dict]:
        # The cursor a user reaches by pressing 下一页 again and again: the last row of the previous page.
        scope = lc.employer_scope(principal)
        query = await lc.QUERY.parse(params)
        size = lc.QUERY.page_size
        page = max(2, min(DEEP_PAGE, (await lc.QUERY.count(scope, query) - 1) // size + 1))
        before = await lc.QUERY.walk(scope, query, None, True, (page - 1) * size)
        return page, {**params, "after": lc.QUERY.cursor(before[-1], query).encode(), "p": str(page)}

    def lc_case(label: str, principal: Principal, params: dict) -> None:
        scope = lc.employer_scope(principal)
        cases.append((label, lambda: lc.QUERY.page(params, scope, path=lc.BASE)))

    biggest = employer(big["e"])
    tag = f"最大单位({big['n']:,}条)"
    filters = {"state": "new", "review_state": "approved", "employed": "1"}
    lc_case(f"劳动合同综合查询 {tag} 无筛选 首页", biggest, {})
    lc_case(f"劳动合同综合查询 {tag} 状态筛选 首页", biggest, filters)
    lc_case(f"劳动合同综合查询 {tag} 姓名包含 首页", biggest, {"worker_name": some[0]["worker_name"][:1]})
    lc_case(f"劳动合同综合查询 {tag} 身份证号 首页", biggest, {"id_number": some[0]["id_number"]})
    for label, params in (("无筛选", {}), ("状态筛选", filters)):
        page, deep = await deep_params(biggest, params)
        lc_case(f"劳动合同综合查询 {tag} {label} 第{page}页", biggest, deep)
    lc_case(f"劳动合同综合查询 中位单位({typical['n']:,}条) 无筛选 首页", employer(typical["e"]), {})

    from portal.areas import install_all
    from portal.dataservices.keyset import Cursor, PageRequest
    from portal.workflow.kinds import get_kind
    from portal.workflow.workbench import PAGE_SIZE, queue_page, queue_query, row_cursor

    install_all()  # the matter kinds come from the areas
    perms = get_kind("lc_contract").staff_permissions | get_kind("lc_employer_filing").staff_permissions
    province = Principal(kind="staff", account_id=0, display_name="bench", permissions=perms,
                         scopes={"division": ("460000",)})
    district = Principal(kind="staff", account_id=0, display_name="bench", permissions=perms,
                         scopes={"agency": ("460106",)})
    blank = {"kind": "", "state": "", "flag": "", "q": ""}
    name = (await fetch("SELECT applicant_name FROM matter WHERE state = 'submitted' AND kind = 'lc_contract' LIMIT 1")
            )[0]["applicant_name"]

    def wb_case(label: str, principal: Principal, filters: dict, after: Cursor | None = None) -> None:
        # queue_page is what the page awaits: the rows of one page and the exact 共 N 条 count.
        cases.append((label, lambda: queue_page(principal, {**blank, **filters}, PageRequest(after=after))))

    async def cursor_to(principal: Principal, filters: dict, page: int) -> Cursor:
        # The cursor in the 下一页 link that leads to `page`: the last row of the page before it.
        query = await queue_query(principal, {**blank, **filters})
        row = await fetch("{}", query.sql('"matter"."id" AS id, "matter"."promised_deadline" AS promised_deadline',
                                          'ORDER BY "matter"."promised_deadline", "matter"."id" LIMIT 1 '
                                          f"OFFSET {(page - 1) * PAGE_SIZE - 1}"))
        return row_cursor(row[0])

    # The province reviewer's kinds only: the scale set also holds 网上书审 (squads only) and 人员增减员 matters.
    waiting = (await fetch("SELECT COUNT(*) AS n FROM matter WHERE state = 'submitted' AND kind IN ({}, {})",
                           "lc_contract", "lc_employer_filing"))[0]["n"]
    wb_case(f"工作台 全省 待办({waiting:,}件) 首页", province, {})
    deep = max(2, min(WB_DEEP_PAGE, waiting // PAGE_SIZE))
    wb_case(f"工作台 全省 待办 第{deep}页(keyset)", province, {}, await cursor_to(province, {}, deep))
    wb_case("工作台 全省 事项+状态筛选 首页", province, {"kind": "lc_contract", "state": "submitted"})
    # Needles cut from a real name: the two 字号 characters and what follows, e.g. 海口|恒海|文化传媒有限公司.
    for needle in (name[2], name[2:4], name[2:6]):
        wb_case(f"工作台 全省 单位名称搜索 {len(needle)}字「{needle}」", province, {"q": needle})
    # The unfavourable ends: a pair of 字号 characters few names share (the LIKE test reads every waiting
    # entry), and the 4 characters nearly every name has (too many trigram candidates: the same walk).
    rare = await _rare_pair()
    wb_case(f"工作台 全省 单位名称搜索 罕见2字「{rare}」", province, {"q": rare})
    wb_case("工作台 全省 单位名称搜索 常见4字「有限公司」", province, {"q": "有限公司"})
    wb_case("工作台 全省 超期筛选 首页", province, {"flag": "overdue"})
    wb_case("工作台 区级审核机构 待办 首页", district, {})
    wb_case(f"工作台 区级审核机构 单位名称搜索 2字「{name[2:4]}」", district, {"q": name[2:4]})
    wb_case("工作台 全省 已办结 首页", province, {"state": "approved"})
    await _squad_cases(wb_case)
    return cases


async def _squad_cases(wb_case) -> None:
    """Issue #20: a 监察中队's queue of 网上书审 (squad scope), the busiest squad of the scale set."""
    from portal.auth.principal import Principal
    from portal.db import fetch
    from portal.workflow.kinds import get_kind

    busiest = await fetch("SELECT squad_code AS s, COUNT(*) AS n FROM matter WHERE kind = 'ins_review' "
                          "AND state = 'submitted' GROUP BY squad_code ORDER BY n DESC, squad_code LIMIT 1")
    if not busiest:
        return
    total = (await fetch("SELECT COUNT(*) AS n FROM matter WHERE kind = 'ins_review'"))[0]["n"]
    squads = (await fetch("SELECT COUNT(DISTINCT squad_code) AS n FROM matter WHERE kind = 'ins_review'"))[0]["n"]
    squad = Principal(kind="staff", account_id=0, display_name="bench",
                      permissions=get_kind("ins_review").staff_permissions, scopes={"squad": (busiest[0]["s"],)})
    tag = f"监察中队 {busiest[0]['s']}（书审{total:,}件/{squads}个中队，本队待办{busiest[0]['n']}件）"
    wb_case(f"工作台 {tag} 待办 首页", squad, {})
    wb_case(f"工作台 {tag} 网上书审 待审核", squad, {"kind": "ins_review", "state": "submitted"})


async def _rare_pair() -> str:
    """Two 字号 characters that some, but few, waiting matters' names hold (deterministic for a data set)."""
    from portal.db import fetch

    rows = await fetch("SELECT applicant_name AS n, COUNT(*) AS c FROM matter WHERE state = 'submitted' "
                       "AND kind IN ('lc_contract', 'lc_employer_filing') "
                       "GROUP BY applicant_name ORDER BY applicant_name")
    pairs: dict[str, int] = {}
    for row in rows:
        pair = row["n"][2:4]
        pairs[pair] = pairs.get(pair, 0) + row["c"]
    return min(pairs, key=lambda p: (abs(pairs[p] - 20), p))


async def _walk_plan() -> dict:
    """EXPLAIN QUERY PLAN of the province workbench's first page, with the data set's own statistics, and the
    virtual-machine steps it runs. The plan names a TEMP B-TREE whenever more than one state is waiting (the
    covering index is ordered within each state), but with LIMIT SQLite stops reading a state as soon as it
    cannot reach the first page: the steps tell a bounded merge from sorting the whole queue."""
    import sqlite3

    from portal.auth.principal import Principal
    from portal.db import current_engine
    from portal.workflow.kinds import get_kind
    from portal.workflow.workbench import queue_query, walk_statement

    perms = get_kind("lc_contract").staff_permissions | get_kind("lc_employer_filing").staff_permissions
    staff = Principal(kind="staff", account_id=0, display_name="bench", permissions=perms,
                      scopes={"division": ("460000",)})
    query = await queue_query(staff, {"kind": "", "state": "", "flag": "", "q": ""})
    sql, args = walk_statement(query, forward=True, limit=51).compile_string(engine_type="sqlite")
    with sqlite3.connect(current_engine().path) as conn:
        plan = " | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, args))
        steps = [0]

        def count() -> int:
            steps[0] += 1000
            return 0

        conn.set_progress_handler(count, 1000)
        conn.execute(sql, args).fetchall()
    return {"name": "工作台 全省 待办 首页 查询计划", "plan": plan, "steps": steps[0]}


async def _worker() -> list[dict]:
    from portal.db import current_engine, is_sqlite

    async def plan() -> list[dict]:
        return [await _walk_plan()] if is_sqlite(current_engine()) else []

    return await _scale.timed_cases(_cases, RUNS, first=plan)


if __name__ == "__main__" and sys.argv[1:2] == ["--worker"]:
    print(json.dumps(asyncio.run(_worker()), ensure_ascii=False))
