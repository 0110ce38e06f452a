"""Clean-up of export files, import results, and the rows of jobs whose worker died (docs/JOBS.md).

Whether a job's worker is alive is the job queue's verdict (portal.jobs: SAQ's sweep of a job whose heartbeat
stopped; on SQLite, whether the process named in the job's key still runs). `recover` turns that verdict into
the row the owner sees (failed, with a Chinese message) and releases the import lock. Every state change is a
conditional UPDATE … RETURNING, so two workers acting at once never both act on a row, and files are deleted
only for rows the pass itself changed.
"""


from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from portal.dataservices import staging
from portal.dataservices.tables import ExportJob, ImportJob, ImportLock
from portal.db import refresh_statistics, write_transaction
from portal.jobs import Periodic, Task
from portal.settings import Settings

log = logging.getLogger("portal.cleanup")

ACTIVE_EXPORT = ("queued", "running")
ACTIVE_IMPORT = ("queued", "parsing", "validating", "writing")

EXPORT_DEAD = "服务中断，导出未完成，请重新导出"
IMPORT_DEAD = "服务中断，上传未完成，请重新上传"
EXPORT_EXPIRED = "文件已过期，请重新导出"
IMPORT_EXPIRED = "上传结果已超过保存期限并已删除，如需核对请重新上传"


@dataclass
class CleanupReport:
    dead_exports: int = 0
    dead_imports: int = 0
    released_locks: int = 0
    expired_exports: int = 0
    expired_imports: int = 0
    orphan_files: int = 0

    def summary(self) -> str:
        return ("导出任务中断 {dead_exports} 个，上传任务中断 {dead_imports} 个，释放导入锁 {released_locks} 个，"
                "过期导出文件 {expired_exports} 个，过期上传结果 {expired_imports} 个，"
                "清理遗留文件 {orphan_files} 个").format(**asdict(self))


def _now() -> datetime:
    return datetime.now(UTC)


def _unlink(path: str) -> None:
    if path:
        with contextlib.suppress(OSError):
            Path(path).unlink(missing_ok=True)


# -- jobs whose worker died ---------------------------------------------------------------------------------


async def _claim(table: type[ExportJob] | type[ImportJob], where: Any, values: dict, *extra: Any) -> list[dict]:
    """Apply `values` to the rows matching `where`; return those rows as they were (RETURNING gives the new
    values, and the old storage_path is what must be deleted). The UPDATE repeats `where`, so a row another
    worker changed in between is neither updated nor returned (inside one transaction on either engine)."""
    before = await table.select(table.id, table.storage_path, *extra).where(where)
    if not before:
        return []
    changed = await table.update(values).where(table.id.is_in([r["id"] for r in before]) & where).returning(table.id)
    ids = {r["id"] for r in changed}
    return [r for r in before if r["id"] in ids]


# A row is saved with its job's key just before the job is enqueued: a job the queue does not know is judged
# missing only after this long.
ENQUEUE_GRACE = timedelta(seconds=10)


async def _dead(queue: Any, rows: list[dict]) -> list[int]:
    # The queue's verdict: the engine aborted the job (its worker stopped touching it) or its process is gone;
    # the job ended while its row is still active (cancelled by a worker's shutdown); or the queue never had it.
    # A job still waiting or running keeps its row and lock.
    settled = _now() - ENQUEUE_GRACE
    dead = []
    for row in rows:
        state = await queue.state(row["queue_key"])
        if state in ("dead", "finished") or (state == "missing" and row["created_at"] < settled):
            dead.append(row["id"])
    return dead


async def fail_dead_exports(queue: Any, *, owner_key: str | None = None) -> int:
    where = ExportJob.status.is_in(list(ACTIVE_EXPORT))
    if owner_key is not None:
        where = where & (ExportJob.owner_key == owner_key)
    rows = await ExportJob.select(ExportJob.id, ExportJob.queue_key, ExportJob.created_at).where(where)
    dead = await _dead(queue, rows)
    if not dead:
        return 0
    async with write_transaction():
        failed = await _claim(ExportJob, ExportJob.id.is_in(dead) & ExportJob.status.is_in(list(ACTIVE_EXPORT)),
                              {ExportJob.status: "failed", ExportJob.message: EXPORT_DEAD,
                               ExportJob.finished_at: _now(), ExportJob.storage_path: ""})
    for row in failed:
        log.warning("export job %s: its worker is gone, marked failed", row["id"])
        _unlink(row["storage_path"])
    return len(failed)


async def fail_import(job: dict) -> bool:
    """Fail one active import (IMPORT_DEAD), release its owner's lock, delete its upload; False when the row
    was no longer active (it finished meanwhile)."""
    async with write_transaction():
        rows = await _claim(
            ImportJob, (ImportJob.id == job["id"]) & ImportJob.status.is_in(list(ACTIVE_IMPORT)),
            {ImportJob.status: "failed", ImportJob.message: IMPORT_DEAD, ImportJob.finished_at: _now(),
             ImportJob.storage_path: ""},
        )
        await ImportLock.delete().where(ImportLock.job_token == job["token"])
    for row in rows:
        log.warning("import job %s: its worker is gone, marked failed", row["id"])
        _unlink(row["storage_path"])
        await staging.discard(row["id"])  # the hidden rows it staged (docs/IMPORTS.md §4)
    return bool(rows)


async def discard_abandoned() -> int:
    """Hidden rows of imports that are no longer active (failed, or ended while deleting them): deleted. A
    running import keeps its rows; a published one has none left. Returns the jobs cleaned."""
    staged = await staging.staged_jobs()
    if not staged:
        return 0
    active = {r["id"] for r in await ImportJob.select(ImportJob.id).where(
        ImportJob.id.is_in(sorted(staged)) & ImportJob.status.is_in(list(ACTIVE_IMPORT)))}
    for job_id in sorted(staged - active):
        log.warning("import job %s: deleting the hidden rows it left", job_id)
        await staging.discard(job_id)
    return len(staged - active)


async def fail_dead_imports(queue: Any, *, owner_key: str | None = None) -> tuple[int, int]:
    """Fail the imports whose job the queue reports dead and release their locks; also release locks whose
    job is gone or finished (a crash between taking the lock and saving the job). Returns (jobs, locks).
    `owner_key` limits the pass to one owner (the refused-upload path)."""
    where = ImportJob.status.is_in(list(ACTIVE_IMPORT))
    if owner_key is not None:
        where = where & (ImportJob.owner_key == owner_key)
    rows = await ImportJob.select(ImportJob.id, ImportJob.token, ImportJob.queue_key,
                                  ImportJob.created_at).where(where)
    dead = set(await _dead(queue, rows))
    failed = 0
    for row in rows:
        if row["id"] in dead and await fail_import(row):
            failed += 1
    async with write_transaction():
        active = await ImportJob.select(ImportJob.token).where(ImportJob.status.is_in(list(ACTIVE_IMPORT)))
        orphan = ImportLock.acquired_at < _now() - ENQUEUE_GRACE
        if active:
            orphan = orphan & ImportLock.job_token.not_in([r["token"] for r in active])
        if owner_key is not None:
            orphan = orphan & (ImportLock.owner_key == owner_key)
        released = len(await ImportLock.delete().where(orphan).returning(ImportLock.id))
    return failed, failed + released


async def recover(ctx: dict) -> None:
    """Periodic task (every few seconds, and when a worker starts): rows of jobs the engine took for dead are
    failed with a Chinese message and their locks released, so the owner can upload again."""
    queue = ctx["jobs"]
    exports = await fail_dead_exports(queue)
    imports, locks = await fail_dead_imports(queue)
    await discard_abandoned()
    if exports or imports or locks:
        log.info("recovery: %s exports and %s imports of dead workers failed, %s locks released",
                 exports, imports, locks)


# -- retention -------------------------------------------------------------------------------------------


async def expire_exports(settings: Settings, *, now: datetime | None = None) -> int:
    """Finished export files older than the retention are deleted; the row stays so its page can say so."""
    now = now or _now()
    cutoff = now - timedelta(hours=settings.export_retention_hours)
    async with write_transaction():
        rows = await _claim(
            ExportJob, (ExportJob.status == "done") & (ExportJob.finished_at < cutoff),
            {ExportJob.status: "expired", ExportJob.message: EXPORT_EXPIRED, ExportJob.storage_path: ""},
        )
    for row in rows:
        _unlink(row["storage_path"])
    return len(rows)


async def expire_imports(settings: Settings, *, now: datetime | None = None) -> int:
    """Per-row results (names, ID numbers of every uploaded row) older than the retention are deleted."""
    now = now or _now()
    cutoff = now - timedelta(days=settings.import_retention_days)
    async with write_transaction():
        rows = await ImportJob.update(
            {ImportJob.status: "expired", ImportJob.message: IMPORT_EXPIRED, ImportJob.results: ""}
        ).where(ImportJob.status.is_in(["done", "checked"]) & (ImportJob.finished_at < cutoff)).returning(ImportJob.id)
    return len(rows)


async def sweep_orphans(settings: Settings, *, now: datetime | None = None) -> int:
    """Files no job refers to any more (a process died between writing a file and recording it, or while
    deleting it): exports after the export retention, uploads after the stale limit."""
    now = now or _now()
    # Only these states own a file (status-first indexes serve both queries; old rows are tombstones).
    keep: set[str] = set()
    for table, states in ((ExportJob, (*ACTIVE_EXPORT, "done")), (ImportJob, ACTIVE_IMPORT)):
        rows = await table.select(table.storage_path).where(table.status.is_in(list(states)))
        keep.update(r["storage_path"] for r in rows if r["storage_path"])
    limits = [(Path(settings.storage_dir) / "exports", now - timedelta(hours=settings.export_retention_hours)),
              (Path(settings.storage_dir) / "imports", now - timedelta(minutes=settings.job_stale_minutes))]
    return await asyncio.to_thread(_remove_unreferenced, limits, keep)


def _remove_unreferenced(limits: list[tuple[Path, datetime]], keep: set[str]) -> int:
    keep = {os.path.realpath(p) for p in keep}
    removed = 0
    for directory, before in limits:
        if not directory.is_dir():
            continue
        cutoff = before.timestamp()
        for path in directory.iterdir():
            try:
                if not path.is_file() or os.path.realpath(path) in keep or path.stat().st_mtime >= cutoff:
                    continue
                path.unlink()
                removed += 1
            except OSError:
                continue
    return removed


async def cleanup(settings: Settings | None = None, *, now: datetime | None = None,
                  queue: Any = None) -> CleanupReport:
    """One pass: dead jobs first when given the job queue (their files then count as unreferenced), then
    retention, then orphans."""
    settings = settings or Settings.from_env()
    now = now or _now()
    report = CleanupReport()
    if queue is not None:
        report.dead_exports = await fail_dead_exports(queue)
        report.dead_imports, report.released_locks = await fail_dead_imports(queue)
    report.expired_exports = await expire_exports(settings, now=now)
    report.expired_imports = await expire_imports(settings, now=now)
    report.orphan_files = await sweep_orphans(settings, now=now)
    # Planner statistics ride on the same schedule (start-up, then every interval): cheap when current.
    try:
        await refresh_statistics()
    except Exception:  # e.g. the writer queue is busy with a long import: the next pass retries
        log.exception("refreshing planner statistics failed")
    if any(asdict(report).values()):
        log.info("cleanup: %s", report.summary())
    return report


# -- the periodic tasks (declared in the dataservices Area) ----------------------------------------------


async def cleanup_task(ctx: dict) -> None:
    await cleanup(ctx["settings"], queue=ctx["jobs"])


def cleanup_cron(settings: Settings) -> str:
    """PORTAL_CLEANUP_INTERVAL_MINUTES as a cron schedule: 10 → every 10 minutes, 120 → every 2 hours,
    0 → only when a worker starts (tests)."""
    minutes = settings.cleanup_interval_minutes
    if minutes <= 0:
        return ""
    if minutes < 60:
        return f"*/{minutes} * * * *"
    return f"0 */{min(minutes // 60, 23)} * * *" if minutes < 1440 else "0 3 * * *"


def recover_cron(settings: Settings) -> str:
    """Every PORTAL_RECOVER_INTERVAL_SECONDS (10; a sixth cron field counts seconds), 0 → only at start-up.
    With SAQ's sweep (portal.jobs.SWEEP_S) and heartbeat limit (HEARTBEAT_S), a job whose worker died shows
    failed within about 30 s."""
    seconds = min(settings.recover_interval_seconds, 59)
    return f"* * * * * */{seconds}" if seconds > 0 else ""


RECOVERY = Periodic(Task("dataservices.recover", recover, timeout_s=300), recover_cron, at_startup=True)
CLEANUP = Periodic(Task("dataservices.cleanup", cleanup_task, timeout_s=1800), cleanup_cron, at_startup=True)
