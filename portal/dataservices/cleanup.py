"""Clean-up of export files, import results and jobs whose process died (several workers share the database).

A job is alive while its heartbeat moves: the process working on it touches `heartbeat_at` every
HEARTBEAT_S seconds (and on progress). A worker cannot tell at start-up which running jobs are its own
dead ones and which belong to a live neighbour, so only a heartbeat older than `job_stale_minutes`
marks a job dead. Every state change is a conditional UPDATE … RETURNING, so two workers sweeping at
once never both act on a row, and files are deleted only for rows the sweep itself changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from litestar import Litestar

from portal.dataservices.tables import ExportJob, ImportJob, ImportLock
from portal.db import write_transaction
from portal.settings import Settings

log = logging.getLogger("portal.cleanup")

ACTIVE_EXPORT = ("queued", "running")
ACTIVE_IMPORT = ("queued", "parsing", "validating", "writing")
# Far below the 5-minute stale limit: a busy SQLite write lock may swallow a few beats without harm.
HEARTBEAT_S = 30.0

EXPORT_DEAD = "服务中断，导出未完成，请重新导出"
IMPORT_DEAD = "服务中断，上传未完成，请重新上传"
EXPORT_EXPIRED = "文件已过期，请重新导出"
IMPORT_EXPIRED = "上传结果已超过保存期限并已删除，如需核对请重新上传"

T = TypeVar("T")


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


# -- heartbeats ------------------------------------------------------------------------------------------


async def touch(table: type[ExportJob] | type[ImportJob], job_id: int) -> bool:
    """Record that the job's process is alive; False once the job is no longer active (finished or reaped)."""
    active = ACTIVE_EXPORT if table is ExportJob else ACTIVE_IMPORT
    rows = await table.update({table.heartbeat_at: _now()}).where(
        (table.id == job_id) & table.status.is_in(list(active))
    ).returning(table.id)
    return bool(rows)


async def _beat(table: type[ExportJob] | type[ImportJob], job_id: int) -> None:
    while True:
        await asyncio.sleep(HEARTBEAT_S)
        try:
            if not await touch(table, job_id):
                return
        except Exception:  # a locked SQLite file or a pool hiccup: the next beat tries again
            log.warning("heartbeat of %s %s failed", table._meta.tablename, job_id, exc_info=True)


async def keep_alive(table: type[ExportJob] | type[ImportJob], job_id: int, work: Awaitable[T]) -> T:
    """Run a job's work while a side task keeps its heartbeat fresh, independent of the work's own progress
    (a long parse in a thread or one big write transaction reports none)."""
    beat = asyncio.create_task(_beat(table, job_id))
    try:
        return await work
    finally:
        beat.cancel()
        await asyncio.gather(beat, return_exceptions=True)


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


def _stale(table: type[ExportJob] | type[ImportJob], cutoff: datetime) -> Any:
    # A job that never beat (crash right after its row was saved) is judged by its creation time.
    return (table.heartbeat_at < cutoff) | (table.heartbeat_at.is_null() & (table.created_at < cutoff))


# -- dead jobs -------------------------------------------------------------------------------------------


async def reap_dead_exports(settings: Settings, *, now: datetime | None = None) -> int:
    now = now or _now()
    cutoff = now - timedelta(minutes=settings.job_stale_minutes)
    async with write_transaction():
        rows = await _claim(
            ExportJob, ExportJob.status.is_in(list(ACTIVE_EXPORT)) & _stale(ExportJob, cutoff),
            {ExportJob.status: "failed", ExportJob.message: EXPORT_DEAD, ExportJob.finished_at: now,
             ExportJob.storage_path: ""},
        )
    for row in rows:
        log.warning("export job %s: no heartbeat since before %s, marked failed", row["id"], cutoff.isoformat())
        _unlink(row["storage_path"])
    return len(rows)


async def reap_dead_imports(settings: Settings, *, now: datetime | None = None,
                            owner_key: str | None = None) -> tuple[int, int]:
    """Mark dead imports failed, release their locks and delete their uploaded files; also release locks
    whose job is gone or finished (a crash between taking the lock and saving the job). Returns
    (jobs, locks released). `owner_key` limits the sweep to one owner (the refused-upload path)."""
    now = now or _now()
    cutoff = now - timedelta(minutes=settings.job_stale_minutes)
    where = ImportJob.status.is_in(list(ACTIVE_IMPORT)) & _stale(ImportJob, cutoff)
    if owner_key is not None:
        where = where & (ImportJob.owner_key == owner_key)
    async with write_transaction():
        rows = await _claim(
            ImportJob, where, {ImportJob.status: "failed", ImportJob.message: IMPORT_DEAD, ImportJob.finished_at: now,
                               ImportJob.storage_path: ""}, ImportJob.token,
        )
        released = 0
        if rows:
            released += len(await ImportLock.delete().where(
                ImportLock.job_token.is_in([r["token"] for r in rows])
            ).returning(ImportLock.id))
        active = await ImportJob.select(ImportJob.token).where(ImportJob.status.is_in(list(ACTIVE_IMPORT)))
        orphan = ImportLock.acquired_at < cutoff
        if active:
            orphan = orphan & ImportLock.job_token.not_in([r["token"] for r in active])
        if owner_key is not None:
            orphan = orphan & (ImportLock.owner_key == owner_key)
        released += len(await ImportLock.delete().where(orphan).returning(ImportLock.id))
    for row in rows:
        log.warning("import job %s: no heartbeat since before %s, marked failed", row["id"], cutoff.isoformat())
        _unlink(row["storage_path"])
    return len(rows), released


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
        ).where((ImportJob.status == "done") & (ImportJob.finished_at < cutoff)).returning(ImportJob.id)
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


async def cleanup(settings: Settings | None = None, *, now: datetime | None = None) -> CleanupReport:
    """One pass: dead jobs first (their files then count as unreferenced), then retention, then orphans."""
    settings = settings or Settings.from_env()
    now = now or _now()
    report = CleanupReport()
    report.dead_exports = await reap_dead_exports(settings, now=now)
    report.dead_imports, report.released_locks = await reap_dead_imports(settings, now=now)
    report.expired_exports = await expire_exports(settings, now=now)
    report.expired_imports = await expire_imports(settings, now=now)
    report.orphan_files = await sweep_orphans(settings, now=now)
    if any(asdict(report).values()):
        log.info("cleanup: %s", report.summary())
    return report


# -- the periodic task -----------------------------------------------------------------------------------


async def _periodic(app: Litestar) -> None:
    settings: Settings = app.state.settings
    while True:
        await asyncio.sleep(max(settings.cleanup_interval_minutes, 1) * 60)
        try:
            await cleanup(settings)
        except Exception:  # a failed pass must not end the loop: the next one retries
            log.exception("periodic cleanup failed")


async def start_cleanup(app: Litestar) -> None:
    """Run once at start-up, then every `cleanup_interval_minutes` in this worker (each worker runs its own
    loop; the conditional updates make concurrent passes harmless)."""
    try:
        await cleanup(app.state.settings)
    except Exception:  # never refuse to start because of a clean-up problem
        log.exception("cleanup at start-up failed")
    app.state.cleanup_task = asyncio.create_task(_periodic(app), name="portal-cleanup")


async def stop_cleanup(app: Litestar) -> None:
    task: asyncio.Task | None = getattr(app.state, "cleanup_task", None)
    if task is not None:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        app.state.cleanup_task = None
