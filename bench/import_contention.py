"""SQLite under a big import (issue #12 item 14): while one employer's LC 新订 batch of BENCH_CONTENTION_ROWS rows
(default 50,000) is read, checked, staged in hidden chunks and published, another employer signs in (a session
row) and files single 新订 (POST → 303) in a loop; reports their p50/p95/max latency, how many failed, the longest
hold of SQLite's writer (any writer: a chunk, the publish, a filing) and the publish's own hold. Fresh SQLite
database in a temp dir, one process.

`python -m bench.import_contention` (BENCH_CONTENTION_ROWS=2000 for a small run); the last stdout line is JSON.
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
ROWS = int(os.environ.get("BENCH_CONTENTION_ROWS", 50_000))


def _row(name: str, value: float, unit: str, target: float | None, ok: bool | None) -> dict:
    return {"name": name, "value": round(value, 2), "unit": unit, "target": target, "ok": ok}


def run() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="bench-contention-") as tmp:
        env = {**os.environ, "PORTAL_VAR_DIR": tmp, "PORTAL_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
               "PORTAL_SECRET_KEY": "bench-secret-key-0123456789abcdef", "PICCOLO_CONF": "piccolo_conf",
               "PORTAL_STAFF_2FA": "0"}
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "bench.import_contention", "--worker"], cwd=ROOT, env=env, capture_output=True,
            timeout=1800,
        )
        if done.returncode != 0:
            raise RuntimeError(f"import_contention failed:\n{done.stderr.decode()[-3000:]}")
        return json.loads(done.stdout.decode().strip().splitlines()[-1])


async def _signed_in(app, employer: dict):
    import httpx

    from portal.auth.sessions import DatabaseStore

    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench.local")
    sid = secrets.token_urlsafe(32)
    payload = {"kind": "employer", "auth_at": time.time(), "employer_id": employer["id"], "acting_role": "legal_rep",
               "acting_name": "张法人"}
    await DatabaseStore().set(sid, json.dumps(payload).encode(), expires_in=1800)
    client.cookies.set("portal_session", sid, domain="bench.local")
    await client.get("/")
    return client


async def _case() -> list[dict]:
    from bench.lc_batch import _filled
    from domains.labor_contract import service
    from portal.app import create_app
    from portal.auth.sessions import DatabaseStore
    from portal.dataservices import imports, staging
    from portal.dataservices.tables import ImportJob
    from portal.db import write_transaction
    from portal.jobs import drain
    from tests.labor_contract.support import form_data
    from tests.support.factories import make_employer, make_id_number

    imports.BACKGROUND_BYTES = 0  # small runs too go to the background, as every big upload does
    published: list[float] = []
    chunks: list[float] = []
    publish, stage = staging.Batch.publish, service.write_filings

    async def timed_publish(self):  # inside the import's last write transaction
        t = time.perf_counter()
        try:
            return await publish(self)
        finally:
            published.append(time.perf_counter() - t)

    async def timed_stage(plan, batch=None):  # inside a chunk's write transaction
        t = time.perf_counter()
        try:
            return await stage(plan, batch)
        finally:
            chunks.append(time.perf_counter() - t)

    staging.Batch.publish, service.write_filings = timed_publish, timed_stage
    app = create_app()
    for hook in app.on_startup:
        await hook(app)
    holds = _time_writer_holds()
    try:
        async with write_transaction():
            big, small = await make_employer(), await make_employer()
        importer, other = await _signed_in(app, big), await _signed_in(app, small)
        template = await importer.get("/labor-contract/batch/new-renew/template.xlsx")
        data = _filled(template.content, ROWS)
        response = await importer.post(
            "/labor-contract/batch/new-renew", data={"_csrf_token": importer.cookies.get("csrftoken")},
            files={"file": ("合同.xlsx", data, "application/octet-stream")})
        assert response.status_code == 303, response.text[:300]
        token = response.headers["location"].rstrip("/").rsplit("/", 1)[-1]
        started = time.perf_counter()
        logins: list[float] = []
        filings: list[float] = []
        failures = errors = 0
        while True:
            if (await ImportJob.select(ImportJob.status).where(ImportJob.token == token).first())["status"] in (
                    "done", "failed"):  # the background import finished
                break
            t = time.perf_counter()
            await DatabaseStore().set(secrets.token_urlsafe(32), b'{"kind": "employer"}', expires_in=60)
            logins.append(time.perf_counter() - t)
            t = time.perf_counter()
            answer = await other.post("/labor-contract/new", data={
                # another district's people: the batch's own (460105) are held by it and would be refused
                **form_data(id_number=make_id_number(division="460106")), "form_token": secrets.token_urlsafe(16),
                "_csrf_token": other.cookies.get("csrftoken")})
            filings.append(time.perf_counter() - t)
            failures += answer.status_code != 303
            errors += answer.status_code >= 500
        total = time.perf_counter() - started
        await drain(app)
    finally:
        for hook in app.on_shutdown:
            await hook(app)

    def pct(values: list[float], p: float) -> float:
        ordered = sorted(values) or [0.0]
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000

    return [
        _row(f"import of {ROWS:,} rows: parse, check and write while the others run", total * 1000, "ms", None, None),
        _row("concurrent logins (session row): p50", pct(logins, 0.5), "ms", None, None),
        _row("concurrent logins (session row): p95", pct(logins, 0.95), "ms", 1000, pct(logins, 0.95) < 1000),
        _row("concurrent single 新订 filings: p50", pct(filings, 0.5), "ms", None, None),
        _row("concurrent single 新订 filings: p95", pct(filings, 0.95), "ms", 1000, pct(filings, 0.95) < 1000),
        _row("concurrent logins: max", max(logins + [0]) * 1000, "ms", None, None),
        _row("concurrent single 新订 filings: max", max(filings + [0]) * 1000, "ms", None, None),
        _row(f"single filings that failed (of {len(filings)}; {errors} with 500)", failures, "", 0, failures == 0),
        _row("longest hold of the writer (any writer)", max(holds + [0]) * 1000, "ms", None, None),
        _row(f"chunks staged: {len(chunks)}, longest insert", max(chunks + [0]) * 1000, "ms", None, None),
        _row(f"publish: the import's last transaction ({ROWS:,} filings and 办件 made visible)", sum(published) * 1000,
             "ms", None, None),
    ]


def _time_writer_holds() -> list[float]:
    """Every hold of this loop's writer lock (portal.db's FIFO queue of SQLite writers), in seconds."""
    from portal import db

    holds: list[float] = []

    class TimedLock(asyncio.Lock):
        async def acquire(self):
            await super().acquire()
            self._since = time.perf_counter()
            return True

        def release(self):
            holds.append(time.perf_counter() - self._since)
            super().release()

    db._writer_locks[asyncio.get_running_loop()] = TimedLock()
    return holds


def _worker() -> None:
    sys.path.insert(0, str(ROOT))
    subprocess.run([sys.executable, "-m", "piccolo.main", "migrations", "forwards", "all"], cwd=ROOT, check=True,
                   capture_output=True, env=os.environ)
    subprocess.run([sys.executable, "-m", "seeds", "reference"], cwd=ROOT, check=True, capture_output=True, env=os.environ)
    print(json.dumps(asyncio.run(_case()), ensure_ascii=False), flush=True)


if __name__ == "__main__" and sys.argv[1:2] == ["--worker"]:
    _worker()
elif __name__ == "__main__":
    print(json.dumps(run(), ensure_ascii=False, indent=1))
