"""信用等级 (issue #20, no target of its own): what other domains and the squad pay for grades, on SQLite.

- `service.latest_grades(employer, 3 years)` — 合规证明 asks it per review — on a history of BENCH_INS_GRADE_EMPLOYERS
  employers (default 2,000) × 3 years, each graded and a third changed on appeal: p50 / p95 wall and CPU per call.
- One whole grade cycle through the engine (declare → 评定 → 申诉 → 变更, four transactions with history rows,
  messages with the appeal window): CPU per cycle, and a 书审 办件 (kind ins_review) submitted and approved beside
  it, so the grade's cost reads as a ratio on a loaded machine.
Runs in its own process on a fresh SQLite database (`python -m bench.ins_grades --worker`); the last stdout line is JSON.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

from bench import _fresh

EMPLOYERS = int(os.environ.get("BENCH_INS_GRADE_EMPLOYERS", 2_000))
CYCLES = int(os.environ.get("BENCH_INS_GRADE_CYCLES", 30))


def _row(name: str, value: float, unit: str) -> dict:
    return {"name": name, "value": round(value, 2), "unit": unit, "target": None, "ok": None}


def run() -> list[dict]:
    return _fresh.run_fresh("bench.ins_grades")


async def _history() -> list[int]:
    """EMPLOYERS employers with three years of grades; a third of them changed on appeal."""
    from datetime import UTC, datetime

    from domains.labor_inspection.tables import InsGradeHistory
    from portal.db import write_transaction
    from tests.support.factories import make_employer

    ids = []
    async with write_transaction():
        for i in range(EMPLOYERS):
            employer = await make_employer(division_code="460105")
            ids.append(employer["id"])
            rows = []
            for year in (2024, 2025, 2026):
                rows.append(InsGradeHistory(employer=employer["id"], year=year, grade="ABC"[i % 3], reasons="评定理由",
                                            decided_by="评定员", decided_at=datetime.now(UTC), source="decide",
                                            matter_id=i))
                if i % 3 == 2:
                    rows.append(InsGradeHistory(employer=employer["id"], year=year, grade="B", reasons="申诉变更",
                                                decided_by="复核员", decided_at=datetime.now(UTC),
                                                source="appeal_change", matter_id=i))
            await InsGradeHistory.insert(*rows)
    return ids


async def _cycle(n: int) -> tuple[float, float]:
    """CPU seconds of one grade cycle and of one submit → approve of the 书审-shaped review kind."""
    from domains.labor_inspection import grade_rules, grades, service
    from portal.auth.principal import Principal
    from portal.workflow import engine
    from tests.support.factories import make_employer

    employer = await make_employer(division_code="460105")
    applicant = Principal(kind="employer", account_id=employer["id"], display_name=employer["name"],
                          employer_id=employer["id"], employer_name=employer["name"], acting_name="张法人",
                          acting_role="legal_rep")
    squad = {"squad": ("Z460105001",)}
    grader = Principal(kind="staff", account_id=900_000 + n, display_name="评定员", scopes=squad,
                       permissions=frozenset({service.GRADE_PERMISSION, service.REVIEW_PERMISSION}))
    judge = Principal(kind="staff", account_id=950_000 + n, display_name="复核员", scopes=squad,
                      permissions=frozenset({service.GRADE_PERMISSION}))
    values = {code: grade_rules.KEPT for code, _ in grade_rules.CRITERIA}
    values.update(year=grades.year_choices()[0][0], opinion="依法用工", proposed_grade="A", division_code="460105001",
                  contact_name="李联系", contact_phone="13800000001")
    t = time.process_time()
    m = await grades.declare(applicant, values)
    m = await engine.fire(grader, m["id"], "decide", expected_version=m["version"], opinion="查处三次",
                          values={"grade": "C"})
    m = await engine.fire(applicant, m["id"], "appeal", expected_version=m["version"], opinion="两次已撤销")
    await engine.fire(judge, m["id"], "change", expected_version=m["version"], opinion="变更为B",
                      values={"new_grade": "B"})
    grade_cpu = time.process_time() - t
    t = time.process_time()
    r = await engine.create_matter(applicant, service.REVIEW_KIND, payload={"year": 2000 + n}, title="书审",
                                   squad_code="Z460105001", division_code="460105001", submit=True)
    await engine.fire(grader, r["id"], "approve", expected_version=r["version"])
    review_cpu = time.process_time() - t
    return grade_cpu, review_cpu


async def _case() -> list[dict]:
    from domains.labor_inspection import service
    from portal.app import create_app

    app = create_app()
    for hook in app.on_startup:
        await hook(app)
    try:
        load = os.getloadavg()[0]
        ids = await _history()
        walls, cpus = [], []
        for employer_id in ids[:: max(1, len(ids) // 500)]:
            w, c = time.perf_counter(), time.process_time()
            found = await service.latest_grades(employer_id, [2024, 2025, 2026])
            walls.append(time.perf_counter() - w)
            cpus.append(time.process_time() - c)
            assert set(found) == {2024, 2025, 2026}
        walls.sort()
        cycles = [await _cycle(n) for n in range(CYCLES)]
        grade = statistics.median(c[0] for c in cycles)
        review = statistics.median(c[1] for c in cycles)
        return [
            _row(f"latest_grades, 3 years, {EMPLOYERS:,} employers' history: p50 wall", walls[len(walls) // 2] * 1000, "ms"),
            _row("latest_grades p95 wall", walls[int(len(walls) * 0.95)] * 1000, "ms"),
            _row("latest_grades median CPU", statistics.median(cpus) * 1000, "ms"),
            _row(f"grade cycle declare→评定→申诉→变更, median CPU of {CYCLES}", grade * 1000, "ms"),
            _row("书审-shaped submit→approve beside it, median CPU", review * 1000, "ms"),
            _row("load average (1 min) at the start", load, ""),
        ]
    finally:
        for hook in app.on_shutdown:
            await hook(app)


if __name__ == "__main__" and sys.argv[1:2] == ["--worker"]:
    _fresh.worker(_case)
