"""The job queue (portal/jobs.py): what a job may carry, how a key is judged, and SAQ on Redis when it runs here."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import socket
from datetime import date, datetime

import pytest

from portal import jobs
from portal.auth.principal import Principal
from portal.dataservices.grid import Scope, scope_from_json, scope_to_json
from portal.dataservices.tables import StoredDocument
from portal.settings import Settings


def test_principal_crosses_to_a_worker_as_json():
    principal = Principal(kind="staff", account_id=7, display_name="审核员", roles=frozenset({"reviewer"}),
                          permissions=frozenset({"lc.review", "certificate.revoke"}),
                          scopes={"division": ("460100", "460200")}, flags=frozenset({"x"}))
    assert Principal.from_snapshot(json.loads(json.dumps(principal.snapshot()))) == principal


@pytest.mark.parametrize("scope", [
    Scope("employer_id = {}", 12),
    Scope("1 = 0"),
    Scope.where(StoredDocument.kind.is_in(["roster", "certificate"]) & StoredDocument.division_code.like("4601%")),
    Scope("issued_on >= {} AND created_at < {}", date(2026, 1, 1), datetime(2026, 2, 1, 8, 30)),
])
def test_a_scope_is_rebuilt_with_the_same_sql_and_values(scope):
    rebuilt = scope_from_json(json.loads(json.dumps(scope_to_json(scope))))
    assert rebuilt.compile_string("postgres") == scope.querystring().compile_string("postgres")


def test_a_scope_value_that_cannot_cross_is_refused():
    with pytest.raises(TypeError):
        scope_to_json(Scope("x = {}", object()))


async def test_job_arguments_must_be_json():
    queue = jobs.LocalJobs(Settings.from_env())
    jobs.register_task(jobs.Task("test.noop", _noop))
    with pytest.raises(TypeError):
        await queue.enqueue("test.noop", write=lambda rows: None)  # a closure never reaches a worker


async def _noop(ctx, **kwargs):
    return None


async def test_sqlite_keys_name_their_process():
    queue = jobs.LocalJobs(Settings.from_env())
    host = socket.gethostname()
    gone = await asyncio.create_subprocess_exec("true")
    await gone.wait()
    parent = os.getppid()
    cases = {
        "": "missing",  # a row saved before its job was made
        "portal/dataservices.import:abc": "foreign",  # SAQ's queue judges its own jobs
        queue.key_for("x"): "missing",  # this process's, not running: ended or not started yet
        f"local:{host}/{gone.pid}/{jobs._start_ticks(parent)}:x": "dead",  # its process is gone
        f"local:{host}/{parent}/1:x": "dead",  # the pid lives, but another process holds it now
        f"local:{host}/{parent}/{jobs._start_ticks(parent)}:x": "running",  # another live process
        f"local:elsewhere/{gone.pid}/1:x": "running",  # another machine's: not ours to judge
    }
    assert {key: await queue.state(key) for key in cases} == cases


async def test_a_running_job_of_this_process_is_running_then_missing():
    queue = jobs.LocalJobs(Settings.from_env())
    release = asyncio.Event()

    async def held(ctx):
        await release.wait()

    jobs.register_task(jobs.Task("test.held", held))
    key = await queue.enqueue("test.held")
    assert await queue.state(key) == "running"
    release.set()
    await queue.drain(5)
    assert await queue.state(key) == "missing"


def test_periodic_schedule_may_follow_the_settings():
    settings = Settings.from_env()
    task = jobs.Task("test.p", _noop)
    assert jobs.Periodic(task, "*/5 * * * *").schedule(settings) == "*/5 * * * *"
    assert jobs.Periodic(task, lambda s: "" if s.cleanup_interval_minutes == 0 else "0 * * * *").schedule(
        dataclasses.replace(settings, cleanup_interval_minutes=0)) == ""


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
async def test_redis_queue_runs_a_task_and_reports_an_aborted_job_dead(monkeypatch):
    from saq.job import Status

    trims = []  # the worker returns freed heap pages after every job (the soak's creeping worker memory, #16)
    monkeypatch.setattr(jobs, "_MALLOC_TRIM", trims.append)

    base = Settings.from_env()
    settings = dataclasses.replace(base, redis_url="redis://127.0.0.1:6379/15", jobs=dataclasses.replace(
        base.jobs, queue_name=f"test{os.getpid()}", in_process=True))
    done = asyncio.Event()

    async def mark(ctx, *, value):
        assert value == "甲" and ctx["settings"] is settings
        done.set()

    jobs.register_task(jobs.Task("test.mark", mark))
    queue = jobs.make_jobs(settings)
    assert isinstance(queue, jobs.SaqJobs)
    await queue.start()
    try:
        key = await queue.enqueue("test.mark", value="甲")
        await asyncio.wait_for(done.wait(), 60)
        await queue.wait(key, 10)
        assert await queue.state(key) == "finished"
        assert trims and trims[0] == 0
        waiting = queue.key_for("test.mark")
        await queue.queue.enqueue("test.mark", key=waiting, value="乙", scheduled=int(datetime.now().timestamp()) + 3600)
        assert await queue.state(waiting) == "waiting"
        await queue.queue.finish(await queue.queue.job(waiting), Status.ABORTED, error="swept")
        assert await queue.state(waiting) == "dead"
    finally:
        await queue.stop()


def test_the_worker_fixes_its_allocator_before_it_starts(monkeypatch):
    """portal.worker sets glibc's mmap threshold and arena count before its threads exist (issue #16: with
    glibc's moving threshold the soak's worker grew with its exports while the memory in use stayed flat)."""
    import ctypes.util
    import platform

    from portal import worker

    if platform.system() != "Linux" or "libc" not in (ctypes.util.find_library("c") or ""):
        pytest.skip("glibc only")
    assert jobs.tune_allocator() is True
    calls = []
    monkeypatch.setattr(jobs, "tune_allocator", lambda: calls.append("tuned") or True)
    monkeypatch.setattr(worker.asyncio, "run", lambda coro: (coro.close(), calls.append("run")))
    monkeypatch.setenv("PORTAL_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/nowhere")
    assert worker.main() == 0
    assert calls == ["tuned", "run"]
