"""Labour-contract batch upload (LC-6): a 1,000-row 新订 file through the real route, POST → result table, on SQLite.

Runs in its own process (`python -m bench.lc_batch --worker`) on a fresh SQLite database in a temp dir;
the last stdout line is JSON.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROWS = int(os.environ.get("BENCH_LC_ROWS", 1_000))


def _row(name: str, value: float, unit: str, target: float | None, ok: bool | None) -> dict:
    return {"name": name, "value": round(value, 2), "unit": unit, "target": target, "ok": ok}


def run() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="bench-lc-") as tmp:
        env = {**os.environ, "PORTAL_VAR_DIR": tmp, "PORTAL_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
               "PORTAL_SECRET_KEY": "bench-secret-key-0123456789abcdef", "PICCOLO_CONF": "piccolo_conf",
               "PORTAL_STAFF_2FA": "0"}
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "bench.lc_batch", "--worker"], cwd=ROOT, env=env, capture_output=True, timeout=900,
        )
        if done.returncode != 0:
            raise RuntimeError(f"lc_batch failed:\n{done.stderr.decode()[-3000:]}")
        return json.loads(done.stdout.decode().strip().splitlines()[-1])


def _filled(template: bytes, rows: int) -> bytes:
    from openpyxl import load_workbook

    from tests.support.factories import make_id_number

    wb = load_workbook(io.BytesIO(template))
    ws = wb[wb.sheetnames[1]]
    for i in range(rows):
        ws.append(["新订", f"批量{i % 1000:03d}", make_id_number(), "全日制用工", "固定期限", "单位自拟文本", "",
                   "2025-03-01", "2027-02-28", "2", "厨师", "海口", "5200.5", "10", "标准工时制"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


async def _case() -> list[dict]:
    import secrets

    import httpx

    from portal.app import create_app
    from portal.auth.sessions import DatabaseStore
    from portal.db import write_transaction
    from portal.jobs import drain
    from tests.support.factories import make_employer

    app = create_app()
    for hook in app.on_startup:
        await hook(app)
    async with write_transaction():
        employer = await make_employer()
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench.local")
    sid = secrets.token_urlsafe(32)
    payload = {"kind": "employer", "auth_at": time.time(), "employer_id": employer["id"], "acting_role": "legal_rep",
               "acting_name": "张法人"}
    await DatabaseStore().set(sid, json.dumps(payload).encode(), expires_in=1800)
    client.cookies.set("portal_session", sid, domain="bench.local")
    await client.get("/")
    template = await client.get("/labor-contract/batch/new-renew/template.xlsx")
    assert template.status_code == 200, template.text[:300]
    data = _filled(template.content, ROWS)
    load = os.getloadavg()[0]
    t, cpu = time.perf_counter(), time.process_time()
    try:
        response = await client.post(
            "/labor-contract/batch/new-renew", data={"_csrf_token": client.cookies.get("csrftoken")},
            files={"file": ("合同.xlsx", data, "application/octet-stream")},
        )
        assert response.status_code == 303, response.text[:300]
        await drain(app)
        page = await client.get(response.headers["location"])
        elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
    finally:
        # Shutdown closes the SQLite read pool, whose threads are not daemons and would keep the process alive.
        for hook in app.on_shutdown:
            await hook(app)
    assert f"成功导入{ROWS}行" in page.text, page.text[:2000]
    return [
        _row(f"LC 新订 batch {ROWS:,} rows: POST → result table (SQLite)", elapsed * 1000, "ms", 5000, elapsed < 5),
        _row(f"LC 新订 batch {ROWS:,} rows: CPU time of the process", cpu * 1000, "ms", None, None),
        _row(f"LC 新订 batch {ROWS:,} rows: per row", elapsed * 1000 / ROWS, "ms", None, None),
        _row("load average (1 min) before the upload", load, "", None, None),
    ]


def _worker() -> None:
    sys.path.insert(0, str(ROOT))
    subprocess.run([sys.executable, "-m", "piccolo.main", "migrations", "forwards", "all"], cwd=ROOT, check=True,
                   capture_output=True, env=os.environ)
    subprocess.run([sys.executable, "-m", "seeds", "reference"], cwd=ROOT, check=True, capture_output=True, env=os.environ)
    print(json.dumps(asyncio.run(_case()), ensure_ascii=False), flush=True)


if __name__ == "__main__" and sys.argv[1:2] == ["--worker"]:
    _worker()
