"""劳动保障监察 网上书审 (issue #20 target) on SQLite through the real route: a 5,000-row 劳动用工信息 file POST →
result table (< 3 s). Runs in its own process (`python -m bench.ins_import --worker`) on a fresh SQLite database in
a temp dir; the last stdout line is JSON. BENCH_INS_ROWS sets the rows (default 5,000).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROWS = int(os.environ.get("BENCH_INS_ROWS", 5_000))


def _row(name: str, value: float, unit: str, target: float | None, ok: bool | None) -> dict:
    return {"name": name, "value": round(value, 2), "unit": unit, "target": target, "ok": ok}


def run() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="bench-ins-") as tmp:
        env = {**os.environ, "PORTAL_VAR_DIR": tmp, "PORTAL_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
               "PORTAL_SECRET_KEY": "bench-secret-key-0123456789abcdef", "PICCOLO_CONF": "piccolo_conf",
               "PORTAL_STAFF_2FA": "0"}
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "bench.ins_import", "--worker"], cwd=ROOT, env=env, capture_output=True, timeout=1800,
        )
        if done.returncode != 0:
            raise RuntimeError(f"ins_import failed ({done.returncode}):\n{done.stderr.decode()[-3000:]}"
                               f"{done.stdout.decode()[-1500:]}")
        return json.loads(done.stdout.decode().strip().splitlines()[-1])


def _rows() -> list[list]:
    from tests.support.factories import make_id_number

    numbers: set[str] = set()
    while len(numbers) < ROWS:  # random numbers collide now and then: a duplicate row would fail the import
        numbers.add(make_id_number("460105"))
    return [[f"职工{i % 1000:03d}", number, "操作工", "2024-03-01", "是", "2027-02-28", "是", "4500"]
            for i, number in enumerate(sorted(numbers))]


async def _case() -> list[dict]:
    import secrets

    import httpx

    from domains.labor_inspection import service
    from domains.labor_inspection.tables import InsReview
    from portal import jobs
    from portal.app import create_app
    from portal.auth.principal import Principal
    from portal.auth.sessions import DatabaseStore
    from portal.db import write_transaction
    from tests.support.factories import make_employer
    from tests.support.workbooks import filled

    app = create_app()
    for hook in app.on_startup:
        await hook(app)
    async with write_transaction():
        employer = await make_employer(division_code="460105")
    principal = Principal(kind="employer", account_id=1, display_name="单位", employer_id=employer["id"],
                          employer_name=employer["name"], acting_name="张法人", acting_role="legal_rep")
    await service.save_answers(principal, service.this_year(), {"total_staff": ROWS, "contract_signed": ROWS})
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench.local", timeout=600)
    sid = secrets.token_urlsafe(32)
    payload = {"kind": "employer", "auth_at": time.time(), "employer_id": employer["id"], "acting_role": "legal_rep",
               "acting_name": "张法人", "account_id": 1}
    await DatabaseStore().set(sid, json.dumps(payload).encode(), expires_in=3600)
    client.cookies.set("portal_session", sid, domain="bench.local")
    await client.get("/")
    csrf = client.cookies.get("csrftoken")
    template = await client.get("/labor-inspection/review/staff/template.xlsx")
    data = filled(template.content, _rows())
    out = []
    try:
        load = os.getloadavg()[0]
        t, cpu = time.perf_counter(), time.process_time()
        response = await client.post("/labor-inspection/review/staff", data={"_csrf_token": csrf},
                                     files={"file": ("劳动用工信息.xlsx", data, "application/octet-stream")})
        assert response.status_code == 303, response.text[:300]
        await jobs.drain(app)
        page = await client.get(response.headers["location"])
        elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
        assert f"成功导入{ROWS}行" in page.text, page.text[page.text.find("import-message"):][:1500]
        review = await InsReview.select(InsReview.staff_count).first()
        assert review["staff_count"] == ROWS
        out.append(_row(f"INS 劳动用工信息 {ROWS:,} rows: POST → result table", elapsed * 1000, "ms", 3000, elapsed < 3))
        # The import runs in this process (jobs.drain): its CPU time is the cost, the wall time adds the waits.
        out.append(_row(f"INS 劳动用工信息 {ROWS:,} rows: CPU of this process", cpu * 1000, "ms cpu", None, None))
        out.append(_row("load average (1 min) before the upload", load, "", None, None))
    finally:
        for hook in app.on_shutdown:
            await hook(app)
    return out


def _worker() -> None:
    sys.path.insert(0, str(ROOT))
    subprocess.run([sys.executable, "-m", "piccolo.main", "migrations", "forwards", "all"], cwd=ROOT, check=True,
                   capture_output=True, env=os.environ)
    subprocess.run([sys.executable, "-m", "seeds", "reference"], cwd=ROOT, check=True, capture_output=True, env=os.environ)
    print(json.dumps(asyncio.run(_case()), ensure_ascii=False), flush=True)


if __name__ == "__main__" and sys.argv[1:2] == ["--worker"]:
    _worker()
