"""`python -m portal.worker`: a worker process of the job queue (docs/JOBS.md), beside the web processes.

It runs every task and periodic sweep the areas declare (portal.jobs) from SAQ's PostgreSQL queue, or from Redis
when PORTAL_REDIS_URL is set, until SIGTERM or SIGINT; then it lets running jobs finish for PORTAL_WORKER_GRACE
seconds. Start as many as the load needs, on any machine that reaches the database and the storage directory.
On SQLite without Redis there is nothing to run: the web process runs the tasks itself.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from types import SimpleNamespace

from portal import jobs
from portal.settings import Settings

log = logging.getLogger("portal.worker")


async def run(settings: Settings | None = None, stop: asyncio.Event | None = None) -> None:
    from portal.areas import install_all
    from portal.auth import redaction
    from portal.db import current_engine, is_sqlite

    settings = settings or Settings.from_env()
    areas = install_all()
    redaction.install()
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    engine = current_engine()
    if not is_sqlite(engine):
        await engine.start_connection_pool(min_size=1, max_size=max(4, settings.jobs.concurrency * 2))
    queue = jobs.SaqJobs(settings, in_process=True)
    await queue.start()
    log.info("worker %s started: %s tasks, %s periodic", queue.worker.id, len(jobs.tasks()), len(jobs.periodic()))
    try:
        await stop.wait()
    finally:
        log.info("worker stopping: running jobs get %s s to finish", settings.jobs.shutdown_grace_s)
        await queue.stop()
        # The areas' shutdown hooks free what tasks started (the import reader processes, a PDF browser).
        app = SimpleNamespace(state=SimpleNamespace(settings=settings))
        for hook in reversed([h for area in areas for h in area.on_shutdown]):
            try:
                await hook(app)
            except Exception:
                log.exception("shutdown hook failed")
        if not is_sqlite(engine):
            await engine.close_connection_pool()


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = Settings.from_env()
    if settings.database.is_sqlite and not settings.redis_url:
        print("SQLite 数据库：后台任务在网站进程内运行，无需单独的 worker（生产环境请使用 PostgreSQL 或设置 PORTAL_REDIS_URL）",
              file=sys.stderr)
        return 2
    jobs.tune_allocator()
    asyncio.run(run(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
