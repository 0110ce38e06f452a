"""Work injury (WI): the 快报确认 grid p95 and the 工伤保险单位证明 PDF, on a generated data set.

The province's scale set (seeds.scale) holds no 工伤快报 yet, so this module builds its own in a fresh SQLite
database in a temp dir (`python -m bench.work_injury --worker`): BENCH_WI_BIG reports (default 20,000) of the
biggest employer, plus BENCH_WI_EMPLOYERS others (default 500) with 40 each, every state mixed in; then it times
`grids.REPORTS.page()` with the scope and the days-left pass the page uses, and the whole certificate step
(the facts from the records, render, seal, store) with a warm browser. The last stdout line is JSON.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench._timing import percentile, timed

ROOT = Path(__file__).resolve().parent.parent
BIG = int(os.environ.get("BENCH_WI_BIG", 20_000))
OTHERS = int(os.environ.get("BENCH_WI_EMPLOYERS", 500))
EACH = 40
RUNS = int(os.environ.get("BENCH_WI_RUNS", 30))
GRID_P95_MS = 50.0
PDF_MS = 150.0


def _row(name: str, value: float | None, unit: str, target: float | None, ok: bool | None) -> dict:
    return {"name": name, "value": None if value is None else round(value, 2), "unit": unit, "target": target, "ok": ok}


def run() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="bench-wi-") as tmp:
        env = {**os.environ, "PORTAL_VAR_DIR": tmp, "PORTAL_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
               "PORTAL_SECRET_KEY": "bench-secret-key-0123456789abcdef", "PICCOLO_CONF": "piccolo_conf",
               "PORTAL_STAFF_2FA": "0"}
        for step in (["-m", "piccolo.main", "migrations", "forwards", "all"], ["-m", "seeds", "reference"]):
            subprocess.run([sys.executable, *step], cwd=ROOT, check=True, capture_output=True, env=env)  # noqa: S603
        done = subprocess.run([sys.executable, "-m", "bench.work_injury", "--worker"], cwd=ROOT, env=env,  # noqa: S603
                              capture_output=True, timeout=1800)
        if done.returncode != 0:
            raise RuntimeError(f"work_injury failed:\n{done.stderr.decode()[-3000:]}")
        return json.loads(done.stdout.decode().strip().splitlines()[-1])


async def _employer(n: int) -> dict:
    from datetime import UTC, datetime

    from domains.employer.tables import Employer
    from portal.validators import org_check_digit, uscc_check_digit

    org8 = f"{n:08d}"
    first17 = f"91460105{org8}{org_check_digit(org8)}"
    row = Employer(uscc=first17 + uscc_check_digit(first17), name=f"工伤基准单位{n:05d}有限公司", division_code="460105",
                   review_agency="460105", profile_complete=True, created_at=datetime.now(UTC),
                   updated_at=datetime.now(UTC))
    await row.save()
    return {"id": row.id, "name": row.name, "division_code": "460105", "uscc": row.uscc}


async def _reports(employer: dict, count: int, start: int) -> None:
    """`count` reports of one employer: 办件 through the platform's bulk creation, rows by multi-row INSERTs,
    then states set in place (bench data, not flows: 40% 未确认, 40% 已提交, 15% 审核通过, 5% 退回)."""
    from datetime import UTC, date, datetime, timedelta

    from domains.work_injury import matters, rules
    from domains.work_injury.tables import WiAccident
    from portal.auth.principal import Principal
    from portal.db import fetch, write_transaction
    from portal.workflow.creation import create_matters

    principal = Principal(kind="employer", account_id=0, display_name=employer["name"], employer_id=employer["id"],
                          employer_name=employer["name"])
    today = date.today()
    for offset in range(0, count, 1000):
        n = min(1000, count - offset)
        async with write_transaction():
            made = await create_matters(principal, matters.QUICK_REPORT, [
                {"payload": {"persons": f"职工{start + offset + i}"}, "title": "工伤快报", "division_code": "460105"}
                for i in range(n)], submit=False)
            rows = []
            for i, matter in enumerate(made):
                day = today - timedelta(days=(offset + i) % 700)
                rows.append(WiAccident(
                    employer=employer["id"], matter_id=matter["id"], division_code="460105",
                    occurred_at=datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC), occurred_on=day,
                    deadline_on=rules.deadline_for(day), place="车间", category="03", description="基准数据",
                    reporter="报告人", reporter_phone="13800000000", hospital="医院",
                    persons_label=f"职工{start + offset + i}", created_at=datetime.now(UTC), updated_at=datetime.now(UTC)))
            await WiAccident.insert(*rows)
            ids = [m["id"] for m in made]
            for state, share in (("submitted", (0.4, 0.8)), ("approved", (0.8, 0.95)), ("rejected", (0.95, 1.0))):
                chosen = ids[int(len(ids) * share[0]):int(len(ids) * share[1])]
                if chosen:
                    await fetch(f"UPDATE matter SET state = {{}}, submitted_at = {{}} WHERE id IN "
                                f"({', '.join('{}' for _ in chosen)})", state, datetime.now(UTC), *chosen)


async def _build() -> tuple[dict, dict]:
    from portal.areas import install_all

    install_all()
    big = await _employer(0)
    await _reports(big, BIG, 0)
    typical = big
    for n in range(1, OTHERS + 1):
        typical = await _employer(n)
        await _reports(typical, EACH, BIG + n * EACH)
    from portal.db import fetch

    await fetch("ANALYZE")
    return big, typical


async def _grid_cases(big: dict, typical: dict) -> list[dict]:
    from datetime import date, timedelta

    from domains.work_injury import grids
    from portal.dataservices.grid import Scope

    today = date.today()
    out = []

    def scope(employer: dict) -> Scope:
        return Scope("a.employer = {} AND m.state <> 'voided'", employer["id"])

    async def page(employer: dict, params: dict):
        result = await grids.REPORTS.page(params, scope(employer), path="/work-injury/reports")
        return grids.flag_deadlines(result, today)

    deep_query = await grids.REPORTS.parse({})
    before = await grids.REPORTS.walk(scope(big), deep_query, None, True, 49 * grids.REPORTS.page_size)
    deep = {"after": grids.REPORTS.cursor(before[-1], deep_query).encode(), "p": "50"}
    month = {"occurred_on_from": str(today - timedelta(days=60)), "occurred_on_to": str(today)}
    cases = [
        (f"最大单位({BIG:,}份) 无筛选 首页", big, {}),
        (f"最大单位({BIG:,}份) 状态=已提交 首页", big, {"state": "submitted"}),
        (f"最大单位({BIG:,}份) 工伤人员姓名包含 首页", big, {"person": "职工1999"}),
        (f"最大单位({BIG:,}份) 近60天 首页", big, month),
        (f"最大单位({BIG:,}份) 无筛选 第50页", big, deep),
        (f"最大单位({BIG:,}份) 按认定申请期限排序 首页", big, {"sort": "deadline_on"}),
        (f"一般单位({EACH}份) 无筛选 首页", typical, {}),
    ]
    for label, employer, params in cases:
        wall, cpu = await timed(lambda e=employer, p=params: page(e, p), runs=RUNS)
        p95 = percentile(wall, 95)
        out += [_row(f"快报确认 grid {label} p50", percentile(wall, 50), "ms", None, None),
                _row(f"快报确认 grid {label} CPU p50", percentile(cpu, 50), "ms cpu", None, None),
                _row(f"快报确认 grid {label} p95", p95, "ms", GRID_P95_MS, p95 < GRID_P95_MS)]
    return out


async def _certificate_case(employer: dict) -> list[dict]:
    """The PDF step of 工伤保险单位证明 as proof.pdf() runs it: facts from the records, issue_certificate
    (render with the warm browser, seal, store, register)."""
    from datetime import UTC, datetime

    from domains.person.tables import Person
    from domains.social_insurance import service as insurance
    from domains.work_injury import proof, service
    from portal.dataservices import signing
    from portal.dataservices.certificates import Fact, issue_certificate
    from portal.dataservices.documents import renderer
    from portal.db import write_transaction
    from portal.settings import Settings

    person = Person(id_number="460105199001011236", name="基准职工", gender="男", division_code="460105",
                    created_at=datetime.now(UTC))
    await person.save()
    async with write_transaction():
        await insurance.enrol(person.id, employer["id"], "injury", base=500000, start_period=202401)

    class _App:  # what seal_ready reads
        class state:  # noqa: N801
            settings = Settings.from_env()

    await signing.seal_ready(_App)

    subject = {"id": person.id, "name": person.name, "id_number": person.id_number}

    def facts_of(report: dict) -> list:
        return [Fact("姓名", person.name, "name"), Fact("身份证号", person.id_number, "id_number"),
                Fact("工伤单位", employer["name"]), Fact("已缴费月数", f"{report['paid_months']}个月")]

    async def platform(facts: list) -> dict:
        return await issue_certificate(kind=proof.CERTIFICATE_KIND, title=proof.TITLE, facts=facts,
                                       base_url="https://portal.example", paragraphs=[proof.PARAGRAPH],
                                       owner_employer_id=employer["id"], division_code="460105")

    async def issue():
        return await platform(facts_of(await service.proof(subject, employer)))

    fixed = facts_of(await service.proof(subject, employer))
    # Side by side, interleaved, so both see the same load: the whole step, the platform's certificate alone (same
    # facts, read once) and the domain's own part (service.proof). Whatever the first costs beyond the second is ours.
    samples: dict[str, tuple[list[float], list[float]]] = {"whole": ([], []), "platform": ([], []), "ours": ([], [])}
    for _ in range(20):
        for key, fn in (("whole", issue), ("platform", lambda: platform(fixed)),
                        ("ours", lambda: service.proof(subject, employer))):
            wall, cpu = await timed(fn, runs=1, warmup=0 if samples[key][0] else 2)
            samples[key][0].extend(wall)
            samples[key][1].extend(cpu)
    await renderer().close()
    median = percentile(samples["whole"][0], 50)
    load = os.getloadavg()[0]
    return [_row("工伤保险单位证明 PDF (facts + render + seal + store), warm browser, median of 20", median, "ms",
                 PDF_MS, median < PDF_MS),
            _row("工伤保险单位证明 PDF, max of 20", max(samples["whole"][0]), "ms", None, None),
            _row("工伤保险单位证明 PDF, CPU median (Python side)", percentile(samples["whole"][1], 50), "ms cpu", None,
                 None),
            _row("platform certificate alone (same facts), median", percentile(samples["platform"][0], 50), "ms", None,
                 None),
            _row("platform certificate alone, CPU median", percentile(samples["platform"][1], 50), "ms cpu", None,
                 None),
            _row("the domain's part (service.proof), median", percentile(samples["ours"][0], 50), "ms", None, None),
            _row("the domain's part, CPU median", percentile(samples["ours"][1], 50), "ms cpu", None, None),
            _row("load average (1 min) at the end", load, "", None, None)]


async def _worker() -> list[dict]:
    big, typical = await _build()
    return [*await _grid_cases(big, typical), *await _certificate_case(typical)]


if __name__ == "__main__" and sys.argv[1:2] == ["--worker"]:
    sys.path.insert(0, str(ROOT))
    print(json.dumps(asyncio.run(_worker()), ensure_ascii=False))
