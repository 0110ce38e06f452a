"""Clean-up: rows of jobs the queue reports dead, retention of export files and import results, orphans."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from portal.dataservices import cleanup
from portal.dataservices.tables import ExportJob, ImportJob, ImportLock
from tests.dataservices.sheets import filled
from tests.dataservices.support import PERSON_SPEC
from tests.support.factories import make_employer, make_id_number
from tests.support.jobs import dead_key, live_key
from tests.support.urls import url_for

ROOT = Path(__file__).resolve().parents[2]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


_MADE: list[Path] = []


@pytest.fixture(autouse=True)
def _remove_made_files():
    # Other modules assert that the storage folders hold nothing of theirs: leave them as found.
    yield
    while _MADE:
        _MADE.pop().unlink(missing_ok=True)


def _now() -> datetime:
    return datetime.now(UTC)


def _file(app, folder: str, age: timedelta | None = None) -> Path:
    directory = Path(app.state.settings.storage_dir) / folder
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{secrets.token_hex(16)}.xlsx"
    _MADE.append(path)
    path.write_bytes(b"PK partial")
    if age is not None:
        stamp = (_now() - age).timestamp()
        os.utime(path, (stamp, stamp))
    return path


async def _export_job(owner: str, *, status: str, key: str = "", finished: timedelta | None = None,
                      path: Path | None = None, created: timedelta = timedelta(hours=1)) -> dict:
    now = _now()
    job = ExportJob(
        token=secrets.token_urlsafe(24), owner_key=owner, grid_name="ds-persons", file_name="人员名单.xlsx",
        status=status, total=20_000, done=4_000, storage_path=str(path or ""), created_at=now - created,
        queue_key=key, finished_at=now - finished if finished is not None else None,
    )
    await job.save()
    return (await ExportJob.select().where(ExportJob.id == job.id).first())


async def _import_job(owner: str, *, status: str, key: str = "",
                      finished: timedelta | None = None, path: Path | None = None, results: str = "") -> dict:
    now = _now()
    job = ImportJob(
        token=secrets.token_urlsafe(24), owner_key=owner, sheet_name=PERSON_SPEC.name, file_name="人员.xlsx",
        status=status, total=3, processed=1, results=results, created_at=now - timedelta(hours=1),
        queue_key=key, finished_at=now - finished if finished is not None else None, storage_path=str(path or ""),
        ok_count=2, failed_count=1, written=True, message="共3行，成功导入2行",
    )
    await job.save()
    return (await ImportJob.select().where(ImportJob.id == job.id).first())


async def _staff_client(app, client, name="clean1") -> str:
    staff = await client.sign_in_staff(name)
    return f"staff:{staff['id']}"


async def test_dead_export_is_failed_with_its_partial_file_removed_live_one_untouched(app, client):
    owner = await _staff_client(app, client)
    dead_file, live_file = _file(app, "exports"), _file(app, "exports", age=timedelta(days=3))
    dead = await _export_job(owner, status="running", key=await dead_key(app), path=dead_file)
    # Saved, then the process died before the job reached the queue: unknown to the queue once old enough.
    never_queued = await _export_job(owner, status="queued", created=timedelta(minutes=10))
    just_saved = await _export_job(owner, status="queued", created=timedelta(seconds=1))
    # A neighbour worker's job: the queue says it lives, so neither it nor its (old-looking) file is touched.
    live = await _export_job(owner, status="running", key=await live_key(app), path=live_file)

    report = await cleanup.cleanup(app.state.settings, queue=app.state.jobs)

    assert report.dead_exports == 2
    rows = {r["id"]: r for r in await ExportJob.select()}
    assert rows[dead["id"]]["status"] == "failed" and rows[dead["id"]]["message"] == cleanup.EXPORT_DEAD
    assert rows[never_queued["id"]]["status"] == "failed"
    assert rows[just_saved["id"]]["status"] == "queued"
    assert rows[live["id"]]["status"] == "running"
    assert not dead_file.exists() and live_file.exists()
    soup = await client.page(url_for("export_status", token=dead["token"]))
    assert "服务中断，导出未完成，请重新导出" in soup.get_text()
    assert "every 1s" not in str(soup)
    # a second pass (another worker) finds nothing more to do
    assert (await cleanup.cleanup(app.state.settings, queue=app.state.jobs)).dead_exports == 0


async def test_export_file_expires_and_the_page_says_so(app, client):
    owner = await _staff_client(app, client)
    old_file, new_file = _file(app, "exports"), _file(app, "exports")
    old = await _export_job(owner, status="done", finished=timedelta(hours=25), path=old_file)
    new = await _export_job(owner, status="done", finished=timedelta(hours=23), path=new_file)

    report = await cleanup.cleanup(app.state.settings)

    assert report.expired_exports == 1
    assert not old_file.exists() and new_file.exists()
    soup = await client.page(url_for("export_status", token=old["token"]))
    assert "文件已过期，请重新导出" in soup.find(id="export-progress").get_text()
    response = await client.get(url_for("export_download", token=old["token"]))
    assert response.status_code == 303 and response.headers["location"] == url_for("export_status", token=old["token"])
    assert (await client.get(url_for("export_download", token=new["token"]))).status_code == 200
    assert "导出完成" in (await client.page(url_for("export_status", token=new["token"]))).get_text()


async def test_retention_is_a_setting(app):
    import dataclasses

    old_file = _file(app, "exports")
    job = await _export_job("staff:999", status="done", finished=timedelta(hours=3), path=old_file)
    short = dataclasses.replace(app.state.settings, export_retention_hours=2)
    assert (await cleanup.cleanup(short)).expired_exports == 1
    assert (await ExportJob.select(ExportJob.status).where(ExportJob.id == job["id"]).first())["status"] == "expired"


async def test_dead_import_releases_the_lock_so_the_owner_can_upload_again(app, client):
    employer = await make_employer()
    await client.sign_in_employer(employer)
    owner = f"employer:{employer['id']}"
    upload_file = _file(app, "imports")
    dead = await _import_job(owner, status="validating", key=await dead_key(app), path=upload_file)
    await ImportLock.insert(ImportLock(owner_key=owner, job_token=dead["token"], acquired_at=_now() - timedelta(hours=1)))
    data = await filled(PERSON_SPEC, [[ "甲", make_id_number(), None, "男", "固定期限", "2025-01-01", None, "5000"]])

    # No periodic pass ran: the refused upload itself notices the dead holder and takes over.
    response = await client.post_form("/_test/ds/import", files={"file": ("人员.xlsx", data, XLSX)})

    assert response.status_code == 303, response.text[:300]
    row = await ImportJob.select().where(ImportJob.id == dead["id"]).first()
    assert row["status"] == "failed" and row["message"] == cleanup.IMPORT_DEAD
    assert not upload_file.exists()
    soup = await client.page(url_for("import_result", token=dead["token"]))
    assert "服务中断，上传未完成，请重新上传" in soup.get_text() and "every 1s" not in str(soup)
    assert await ImportLock.count() == 0  # the new import finished and released its own lock


async def test_live_import_keeps_its_lock(app, client):
    employer = await make_employer()
    await client.sign_in_employer(employer)
    owner = f"employer:{employer['id']}"
    live = await _import_job(owner, status="writing", key=await live_key(app))
    # The lock is old, the job is not: a long import on another worker must not lose its lock.
    await ImportLock.insert(ImportLock(owner_key=owner, job_token=live["token"], acquired_at=_now() - timedelta(hours=2)))
    data = await filled(PERSON_SPEC, [["甲", make_id_number(), None, "男", "固定期限", "2025-01-01", None, "5000"]])
    response = await client.post_form("/_test/ds/import", files={"file": ("人员.xlsx", data, XLSX)})
    assert response.status_code == 409 and "已有一个批量导入正在处理" in response.text
    assert (await ImportJob.select(ImportJob.status).where(ImportJob.id == live["id"]).first())["status"] == "writing"


async def test_lock_without_a_live_job_is_released_by_the_periodic_pass(app):
    await ImportLock.insert(ImportLock(owner_key="employer:1", job_token="gone", acquired_at=_now() - timedelta(minutes=6)),
                            ImportLock(owner_key="employer:2", job_token="young", acquired_at=_now()))
    report = await cleanup.cleanup(app.state.settings, queue=app.state.jobs)
    assert report.released_locks == 1
    assert [r["owner_key"] for r in await ImportLock.select(ImportLock.owner_key)] == ["employer:2"]


async def test_import_results_expire_after_the_retention(app, client):
    employer = await make_employer()
    await client.sign_in_employer(employer)
    owner = f"employer:{employer['id']}"
    results = '[[2, {"name": "张三"}, []]]'
    old = await _import_job(owner, status="done", finished=timedelta(days=8), results=results)
    recent = await _import_job(owner, status="done", finished=timedelta(days=6), results=results)

    assert (await cleanup.cleanup(app.state.settings)).expired_imports == 1

    rows = {r["id"]: r for r in await ImportJob.select()}
    assert rows[old["id"]]["results"] == "" and rows[old["id"]]["status"] == "expired"
    assert rows[recent["id"]]["results"] == results
    soup = await client.page(url_for("import_result", token=old["token"]))
    assert "已超过保存期限" in soup.find(attrs={"data-testid": "import-message"}).get_text()
    assert "张三" not in soup.get_text()
    failed = await client.get(url_for("import_failed_rows", token=old["token"]))
    assert failed.status_code == 303 and failed.headers["location"] == url_for("import_result", token=old["token"])


async def test_orphan_files_go_referenced_and_young_ones_stay(app):
    orphan_export = _file(app, "exports", age=timedelta(hours=30))
    young_export = _file(app, "exports", age=timedelta(minutes=1))
    orphan_upload = _file(app, "imports", age=timedelta(minutes=10))
    young_upload = _file(app, "imports")
    running = _file(app, "exports", age=timedelta(days=2))
    await _export_job("staff:1", status="running", key=await live_key(app), path=running)

    assert (await cleanup.cleanup(app.state.settings)).orphan_files == 2

    assert not orphan_export.exists() and not orphan_upload.exists()
    assert young_export.exists() and young_upload.exists() and running.exists()


async def test_periodic_tasks_run_at_start_and_stop_with_the_app(app, monkeypatch):
    from portal import jobs
    from portal.app import create_app

    calls = []

    async def counting(settings=None, **kw):
        calls.append(kw.get("queue"))
        return cleanup.CleanupReport()

    monkeypatch.setattr(cleanup, "cleanup", counting)
    other = create_app(app.state.settings)
    await jobs.start_jobs(other)
    try:
        assert len(calls) == 1 and calls[0] is other.state.jobs  # the clean-up ran once at start-up
    finally:
        await jobs.stop_jobs(other)
    assert other.state.jobs is None


def test_cleanup_schedule_follows_the_setting(app):
    import dataclasses

    def cron(minutes: int) -> str:
        return cleanup.cleanup_cron(dataclasses.replace(app.state.settings, cleanup_interval_minutes=minutes))

    assert [cron(m) for m in (0, 10, 120, 1440)] == ["", "*/10 * * * *", "0 */2 * * *", "0 3 * * *"]
    every = [cleanup.recover_cron(dataclasses.replace(app.state.settings, recover_interval_seconds=s)) for s in (0, 10)]
    assert every == ["", "* * * * * */10"]


async def test_cli_cleanup_command(app):
    dead = await _export_job("staff:1", status="done", finished=timedelta(days=3), path=_file(app, "exports"))
    result = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "portal.cli", "cleanup"], cwd=ROOT, env=os.environ,
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "过期导出文件 1 个" in result.stdout
    assert (await ExportJob.select(ExportJob.status).where(ExportJob.id == dead["id"]).first())["status"] == "expired"
