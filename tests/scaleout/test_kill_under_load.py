"""The proof of issue #16: two app processes and the job worker on PostgreSQL under a minute of mixed traffic; an
app process and the worker are killed with SIGKILL at random moments and started again.

Afterwards: every write a client was told succeeded is in the database exactly once (and no write whose answer
was lost is there twice); every import job has ended (done, or failed with a Chinese message) within 30 s of its
worker's return; no client saw an error other than a failed connection to a process inside its kill window; the
audit chain verifies. PostgreSQL only (SQLite is one machine's file; `make test-postgres` runs it).
PORTAL_PROOF_SECONDS (60) sets the length, PORTAL_PROOF_SEED the kill moments (printed on failure).
"""

from __future__ import annotations

import asyncio
import os
import random
import time

import httpx
import pytest

from domains.labor_contract.matters import REVIEW_PERMISSION
from domains.labor_contract.tables import Contract
from portal.audit import verify_chain
from portal.auth.sessions import DatabaseStore
from portal.dataservices.tables import ExportJob, ImportJob, ImportLock
from portal.workflow.tables import MatterEvent
from tests.scaleout.cluster import Cluster, has_worker
from tests.scaleout.traffic import Traffic
from tests.support.factories import make_employer, make_staff

pytestmark = pytest.mark.skipif(
    not os.environ.get("PORTAL_DATABASE_URL", "").startswith("postgres"),
    reason="the multi-process proof runs on PostgreSQL (make test-postgres)",
)

SECONDS = float(os.environ.get("PORTAL_PROOF_SECONDS", 60))
JOB_GRACE_S = 30.0
# A request in flight when its process dies fails when the kernel closes the socket, and one sent to the port
# while the process is down is refused: both count as inside the window until the process answers again.
WINDOW_SLACK_S = 1.0
ENDED = {"done", "failed", "expired"}


async def _session(data: dict) -> str:
    import json
    import secrets

    key = secrets.token_urlsafe(32)
    await DatabaseStore().set(key, json.dumps({**data, "auth_at": time.time()}).encode(), expires_in=3600)
    return key


def _employer_session(employer: dict) -> dict:
    return {"kind": "employer", "employer_id": employer["id"], "account_id": employer["id"] + 1000,
            "acting_name": "压测经办", "acting_role": "legal_rep"}


async def _chaos(cluster: Cluster, rng: random.Random, start: float) -> None:
    """Kill an app process twice (a random one, never both at once) and the worker once, at random moments."""
    plan = [(rng.uniform(0.12, 0.35) * SECONDS, rng.choice(cluster.apps)),
            (rng.uniform(0.55, 0.75) * SECONDS, rng.choice(cluster.apps))]
    if cluster.worker:
        plan.append((rng.uniform(0.2, 0.7) * SECONDS, cluster.worker))
    for at, process in sorted(plan, key=lambda p: p[0]):
        await asyncio.sleep(max(0.0, start + at - time.monotonic()))
        process.kill()
        await asyncio.sleep(rng.uniform(0.3, 2.0))
        process.start()
        await asyncio.to_thread(process.wait_ready)
        process.restarted()


def _in_window(cluster: Cluster, process: int, at: float) -> bool:
    return any(killed - WINDOW_SLACK_S <= at <= (back or float("inf")) + WINDOW_SLACK_S
               for killed, back in cluster.apps[process].outages)


async def test_two_app_processes_and_the_worker_survive_kill_9_under_load(app, tmp_path):
    seed = int(os.environ.get("PORTAL_PROOF_SEED", int(time.time())))
    rng = random.Random(seed)
    filer, uploader = await make_employer(name="压测填报单位"), await make_employer(name="压测批量单位")
    staff = await make_staff(app, "proof_reviewer", permissions=[REVIEW_PERMISSION], scopes={"agency": ["460105"]})
    cookies = {
        "employer": {"portal_session": await _session(_employer_session(filer))},
        "importer": {"portal_session": await _session(_employer_session(uploader))},
        "staff": {"portal_session": await _session({"kind": "staff", "uid": staff["id"]})},
        "public": {},
    }
    assert has_worker(), "jobs run in python -m portal.worker: the proof kills it too"
    # Exports of more than a few rows go through the job queue, so the worker's deaths hit export jobs too.
    with Cluster(tmp_path, env={**os.environ, "PORTAL_EXPORT_INLINE_MAX_ROWS": "5"}) as cluster:
        async with httpx.AsyncClient(cookies=cookies["importer"], timeout=30) as c:
            template = (await c.get(cluster.urls()[0] + "/labor-contract/batch/new-renew/template.xlsx")).content
        traffic = Traffic(cluster.urls(), cookies, seconds=SECONDS, seed=seed % 1000, template=template)
        start = time.monotonic()
        chaos = asyncio.create_task(_chaos(cluster, rng, start))
        record = await traffic.run()
        await chaos
        traffic_end = time.monotonic()
        returns = [back for p in cluster.processes for _, back in p.outages if back]
        logs = {p.name: p.tail(1500) for p in cluster.processes}

        # Jobs: ended within JOB_GRACE_S of the worker's return (or of the last upload, whichever is later).
        job_deadline = max([traffic_end, *returns]) + JOB_GRACE_S
        while time.monotonic() < job_deadline:
            if not (await ImportJob.exists().where(ImportJob.status.not_in(list(ENDED)))
                    or await ExportJob.exists().where(ExportJob.status.not_in(list(ENDED)))):
                break
            await asyncio.sleep(0.5)
        jobs = await ImportJob.select(ImportJob.token, ImportJob.status, ImportJob.message, ImportJob.written)
        exports = await ExportJob.select(ExportJob.token, ExportJob.status, ExportJob.message)
        locks = await ImportLock.count()
    context = f"seed={seed}; kills={[(p.name, [round(k - start, 1) for k, _ in p.outages]) for p in cluster.processes]}"

    # What happened, for the log of a passing run too (pytest -rP).
    counts = record.count()
    print(context, dict(counts), f"filings ok {len(record.filings_ok)}, unknown {len(record.filings_unknown)}; "
          f"approvals ok {len(record.approvals_ok)}; imports {len(record.imports)}, lost {len(record.imports_unknown)}; "
          f"jobs {sorted((j['status'], j['message'][:30]) for j in jobs)}; "
          f"exports {sorted((j['status'], j['message'][:30]) for j in exports)}")

    # 1. The traffic happened (a test that sent nothing would pass every check below).
    assert len(record.filings_ok) >= 10 and record.approvals_ok and record.imports, (counts, context)
    assert counts["view"] >= 50 and counts["export"] >= 1 and counts["public"] >= 10, (counts, context)

    # 2. No error but failed connections to a process inside its kill window.
    errors = list(record.unexpected)
    for o in record.outcomes:
        if o.status is not None and (o.status >= 500 or (o.kind in {"view", "export", "public"} and o.status != 200)):
            errors.append(f"{o.kind} {o.path}: {o.status} on app{o.process + 1} at {o.at - start:.1f}s")
        errors += [f"{o.kind} {o.path}: {name} on app{p + 1} at {at - start:.1f}s outside a kill window"
                   for p, at, name in o.failures if not _in_window(cluster, p, at)]
    assert not errors, (errors[:20], context, logs)

    # 3. Exactly once: every acknowledged filing once, with its matter; nothing twice, acknowledged or not.
    numbers = set(record.filings_ok) | record.filings_unknown | {n for ns in record.imports.values() for n in ns} \
        | {n for ns in record.imports_unknown for n in ns}
    stored: dict[str, list[dict]] = {}
    for row in await Contract.select(Contract.id_number, Contract.matter_id).where(
            Contract.id_number.is_in(sorted(numbers))):
        stored.setdefault(row["id_number"], []).append(row)
    twice = {n: len(rows) for n, rows in stored.items() if len(rows) > 1}
    assert not twice, (twice, context)
    lost = [n for n in record.filings_ok if n not in stored]
    assert not lost, (f"{len(lost)} acknowledged filings missing", lost[:10], context)
    assert all(stored[n][0]["matter_id"] == m for n, m in record.filings_ok.items()), context
    approvals: dict[int, int] = {}
    for row in await MatterEvent.select(MatterEvent.matter).where(MatterEvent.action == "approve"):
        approvals[row["matter"]] = approvals.get(row["matter"], 0) + 1
    assert not {m: n for m, n in approvals.items() if n > 1}, context
    assert not [m for m in record.approvals_ok if approvals.get(m) != 1], context

    # 4. The audit chain of everything the processes wrote, interleaved, still verifies.
    assert await verify_chain() == (True, None), context

    # 5. Jobs ended, each failed one saying why in Chinese, and no employer left locked out of uploading.
    running = [j for j in jobs if j["status"] not in ENDED]
    silent = [j for j in jobs if j["status"] == "failed" and not any("\u4e00" <= c <= "\u9fff" for c in j["message"])]
    done_rows = [n for j in jobs if j["status"] == "done" and j["written"] for n in record.imports.get(j["token"], [])]
    assert all(n in stored for n in done_rows), context
    assert not running, (running, context, logs)
    assert not silent, (silent, context)
    assert locks == 0, context

    # 6. Background exports too: each ended (a file, or failed saying why), and at least one reached its file.
    assert exports and record.exports, (counts, context)
    assert not [j for j in exports if j["status"] not in ENDED], (exports, context, logs)
    assert not [j for j in exports if j["status"] == "failed" and not any("\u4e00" <= c <= "\u9fff" for c in j["message"])]
    assert any(j["status"] == "done" for j in exports), (exports, context)
