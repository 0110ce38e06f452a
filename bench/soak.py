"""Soak (issue #16): mixed traffic at a steady rate on PostgreSQL, two app processes and the job worker.

`python -m bench soak` only (a plain `make bench` skips it: it runs for BENCH_SOAK_SECONDS, 1800 by default, at
BENCH_SOAK_RATE requests a second, 100 by default). The traffic is tests/scaleout/traffic.py's without kills:
employers filing 劳动合同新订 and uploading batch files, a reviewer approving, list pages, exports, the public
pages. Targets: p95 of page views ≤ 300 ms, errors < 0.1 %, memory flat (each process's PSS over the last
fifth of the run against the second fifth, after warm-up, within 10 %). The database is a fresh throw-away one
(scripts/postgres-test-db.sh, or BENCH_SOAK_PG_URL); it grows by every filing of the run.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECONDS = float(os.environ.get("BENCH_SOAK_SECONDS", 1800))
RATE = float(os.environ.get("BENCH_SOAK_RATE", 100))
SAMPLE_EVERY_S = 15.0
P95_TARGET_MS = 300.0
ERROR_TARGET = 0.001
MEMORY_GROWTH_TARGET = 0.10


def _env(url: str, var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(PORTAL_DATABASE_URL=url, PORTAL_VAR_DIR=str(var_dir), PICCOLO_CONF="piccolo_conf", PYTHONPATH=str(ROOT),
               PORTAL_STAFF_2FA="0", PORTAL_SECRET_KEY=secrets.token_hex(32),
               # one client address sends everything: the per-address limits would throttle the load generator
               PORTAL_RATE_PUBLIC="0", PORTAL_RATE_SIGN_IN="0", PORTAL_RATE_VERIFY_UPLOAD="0",
               # The filing employer starts empty: with the production limit (10,000 rows) its exports reach the
               # worker only at minute ~14, so the worker's warm-up would fall between the fifths the memory rule
               # compares. From 1,000 rows they are background jobs within the first minutes.
               PORTAL_EXPORT_INLINE_MAX_ROWS=os.environ.get("BENCH_SOAK_INLINE_MAX_ROWS", "1000"))
    return env


async def _setup() -> dict:
    """Two employers, a reviewer, their sessions (run in a process of its own on the soak database)."""
    from domains.labor_contract.matters import REVIEW_PERMISSION
    from portal.app import create_app
    from portal.db import current_engine
    from tests.scaleout.test_kill_under_load import _employer_session, _session
    from tests.support.factories import make_employer, make_staff

    app = create_app()
    await current_engine().start_connection_pool(min_size=1, max_size=2)
    try:
        filer, uploader = await make_employer(name="压测填报单位"), await make_employer(name="压测批量单位")
        staff = await make_staff(app, "soak_reviewer", permissions=[REVIEW_PERMISSION], scopes={"agency": ["460105"]})
        return {
            "employer": {"portal_session": await _session(_employer_session(filer))},
            "importer": {"portal_session": await _session(_employer_session(uploader))},
            "staff": {"portal_session": await _session({"kind": "staff", "uid": staff["id"]})},
            "public": {},
        }
    finally:
        await current_engine().close_connection_pool()


async def _soak(cluster, cookies: dict) -> tuple:
    import httpx

    from tests.scaleout.traffic import Traffic

    async with httpx.AsyncClient(cookies=cookies["importer"], timeout=30) as c:
        template = (await c.get(cluster.urls()[0] + "/labor-contract/batch/new-renew/template.xlsx")).content
    traffic = Traffic(cluster.urls(), cookies, seconds=SECONDS, rate=RATE, template=template, import_every_s=30.0)
    memory: list[tuple[float, dict[str, int]]] = []

    async def sample() -> None:
        start = time.monotonic()
        while time.monotonic() - start < SECONDS:
            memory.append((time.monotonic() - start, {p.name: p.pss_kib() for p in cluster.processes}))
            await asyncio.sleep(SAMPLE_EVERY_S)

    sampler = asyncio.create_task(sample())
    record = await traffic.run({"filer": 6, "reviewer": 1, "importer": 1, "public": 4})
    sampler.cancel()
    return record, memory


def run() -> list[dict]:
    if "soak" not in sys.argv[1:]:
        print("bench: soak skipped (python -m bench soak runs it)", file=sys.stderr)
        return []
    from bench._timing import percentile
    from tests.scaleout.cluster import Cluster

    url = os.environ.get("BENCH_SOAK_PG_URL") or subprocess.run(  # noqa: S603
        ["bash", str(ROOT / "scripts" / "postgres-test-db.sh")], check=True, capture_output=True, text=True,  # noqa: S607
    ).stdout.strip()
    var_dir = Path(tempfile.mkdtemp(prefix="portal-soak-"))
    env = _env(url, var_dir)
    for step in (["-m", "piccolo.main", "migrations", "forwards", "all"], ["-m", "seeds", "reference"],
                 ["-m", "bench.soak", "--setup"]):
        done = subprocess.run([sys.executable, *step], cwd=ROOT, env=env, check=True, capture_output=True, text=True)  # noqa: S603
    cookies = json.loads(done.stdout.strip().splitlines()[-1])
    started = time.time()
    with Cluster(var_dir, env=env) as cluster:
        record, memory = asyncio.run(_soak(cluster, cookies))
    elapsed = time.time() - started
    views = [o.ms for o in record.outcomes if o.kind in {"view", "public"} and o.status == 200]
    writes = [o.ms for o in record.outcomes if o.kind in {"filing", "approval"} and o.status is not None]
    errors = [o for o in record.outcomes if o.status is None or o.status >= 500 or o.failures
              or (o.kind in {"view", "public", "export"} and o.status != 200)] + record.unexpected
    total = len(record.outcomes)
    name = f"soak pg: 2 app processes{' + worker' if cluster.worker else ''}, {SECONDS / 60:.0f} min at {RATE:.0f} req/s"
    rows = [
        {"name": f"{name}: requests answered per second", "value": round(total / SECONDS, 1), "unit": "req/s",
         "target": RATE, "ok": total / SECONDS >= 0.95 * RATE},
        {"name": f"{name}: page views p95", "value": round(percentile(views, 95), 1), "unit": "ms",
         "target": P95_TARGET_MS, "ok": percentile(views, 95) <= P95_TARGET_MS},
        {"name": f"{name}: page views p50", "value": round(percentile(views, 50), 1), "unit": "ms", "target": None,
         "ok": None},
        {"name": f"{name}: filings and approvals p95", "value": round(percentile(writes, 95), 1), "unit": "ms",
         "target": None, "ok": None},
        {"name": f"{name}: errors", "value": round(len(errors) / max(total, 1) * 100, 3), "unit": "%",
         "target": ERROR_TARGET * 100, "ok": len(errors) / max(total, 1) < ERROR_TARGET},
        {"name": f"{name}: filings acknowledged", "value": len(record.filings_ok), "unit": "filings", "target": None,
         "ok": None},
        {"name": f"{name}: wall time incl. start-up", "value": round(elapsed), "unit": "s", "target": None, "ok": None},
    ]
    fifth = max(1, len(memory) // 5)
    for process in memory[0][1] if memory else {}:
        series = [m.get(process, 0) for _, m in memory]
        early, late = series[fifth:2 * fifth] or series[:1], series[-fifth:]
        growth = (sum(late) / len(late)) / max(sum(early) / len(early), 1) - 1
        rows.append({"name": f"{name}: {process} memory (PSS) last fifth vs second fifth", "value": round(growth * 100, 1),
                     "unit": f"% (now {late[-1] / 1024:.0f} MiB)", "target": MEMORY_GROWTH_TARGET * 100,
                     "ok": growth <= MEMORY_GROWTH_TARGET})
        # Caches fill during the first minutes (asyncpg statements, templates, grid counts): the second half says
        # whether it keeps growing once they are full.
        half = series[len(series) // 2:]
        spread = (max(half) - min(half)) / max(min(half), 1)
        rows.append({"name": f"{name}: {process} memory (PSS) spread over the second half", "value": round(spread * 100, 1),
                     "unit": f"% ({min(half) / 1024:.0f}–{max(half) / 1024:.0f} MiB)", "target": None, "ok": None})
    (var_dir / "soak-memory.json").write_text(json.dumps(memory))
    samples = [f"{o.kind} {o.path} {o.status} {o.failures}" for o in errors if not isinstance(o, str)] + \
        [o for o in errors if isinstance(o, str)]
    (var_dir / "soak-errors.json").write_text(json.dumps(samples, ensure_ascii=False, indent=1))
    for line in samples[:10]:
        print(f"bench: soak error: {line[:300]}", file=sys.stderr)
    print(f"bench: soak logs and memory samples in {var_dir}; load average {os.getloadavg()}", file=sys.stderr)
    return rows


if __name__ == "__main__" and sys.argv[1:2] == ["--setup"]:
    print(json.dumps(asyncio.run(_setup())))
