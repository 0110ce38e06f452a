"""Social-insurance records on the scale set (issue #17): SI-1 … SI-6 for the biggest employer, SI-5 by ID number,
月度核定 of one 结算期 for the province, 年度结算 of a year, the 参保证明 PDF.

Each engine runs in its own process on the scale data (`bench._scale`, with the SI records of `seeds.scale_si`)
and times the functions the pages call. 核定 assesses a 结算期 the set does not have (2026-01, every employer in
the province) and removes it again; 年度结算 re-runs 2025 (idempotent). Cases: BENCH_SI_CASES=grids,assess,
year_end,pdf (default all). The last stdout line of the worker is JSON.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time

from bench import _scale
from bench._timing import percentile, timed

GRID_P95_MS = 50.0
ID_LOOKUP_P95_MS = 10.0
ASSESS_S = 60.0
PDF_MS = 150.0
RUNS = int(os.environ.get("BENCH_SI_RUNS", 30))
DEEP_PAGE = 50
PERIOD = 202512  # the set's last 结算期 (seeds.scale_si.LAST_PERIOD)
NEW_PERIOD = 202601  # assessed by the bench, then removed


def _row(name: str, value: float | None, unit: str, target: float | None, ok: bool | None) -> dict:
    return {
        "name": name,
        "value": None if value is None else round(value, 2),
        "unit": unit,
        "target": target,
        "ok": ok,
    }


def run() -> list[dict]:
    rows: list[dict] = []
    for engine in _scale.engines():
        _scale.ensure(engine)
        for case in _scale.run_worker("bench.social_insurance", engine):
            rows.append({**case, "name": f"SI {engine}: {case['name']}"})
    return rows


def _principal(employer_id: int):
    from portal.auth.principal import Principal

    return Principal(kind="employer", account_id=0, display_name="bench", employer_id=employer_id)


def _staff(*permissions: str):
    from portal.auth.principal import Principal

    return Principal(
        kind="staff",
        account_id=0,
        display_name="bench",
        permissions=frozenset(permissions),
        scopes={"division": ("460000",)},
    )


async def _deep(grid, scope, params: dict) -> tuple[int, dict]:
    """The 下一页 link that leads to page DEEP_PAGE (or the last page): the cursor of the row before it."""
    query = await grid.parse(params)
    size = grid.page_size
    page = max(2, min(DEEP_PAGE, (await grid.count(scope, query) - 1) // size + 1))
    before = await grid.walk(scope, query, None, True, (page - 1) * size)
    return page, {**params, "after": grid.cursor(before[-1], query).encode(), "p": str(page)}


async def _grid_cases() -> list[tuple[str, object, float]]:
    """(label, zero-argument coroutine function, p95 target) of every SI-1 … SI-6 query."""
    from domains.social_insurance import grids, service
    from portal.db import fetch

    big = (
        await fetch(
            "SELECT employer, headcount FROM si_employer_period WHERE period = {}"
            " ORDER BY headcount DESC, employer LIMIT 1",
            PERIOD,
        )
    )[0]
    emp, n = big["employer"], big["headcount"]
    some = (
        await fetch(
            "SELECT p.id, p.id_number, p.name FROM si_enrolment e JOIN person p ON p.id = e.person"
            " WHERE e.employer = {} ORDER BY e.id LIMIT 1",
            emp,
        )
    )[0]
    benefit = await fetch(
        "SELECT employer, insurance, period, person FROM si_benefit WHERE employer = {} ORDER BY id LIMIT 1",
        emp,
    )
    if not benefit:
        benefit = await fetch(
            "SELECT employer, insurance, period, person FROM si_benefit ORDER BY id LIMIT 1"
        )
    principal = _principal(emp)
    tag = f"最大单位({n:,}人)"
    cases: list[tuple[str, object, float]] = []

    def grid_case(label: str, grid, scope, params: dict) -> None:
        cases.append((label, lambda: grid.page(params, scope, path="/bench"), GRID_P95_MS))

    roster = grids.roster(PERIOD + 1)
    rscope = grids.enrolment_scope(principal)
    grid_case(f"SI-1 参保职工名单 {tag} 首页", roster, rscope, {})
    for label, params in (
        ("参保状态=暂停", {"status": "suspended"}),
        ("缴费状态=欠缴", {"paid_state": "due"}),
        ("参保身份=农民工", {"identity": "12"}),
        ("险种=养老", {"insurance": "pension"}),
        ("身份证号", {"id_number": some["id_number"]}),
        ("姓名包含", {"name": some["name"][:2]}),
        ("按参保开始年月排序", {"sort": "-start_period"}),
    ):
        grid_case(f"SI-1 参保职工名单 {tag} {label} 首页", roster, rscope, params)
    page, deep = await _deep(roster, rscope, {})
    grid_case(f"SI-1 参保职工名单 {tag} 第{page}页", roster, rscope, deep)

    cases.append((f"SI-2 社保应付 {tag} 结算期汇总", lambda: service.payable(emp, PERIOD), GRID_P95_MS))
    fee = grids.FEE_GRIDS["pension"]
    fscope = grids.fee_scope(principal, PERIOD, "pension")
    grid_case(f"SI-2 养老应缴明细 {tag} 首页", fee, fscope, {})
    for label, params in (
        ("到账状态=欠缴", {"paid_state": "due"}),
        ("身份证号", {"id_number": some["id_number"]}),
        ("姓名包含", {"name": some["name"][:2]}),
    ):
        grid_case(f"SI-2 养老应缴明细 {tag} {label} 首页", fee, fscope, params)
    page, deep = await _deep(fee, fscope, {})
    grid_case(f"SI-2 养老应缴明细 {tag} 第{page}页", fee, fscope, deep)

    if benefit:
        b = benefit[0]
        cases.append(
            (
                f"SI-3 {b['insurance']} 支付明细 单位({b['employer']}) 按人合计",
                lambda: service.benefit_totals(b["employer"], b["insurance"], b["period"]),
                GRID_P95_MS,
            )
        )
        cases.append(
            (
                f"SI-3 {b['insurance']} 支付明细 下钻",
                lambda: service.benefit_details(b["employer"], b["insurance"], b["period"], b["person"]),
                GRID_P95_MS,
            )
        )
    cases.append(
        (
            f"SI-4 个人养老账户 {tag} 按身份证号",
            lambda: _accounts(emp, id_number=some["id_number"]),
            GRID_P95_MS,
        )
    )
    cases.append((f"SI-4 个人养老账户 {tag} 按姓名", lambda: _accounts(emp, name=some["name"]), GRID_P95_MS))
    staff = _staff(service.QUERY_PERMISSION)
    cases.append(
        (
            "SI-5 个人综合查询 按身份证号",
            lambda: service.staff_find_persons(staff, some["id_number"]),
            ID_LOOKUP_P95_MS,
        )
    )
    cases.append(("SI-5 个人综合查询 详情", lambda: service.staff_person(staff, some["id"]), GRID_P95_MS))
    cases.append(
        ("SI-5 个人综合查询 按姓名", lambda: service.staff_find_persons(staff, some["name"]), GRID_P95_MS)
    )
    cases.append(
        (f"SI-6 单位综合查询 {tag} 参保与缴费信息", lambda: service.employer_overview(emp), GRID_P95_MS)
    )
    cases.append((f"SI-6 单位综合查询 {tag} 员工花名册", lambda: service.employer_roster(emp), GRID_P95_MS))
    return cases


async def _accounts(employer_id: int, **match: str) -> list[dict]:
    from domains.social_insurance import service

    persons = await service.insured_persons(employer_id, **match)
    return await service.pension_accounts([p["id"] for p in persons])


async def _run_grids() -> list[dict]:
    out = []
    for label, fn, target in await _grid_cases():
        result = await fn()
        found = (
            len(result.rows)
            if hasattr(result, "rows")
            else (1 if isinstance(result, dict | tuple) else len(result))
        )
        if not found:
            out.append(_row(f"{label} (无数据，用例无效)", None, "ms", target, None))
            continue
        wall, cpu = await timed(fn, runs=RUNS)
        p95 = percentile(wall, 95)
        out += [
            _row(f"{label} p50", percentile(wall, 50), "ms", None, None),
            _row(f"{label} CPU p50", percentile(cpu, 50), "ms cpu", None, None),
            _row(f"{label} p95", p95, "ms", target, p95 < target),
        ]
    return out


async def _run_assess() -> list[dict]:
    """月度核定 of a new 结算期 for the whole province (as the staff page runs it), then the 结算期 is removed."""
    from domains.social_insurance import service
    from portal.db import fetch, write_transaction

    staff = _staff(service.ASSESS_PERMISSION)
    started, cpu = time.perf_counter(), time.process_time()
    result = await service.assess(staff, NEW_PERIOD)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    again_started = time.perf_counter()
    await service.assess(staff, NEW_PERIOD)  # idempotent: every row is updated in place
    again = time.perf_counter() - again_started
    async with write_transaction():
        for table in ("si_contribution", "si_employer_period", "si_period"):
            await fetch(f"DELETE FROM {table} WHERE period = {{}}", NEW_PERIOD)
    return [
        _row(
            f"月度核定 全省一个结算期 ({result['rows']:,}条, {result['employers']:,}家单位)",
            wall,
            "s",
            ASSESS_S,
            wall < ASSESS_S,
        ),
        _row(
            "月度核定 全省 CPU (this process; PostgreSQL's own work not included)", cpu, "s cpu", None, None
        ),
        _row("月度核定 全省 再次核定 (幂等, 逐行更新)", again, "s", ASSESS_S, again < ASSESS_S),
    ]


async def _run_year_end() -> list[dict]:
    from datetime import date

    from domains.social_insurance import service

    staff = _staff(service.SETTLE_PERMISSION)
    started, cpu = time.perf_counter(), time.process_time()
    result = await service.settle_year(staff, 2025, today=date(2026, 12, 5))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return [
        _row(f"年度结算 2025 全省 ({result['persons']:,}个账户)", wall, "s", None, None),
        _row("年度结算 CPU (this process)", cpu, "s cpu", None, None),
    ]


async def _run_pdf() -> list[dict]:
    from domains.social_insurance import person_controllers
    from portal.dataservices import signing
    from portal.dataservices.documents import renderer
    from portal.db import fetch
    from portal.settings import Settings

    class _App:  # what seal_ready reads
        class state:  # noqa: N801
            settings = Settings.from_env()

    await signing.seal_ready(_App)
    # A person with a long history: the earliest start in the set.
    person = (await fetch("SELECT person FROM si_enrolment ORDER BY start_period, id LIMIT 1"))[0]["person"]
    wall, cpu = await timed(
        lambda: person_controllers.issue_proof(person, "https://portal.example"), runs=20, warmup=3
    )
    await renderer().close()
    median = percentile(wall, 50)
    return [
        _row(
            "参保证明 PDF (facts + render + seal + store), warm browser, median of 20",
            median,
            "ms",
            PDF_MS,
            median < PDF_MS,
        ),
        _row("参保证明 PDF, max of 20", max(wall), "ms", None, None),
        _row(
            "参保证明 PDF, CPU median (this process; Chromium not included)",
            percentile(cpu, 50),
            "ms cpu",
            None,
            None,
        ),
    ]


async def _worker() -> list[dict]:
    from portal.app import create_app
    from portal.db import current_engine, is_sqlite

    create_app()  # the areas' permissions, certificate kinds and loaders, as the server has them
    engine = current_engine()
    if not is_sqlite(engine):
        await engine.start_connection_pool(min_size=2, max_size=4)
    else:
        engine.open_read_pool()
    wanted = os.environ.get("BENCH_SI_CASES", "grids,assess,year_end,pdf").split(",")
    steps = {"grids": _run_grids, "assess": _run_assess, "year_end": _run_year_end, "pdf": _run_pdf}
    out: list[dict] = [_row("load average (1 min) at the start", os.getloadavg()[0], "", None, None)]
    try:
        for name in wanted:
            out += await steps[name]()
        out.append(_row("load average (1 min) at the end", os.getloadavg()[0], "", None, None))
        return out
    finally:
        if not is_sqlite(engine):
            await engine.close_connection_pool()
        else:
            await engine.close_read_pool()


if __name__ == "__main__" and sys.argv[1:2] == ["--worker"]:
    print(json.dumps(asyncio.run(_worker()), ensure_ascii=False))
