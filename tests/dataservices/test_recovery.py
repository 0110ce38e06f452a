"""Restart recovery (issue #12 item 15, issue #16): a worker killed with SIGKILL in the middle of an import leaves
the job failed with a Chinese message and the employer's lock released, so the employer can upload again."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import secrets
import signal
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from domains.person.tables import Person
from portal import jobs
from portal.app import create_app
from portal.auth.principal import Principal
from portal.dataservices import cleanup
from portal.dataservices.imports import IMPORT_TASK
from portal.dataservices.tables import ImportJob, ImportLock
from tests.dataservices.sheets import filled
from tests.dataservices.support import PERSON_SPEC
from tests.support.factories import make_employer, make_id_number

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("job_process.py")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Generous: a loaded test machine starts a Python process slowly. What a restart must achieve is the state below.
WAIT_S = 180


def _row(name: str) -> list:
    return [name, make_id_number(), None, "男", "固定期限", "2025-01-01", None, "5000"]


async def _stuck_import(app, client) -> tuple[dict, dict]:
    """An employer's import as start_import leaves it: the row, its upload and the employer's lock."""
    employer = await make_employer()
    await client.sign_in_employer(employer)
    owner = f"employer:{employer['id']}"
    directory = Path(app.state.settings.storage_dir) / "imports"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{secrets.token_hex(16)}.xlsx"
    path.write_bytes(await filled(PERSON_SPEC, [_row("甲"), _row("乙")]))
    job = ImportJob(token=secrets.token_urlsafe(24), owner_key=owner, sheet_name=PERSON_SPEC.name, file_name="人员.xlsx",
                    status="queued", created_at=datetime.now(UTC), storage_path=str(path))
    await job.save()
    await ImportLock.insert(ImportLock(owner_key=owner, job_token=job.token, acquired_at=datetime.now(UTC)))
    principal = Principal(kind="employer", account_id=employer["id"], display_name=employer["name"],
                          employer_id=employer["id"], employer_name=employer["name"])
    return (await ImportJob.select().where(ImportJob.id == job.id).first()), principal.snapshot()


async def _spawn(*args: str, env: dict) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(sys.executable, str(SCRIPT), *args, cwd=ROOT, env=env,
                                                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)


async def _until(condition, what: str) -> None:
    for _ in range(WAIT_S * 4):
        if await condition():
            return
        await asyncio.sleep(0.25)
    raise AssertionError(f"never: {what}")


async def _kill(process: asyncio.subprocess.Process) -> None:
    process.send_signal(signal.SIGKILL)
    assert await process.wait() == -signal.SIGKILL


def _gone(path: str) -> bool:
    return not Path(path).exists()


async def _status(job_id: int) -> dict:
    return await ImportJob.select().where(ImportJob.id == job_id).first()


async def _employer_uploads_again(client, job: dict) -> None:
    soup = await client.page(f"/imports/{job['token']}")
    assert cleanup.IMPORT_DEAD in soup.get_text() and "every 1s" not in str(soup)
    data = await filled(PERSON_SPEC, [_row("丙")])
    response = await client.post_form("/_test/ds/import", files={"file": ("人员.xlsx", data, XLSX)})
    assert response.status_code == 303, response.text[:300]
    page = await client.page(response.headers["location"])
    assert page.find(attrs={"data-testid": "import-ok"}).get_text() == "1"
    assert await Person.count() == 1  # nothing of the killed import was written


async def test_sqlite_restart_fails_the_killed_process_job_and_frees_the_employer(app, client):
    if not isinstance(app.state.jobs, jobs.LocalJobs):
        pytest.skip("SQLite's in-process queue (PostgreSQL: the next test)")
    job, principal = await _stuck_import(app, client)
    mark = Path(tempfile.mkdtemp()) / "mark"
    env = {**os.environ, "PORTAL_TEST_JOB_MARK": str(mark)}
    process = await _spawn("local", str(job["id"]), __import__("json").dumps(principal), env=env)
    try:
        await _until(lambda: asyncio.sleep(0, mark.exists()), "the import started in the other process")
        assert (await _status(job["id"]))["status"] == "validating"
    finally:
        await _kill(process)
    # While the process lived its job kept the lock; after SIGKILL the job is still "validating" in the table.
    assert (await _status(job["id"]))["status"] == "validating"

    restarted = create_app(app.state.settings)
    await jobs.start_jobs(restarted)  # a restart: the start-up pass asks whether the job's process still runs
    await jobs.stop_jobs(restarted)

    row = await _status(job["id"])
    assert row["status"] == "failed" and row["message"] == cleanup.IMPORT_DEAD
    assert await ImportLock.count() == 0 and _gone(job["storage_path"])
    await _employer_uploads_again(client, job)


async def test_postgres_worker_killed_mid_import_is_failed_by_the_engine_after_restart(app, client):
    if isinstance(app.state.jobs, jobs.LocalJobs):
        pytest.skip("SAQ's PostgreSQL queue and `python -m portal.worker` (SQLite: the previous test)")
    job, principal = await _stuck_import(app, client)
    # The workers of this test serve their own queue, so the session app's worker does not take the job.
    name = f"killtest{secrets.token_hex(4)}"
    mark = Path(tempfile.mkdtemp()) / "mark"
    env = {**os.environ, "PORTAL_TEST_JOB_MARK": str(mark), "PORTAL_QUEUE_NAME": name, "PORTAL_WORKER_GRACE": "1",
           "PORTAL_RECOVER_INTERVAL_SECONDS": "10"}  # as in production (the other tests turn it off)
    settings = dataclasses.replace(app.state.settings, jobs=dataclasses.replace(app.state.settings.jobs, queue_name=name))
    first = await _spawn("worker", env=env)
    try:
        async with jobs.queue_for_questions(settings) as queue:
            key = queue.key_for(IMPORT_TASK)
            await ImportJob.update({ImportJob.queue_key: key}).where(ImportJob.id == job["id"])
            await queue.enqueue(IMPORT_TASK, key=key, job_id=job["id"], importer="ds_test_stuck", principal=principal,
                                ip="")
            await _until(lambda: asyncio.sleep(0, mark.exists()), "the worker started the import")
            assert await queue.state(key) == "running"
    finally:
        await _kill(first)
    assert (await _status(job["id"]))["status"] == "validating"

    second = await _spawn("worker", env=env)  # the restart
    try:
        async def failed() -> bool:
            return (await _status(job["id"]))["status"] == "failed"

        await _until(failed, "the restarted worker failed the dead worker's job")
    finally:
        second.send_signal(signal.SIGTERM)
        await second.wait()
    row = await _status(job["id"])
    assert row["message"] == cleanup.IMPORT_DEAD
    async with jobs.queue_for_questions(settings) as queue:
        assert await queue.state(key) == "dead"  # the engine's verdict: aborted, not retried
    assert await ImportLock.count() == 0 and _gone(job["storage_path"])
    await _employer_uploads_again(client, job)
