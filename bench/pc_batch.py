"""人员增减员 (issue 18 targets) on SQLite through the real routes: a 批量增员 file POST → result table, 确认通过 of
1,000 selected, staff approval of 1,000 at once (fire_many, as the workbench's batch does), and PC-7 申报表 of 500.

Runs in its own process (`python -m bench.pc_batch --worker`) on a fresh SQLite database in a temp dir;
the last stdout line is JSON. BENCH_PC_ROWS sets the upload's rows (default 10,000).
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
ROWS = int(os.environ.get("BENCH_PC_ROWS", 10_000))
CONFIRM = min(1_000, ROWS)
REPORT = min(500, CONFIRM)


class _Profile:
    """BENCH_PC_PROFILE=DIR: each step's pyinstrument call tree to DIR/<step>.txt (where the time goes)."""

    def __init__(self, step: str) -> None:
        self.step, self.dir, self.profiler = step, os.environ.get("BENCH_PC_PROFILE"), None

    def __enter__(self):
        if self.dir:
            from pyinstrument import Profiler

            self.profiler = Profiler(async_mode="enabled")
            self.profiler.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.profiler is not None:
            self.profiler.stop()
            Path(self.dir, f"{self.step}.txt").write_text(self.profiler.output_text(unicode=True, show_all=False))


def _cpu(name: str, seconds: float) -> dict:
    """CPU of this process (all its threads: the app, aiosqlite's; not Chromium's) over a step: steadier than the
    wall time on a shared machine."""
    return _row(f"  … CPU of the portal process ({name.split(':')[0]})", seconds * 1000, "ms", None, None)


def _row(name: str, value: float, unit: str, target: float | None, ok: bool | None) -> dict:
    return {"name": name, "value": round(value, 2), "unit": unit, "target": target, "ok": ok}


def run() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="bench-pc-") as tmp:
        env = {**os.environ, "PORTAL_VAR_DIR": tmp, "PORTAL_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
               "PORTAL_SECRET_KEY": "bench-secret-key-0123456789abcdef", "PICCOLO_CONF": "piccolo_conf",
               "PORTAL_STAFF_2FA": "0"}
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "bench.pc_batch", "--worker"], cwd=ROOT, env=env, capture_output=True, timeout=1800,
        )
        if done.returncode != 0:
            raise RuntimeError(f"pc_batch failed:\n{done.stderr.decode()[-3000:]}")
        return json.loads(done.stdout.decode().strip().splitlines()[-1])


def _rows(period: str) -> list[list]:
    from tests.support.factories import make_id_number

    ids: set[str] = set()
    while len(ids) < ROWS:  # random numbers collide now and then at 10,000: the file must hold distinct persons
        ids.add(make_id_number("460106"))
    return [[f"批量{i % 1000:03d}", id_number, "汉族", "城镇户口", "海口市龙华区1号", "13800138000",
             "全日制用工", "2015-07-01", "是", "是", "是", "", "", "城镇职工", "6000", period] for i, id_number in enumerate(sorted(ids))]


async def _case() -> list[dict]:
    import secrets

    import httpx

    from domains.personnel_change import reports, service
    from portal.app import create_app
    from portal.auth.principal import Principal
    from portal.auth.sessions import DatabaseStore
    from portal.db import write_transaction
    from portal.jobs import drain
    from portal.workflow import engine
    from portal.workflow.tables import Matter
    from tests.support.factories import make_employer
    from tests.support.workbooks import filled

    app = create_app()
    for hook in app.on_startup:
        await hook(app)
    async with write_transaction():
        employer = await make_employer(division_code="460106")
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench.local", timeout=600)
    sid = secrets.token_urlsafe(32)
    payload = {"kind": "employer", "auth_at": time.time(), "employer_id": employer["id"], "acting_role": "legal_rep",
               "acting_name": "张法人", "account_id": 1}
    await DatabaseStore().set(sid, json.dumps(payload).encode(), expires_in=3600)
    client.cookies.set("portal_session", sid, domain="bench.local")
    await client.get("/")
    csrf = client.cookies.get("csrftoken")
    template = await client.get("/personnel-change/enrol/batch/template.xlsx")
    period = time.strftime("%Y-%m")
    data = filled(template.content, _rows(period))
    out = []
    try:
        load = os.getloadavg()[0]
        t, cpu = time.perf_counter(), time.process_time()
        profile = _Profile("upload").__enter__()
        response = await client.post("/personnel-change/enrol/batch", data={"_csrf_token": csrf},
                                     files={"file": ("增员.xlsx", data, "application/octet-stream")})
        assert response.status_code == 303, response.text[:300]
        await drain(app)
        page = await client.get(response.headers["location"])
        elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
        profile.__exit__()
        assert f"成功导入{ROWS}行" in page.text, page.text[page.text.find("import-message"):][:1500]
        out.append(_row(f"PC 批量增员 {ROWS:,} rows: POST → result table", elapsed * 1000, "ms", 5000, elapsed < 5))
        out.append(_cpu(out[-1]["name"], cpu))
        out.append(_row("load average (1 min) before the upload", load, "", None, None))

        matters = await Matter.select(Matter.id, Matter.version).where(Matter.kind == "pc_enrol").order_by(
            Matter.id).limit(CONFIRM)
        t, cpu = time.perf_counter(), time.process_time()
        with _Profile("confirm"):
            response = await client.post("/personnel-change/enrol/confirm/do", data={
                "_csrf_token": csrf, "pick": [f"{m['id']}:{m['version']}" for m in matters]})
        elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
        assert f"已确认通过 {CONFIRM} 件" in response.text, response.text[response.text.find("<main"):][:3000]
        out.append(_row(f"PC 确认通过 of {CONFIRM:,} selected", elapsed * 1000, "ms", 3000, elapsed < 3))
        out.append(_cpu(out[-1]["name"], cpu))

        staff = Principal(kind="staff", account_id=1, display_name="审核", scopes={"division": ("460000",)},
                          permissions=frozenset({service.REVIEW_PERMISSION}))
        confirmed = await Matter.select(Matter.id, Matter.version).where(
            (Matter.kind == "pc_enrol") & (Matter.state == "submitted"))
        t, cpu = time.perf_counter(), time.process_time()
        with _Profile("approve"):
            results = await engine.fire_many(staff, [(m["id"], m["version"]) for m in confirmed], "approve")
        elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
        assert not any(results.values()), [r for r in results.values() if r][:3]
        out.append(_row(f"PC staff approval of {len(confirmed):,} at once", elapsed * 1000, "ms", 5000, elapsed < 5))
        out.append(_cpu(out[-1]["name"], cpu))

        principal = Principal(kind="employer", account_id=1, display_name="单位", employer_id=employer["id"],
                              acting_name="张法人")
        from domains.personnel_change.tables import PcChange

        keep = [r["id"] for r in await PcChange.select(PcChange.id).order_by(PcChange.id).limit(REPORT)]
        report = await reports.save(principal, "enrol", int(period.replace("-", "")))
        async with write_transaction():  # a 500-row report: keep the first REPORT rows
            await reports.PcReport.update({reports.PcReport.change_ids: json.dumps(keep),
                                           reports.PcReport.row_count: len(keep)}).where(
                reports.PcReport.id == report["id"])
        # the renderer is warm in a running portal (one Chromium per process, started on first use): start it here
        from portal.dataservices.documents import roster_pdf

        await roster_pdf("预热", (("a", "甲"),), [{"a": "1"}])
        t, cpu = time.perf_counter(), time.process_time()
        with _Profile("report"):
            pdf, _ = await reports.pdf(principal, report["id"], base_url="http://bench.local")
        elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
        assert pdf.startswith(b"%PDF")
        out.append(_row(f"PC-7 申报表 of {len(keep)} rows: first print, warm renderer (render, seal, store)", elapsed * 1000,
                        "ms", 2000, elapsed < 2))
        out.append(_cpu(out[-1]["name"], cpu))
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
