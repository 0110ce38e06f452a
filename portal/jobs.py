"""Background work on a job queue: SAQ (through litestar-saq) runs the portal's task functions (docs/JOBS.md).

A part declares its work in its Area: `tasks=[Task(name, fn)]` (fn is `async fn(ctx, **kwargs)`, the kwargs
JSON values) and `periodic=[Periodic(task, cron)]`. Code enqueues by name (`await enqueue(app, name, **kwargs)`)
and asks the engine about a job by its key (`await state(app, key)`): whether a job is still alive is the
engine's verdict, never a heartbeat column of ours.

Backends, chosen from the settings (JobSettings):
- Redis when PORTAL_REDIS_URL is set, else SAQ's PostgreSQL queue (tables saq_jobs, saq_stats, saq_versions)
  when the portal runs on PostgreSQL. Workers are separate processes (`python -m portal.worker`); a web process
  only enqueues, unless PORTAL_JOBS_IN_PROCESS=1 runs a worker inside it (tests, a one-box installation).
  SAQ's sweep aborts a job whose heartbeat stopped (its worker died): the job is failed, never retried.
- SQLite (`make run`): LocalQueue, a small adapter with the same interface that runs the task functions as
  asyncio tasks of the web process (SQLite is one machine's file, and SAQ has no SQLite queue). A job's key
  names the process running it (host, pid, and the pid's start time): a job of a process that is gone is dead.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from portal.settings import Settings

log = logging.getLogger("portal.jobs")

# A running job touches its SAQ record every HEARTBEAT_S / 3 seconds; SAQ's sweep (every SWEEP_S in every
# worker) aborts a job untouched for HEARTBEAT_S. A worker killed mid-job therefore has its job failed within
# HEARTBEAT_S + SWEEP_S (20 s) of its death, by whichever worker sweeps next (issue #12 item 15: 30 s).
HEARTBEAT_S = 15
SWEEP_S = 5
# Longest run of one job (a 50,000-row import, a 500,000-row export) before SAQ gives up on it.
TIMEOUT_S = 3600

# dead: the engine failed or aborted it (its worker died), or its process is gone; missing: the queue has no such
# job (not enqueued yet, never enqueued, or expired); foreign: a job of another queue, which only that queue's
# workers judge.
State = Literal["waiting", "running", "finished", "dead", "missing", "foreign"]
TaskFn = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class Task:
    """A named task function: `async fn(ctx, **kwargs)`. `ctx["settings"]` is the process's Settings; kwargs
    must be JSON values (the job crosses processes). `retries=1` is one attempt: a job whose worker died is
    failed, not run again (an import that killed a worker would kill the next one)."""

    name: str
    fn: TaskFn
    timeout_s: int = TIMEOUT_S
    retries: int = 1


@dataclass(frozen=True)
class Periodic:
    """Run `task` on a cron schedule (croniter syntax; a sixth field counts seconds), at most once per schedule
    across all workers; `at_startup` also runs it when a worker starts. `cron` may be a function of the
    settings; when it gives "" the task runs only at start-up."""

    task: Task
    cron: str | Callable[[Settings], str]
    at_startup: bool = False

    def schedule(self, settings: Settings) -> str:
        return self.cron(settings) if callable(self.cron) else self.cron


_TASKS: dict[str, Task] = {}
_PERIODIC: dict[str, Periodic] = {}


def register_task(task: Task) -> None:
    _TASKS[task.name] = task


def register_periodic(periodic: Periodic) -> None:
    register_task(periodic.task)
    _PERIODIC[periodic.task.name] = periodic


def tasks() -> list[Task]:
    return list(_TASKS.values())


def periodic() -> list[Periodic]:
    return list(_PERIODIC.values())


def new_key(prefix: str) -> str:
    """A job key made before the job is enqueued, so the row that tracks the job names it from the start."""
    return f"{prefix}:{uuid.uuid4().hex}"


def _check_json(kwargs: dict[str, Any]) -> dict[str, Any]:
    # The in-process queue checks what a real queue would serialise: a closure passed by mistake fails in
    # every test, not only with a separate worker.
    return json.loads(json.dumps(kwargs))


# -- SAQ ---------------------------------------------------------------------------------------------------


async def _touch(job: Any, every: float) -> None:
    # SAQ's own heartbeat (Job.update() sets `touched`, as SAQ's docs say a long job should); its sweep judges
    # it. Not litestar-saq's HeartbeatManager: it writes the whole job record (status included) from a thread
    # with an event loop of its own, through the queue's connection pool, which belongs to the worker's loop.
    while True:
        await asyncio.sleep(every)
        try:
            await job.update()
        except Exception:  # a missed beat is harmless; HEARTBEAT_S allows two more
            log.warning("heartbeat of job %s failed", job.key, exc_info=True)


def _saq_function(task: Task) -> Callable[..., Awaitable[Any]]:
    async def run(ctx: dict, **kwargs: Any) -> Any:
        job = ctx.get("job")
        beat = asyncio.create_task(_touch(job, HEARTBEAT_S / 3)) if job is not None else None
        try:
            return await task.fn(ctx, **kwargs)
        finally:
            if beat is not None:
                beat.cancel()
                await asyncio.gather(beat, return_exceptions=True)

    run.__qualname__ = run.__name__ = task.name  # SAQ names cron functions by __qualname__
    return run


def _job_options(task: Task) -> dict[str, Any]:
    return {"timeout": task.timeout_s, "heartbeat": HEARTBEAT_S, "retries": task.retries}


class SaqJobs:
    """Enqueue into SAQ's queue; with `in_process` a SAQ worker runs inside this process too."""

    def __init__(self, settings: Settings, *, in_process: bool) -> None:
        self.settings = settings
        self.in_process = in_process
        # A worker's connections: its LISTEN, the dequeue, one heartbeat per running job, sweeps and checks.
        self.queue = make_saq_queue(settings, pool_size=settings.jobs.concurrency + 3 if in_process else 3)
        self.worker: Any = None
        self._worker_task: asyncio.Task | None = None
        self._mine: set[str] = set()

    async def start(self) -> None:
        await self.queue.connect()
        if self.in_process:
            self.worker = make_worker(self)
            self.worker.SIGNALS = []  # the process (web server or portal.worker) owns the signals
            self.started = asyncio.Event()
            self._worker_task = asyncio.create_task(self.worker.start(), name="portal-saq-worker")
            # The start-up passes (recovery, clean-up) have run once this returns: as on SQLite.
            ready = asyncio.create_task(self.started.wait())
            done, _ = await asyncio.wait({self._worker_task, ready}, return_when=asyncio.FIRST_COMPLETED)
            ready.cancel()
            if self._worker_task in done:
                self._worker_task.result()  # the worker failed to start: say why

    async def stop(self) -> None:
        if self.worker is not None:
            await self.worker.stop()
            if self._worker_task is not None:
                await asyncio.gather(self._worker_task, return_exceptions=True)
            self.worker = self._worker_task = None
        await self.queue.disconnect()

    def key_for(self, name: str) -> str:
        return f"{self.queue.name}/{new_key(name)}"

    async def enqueue(self, name: str, *, key: str | None = None, **kwargs: Any) -> str:
        task = _TASKS[name]
        key = key or self.key_for(name)
        await self.queue.enqueue(name, key=key, **_job_options(task), **_check_json(kwargs))
        self._mine.add(key)
        return key

    async def state(self, key: str) -> State:
        if key and not key.startswith(f"{self.queue.name}/"):
            return "foreign"
        job = await self.queue.job(key)
        if job is None:
            return "missing"
        status = str(job.status.value if hasattr(job.status, "value") else job.status)
        if status == "complete":
            return "finished"
        if status in ("aborted", "failed", "aborting") or job.stuck:
            return "dead"
        return "running" if status == "active" else "waiting"

    async def wait(self, key: str, within: float) -> None:
        from saq.job import TERMINAL_STATUSES

        try:  # SAQ polls the job's status; a tenth of a second keeps a small upload's answer quick
            await self.queue.listen([key], lambda _key, status: status in TERMINAL_STATUSES, within,
                                    poll_interval=0.1)
        except TimeoutError:
            pass

    async def drain(self, within: float = 120) -> None:
        """Tests: wait until every job this process enqueued has ended."""
        keys, self._mine = list(self._mine), set()
        for key in keys:
            await self.wait(key, within)


def make_saq_queue(settings: Settings, *, pool_size: int = 4) -> Any:
    from saq import Queue

    if settings.redis_url:
        return Queue.from_url(settings.redis_url, name=settings.jobs.queue_name)
    from saq.queue.postgres import PostgresQueue

    return PostgresQueue.from_url(settings.database.url, name=settings.jobs.queue_name, min_size=1, max_size=pool_size)


def _libc_malloc_trim() -> Any:
    """glibc's malloc_trim, or None (another C library, or not Linux)."""
    import ctypes
    import ctypes.util

    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


_MALLOC_TRIM = _libc_malloc_trim()

# glibc mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -3, -8


def tune_allocator() -> bool:
    """A worker process's C allocator, set before its threads start (issue #16, the soak's worker memory).

    An export's batch (its rows' dicts, the sheet XML joined and encoded: megabytes) is freed when the batch is
    written, from whichever thread wrote it. glibc raises its mmap threshold after each such free, so later
    buffers come from the heaps instead, one heap per thread, and the holes left between long-lived blocks
    grew the worker ~1.5 MiB a minute over a soak while the memory in use stayed flat (bench/README.md). A fixed
    128 KiB threshold maps every big buffer on its own and unmaps it on free; two arenas cap the per-thread
    heaps. Returns False where there is no glibc."""
    import ctypes
    import ctypes.util

    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    return all(mallopt(param, value) == 1 for param, value in (
        (_M_MMAP_THRESHOLD, 128 * 1024), (_M_TRIM_THRESHOLD, 256 * 1024), (_M_ARENA_MAX, 2)))


async def return_freed_memory(ctx: dict) -> None:
    """After each job, hand the heap pages the job freed back to the system. An export's batches and its zip
    buffers are freed when it ends, but glibc keeps the pages in the threads' arenas: repeated 65,000-row exports
    grew the process by 7 MiB in 10 rounds without a trim and stayed flat with it. (The soak's worker still grows
    with its exports for another reason: bench/README.md, issue #16.) A few milliseconds a job."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def make_worker(jobs: SaqJobs) -> Any:
    """A litestar-saq Worker for every registered task and periodic sweep, in this process's event loop."""
    from litestar_saq import CronJob, Worker

    queue, settings = jobs.queue, jobs.settings
    functions = [(t.name, _saq_function(t)) for t in _TASKS.values() if t.name not in _PERIODIC]
    cron = [CronJob(function=_saq_function(p.task), cron=p.schedule(settings), unique=True, **_job_options(p.task))
            for p in _PERIODIC.values() if p.schedule(settings)]
    # A task only some workers schedule is still a task every worker runs.
    functions += [(p.task.name, _saq_function(p.task)) for p in _PERIODIC.values() if not p.schedule(settings)]

    async def on_start(ctx: dict) -> None:
        ctx["settings"] = settings
        ctx["jobs"] = jobs
        for p in _PERIODIC.values():
            if p.at_startup:
                try:
                    await p.task.fn(ctx)
                except Exception:  # never refuse to start because of a clean-up problem
                    log.exception("%s at start-up failed", p.task.name)
        jobs.started.set()

    return Worker(
        queue, functions, cron_jobs=cron, concurrency=settings.jobs.concurrency,
        startup=[on_start], after_process=[return_freed_memory],
        timers={"sweep": SWEEP_S, "schedule": 1, "worker_info": SWEEP_S},
        # Idle workers wait for a job at most 1 s at a time, so a stop does not wait out the grace period.
        dequeue_timeout=1,
        separate_process=False, enable_heartbeat_manager=False,
        shutdown_grace_period_s=settings.jobs.shutdown_grace_s,
    )


# -- SQLite: the in-process adapter --------------------------------------------------------------------


def _start_ticks(pid: int) -> str:
    """The process's start time in clock ticks since boot (Linux); '' where /proc is missing."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def _alive(host: str, pid: int, ticks: str) -> bool:
    if host != socket.gethostname():
        return True  # another machine's process: SQLite is local, so this is a copied database; leave it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return _start_ticks(pid) == ticks  # a new process with a reused pid is not the job's process


def _instance() -> str:
    pid = os.getpid()
    return f"{socket.gethostname()}/{pid}/{_start_ticks(pid) or int(time.time())}"


class LocalJobs:
    """SQLite (`make run`): the same task functions as asyncio tasks of this process, the same interface."""

    in_process = True

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.instance = _instance()
        self._running: dict[str, asyncio.Task] = {}
        self._timers: list[asyncio.Task] = []

    async def start(self) -> None:
        ctx = self._ctx()
        for p in _PERIODIC.values():
            if p.at_startup:
                await self._run(p.task, ctx, {})
            if p.schedule(self.settings):
                self._timers.append(asyncio.create_task(self._every(p), name=f"portal-periodic-{p.task.name}"))

    async def stop(self) -> None:
        for timer in self._timers:
            timer.cancel()
        await asyncio.gather(*self._timers, return_exceptions=True)
        self._timers = []
        await self.drain(self.settings.jobs.shutdown_grace_s)
        for task in self._running.values():
            task.cancel()
        await asyncio.gather(*self._running.values(), return_exceptions=True)

    def _ctx(self) -> dict:
        return {"settings": self.settings, "jobs": self}

    async def _run(self, task: Task, ctx: dict, kwargs: dict) -> None:
        try:
            await task.fn(ctx, **kwargs)
        except Exception:
            log.exception("job %s failed", task.name)

    async def _every(self, p: Periodic) -> None:
        from croniter import croniter

        schedule = croniter(p.schedule(self.settings), datetime.now(UTC))
        while True:
            await asyncio.sleep(max(0.0, schedule.get_next() - time.time()))
            await self._run(p.task, self._ctx(), {})

    def key_for(self, name: str) -> str:
        # The key carries this process's identity: state() in another process tells from it whether we live.
        return f"local:{self.instance}:{new_key(name)}"

    async def enqueue(self, name: str, *, key: str | None = None, **kwargs: Any) -> str:
        task = _TASKS[name]
        key = key or self.key_for(name)
        work = asyncio.create_task(self._run(task, self._ctx(), _check_json(kwargs)),
                                   name=f"portal-job-{name}")
        self._running[key] = work
        work.add_done_callback(lambda _: self._running.pop(key, None))
        return key

    async def state(self, key: str) -> State:
        if not key:
            return "missing"
        if not key.startswith("local:"):
            return "foreign"
        if key in self._running:
            return "running"
        host, pid, ticks = key.split(":", 2)[1].split("/")
        if f"{host}/{pid}/{ticks}" == self.instance:
            return "missing"  # ours, and not running: ended, or not started yet
        return "running" if _alive(host, int(pid), ticks) else "dead"

    async def wait(self, key: str, within: float) -> None:
        task = self._running.get(key)
        if task is not None:
            await asyncio.wait({task}, timeout=within)

    async def drain(self, within: float = 120) -> None:
        if self._running:
            await asyncio.wait(set(self._running.values()), timeout=within)


Jobs = SaqJobs | LocalJobs


def make_jobs(settings: Settings) -> Jobs:
    if settings.redis_url or not settings.database.is_sqlite:
        return SaqJobs(settings, in_process=settings.jobs.in_process)
    return LocalJobs(settings)


# -- the app's queue ----------------------------------------------------------------------------------------


async def start_jobs(app: Any) -> None:
    jobs = make_jobs(app.state.settings)
    await jobs.start()
    app.state.jobs = jobs


async def stop_jobs(app: Any) -> None:
    jobs: Jobs | None = getattr(app.state, "jobs", None)
    if jobs is not None:
        await jobs.stop()
        app.state.jobs = None


def jobs_of(app: Any) -> Jobs:
    app = getattr(app, "app", app)  # a Request or the app
    return app.state.jobs


async def enqueue(app: Any, name: str, *, key: str | None = None, **kwargs: Any) -> str:
    return await jobs_of(app).enqueue(name, key=key, **kwargs)


async def drain(app: Any, within: float = 300) -> None:
    """Tests and benches: wait until every job this process enqueued has ended."""
    await jobs_of(app).drain(within)


@asynccontextmanager
async def queue_for_questions(settings: Settings) -> AsyncIterator[Jobs]:
    """The queue for asking about jobs (state()) from a script: connected, running nothing."""
    queue = make_jobs(settings)
    if isinstance(queue, SaqJobs):
        queue.in_process = False
        await queue.start()
    try:
        yield queue
    finally:
        if isinstance(queue, SaqJobs):
            await queue.stop()
