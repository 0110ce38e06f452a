"""Job keys the app's queue judges dead or alive, for tests of the recovery on either engine."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time

from portal import jobs


async def dead_key(app) -> str:
    """A job whose worker is gone: on SQLite a finished process; on SAQ a job the engine aborted."""
    queue = jobs.jobs_of(app)
    if isinstance(queue, jobs.LocalJobs):
        gone = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
        await gone.wait()
        pid = gone.pid
        return f"local:{socket.gethostname()}/{pid}/1:{jobs.new_key('test')}"
    from saq.job import Status

    key = await _waiting(queue)
    job = await queue.queue.job(key)
    await queue.queue.finish(job, Status.ABORTED, error="swept")
    return key


async def live_key(app) -> str:
    """A job still alive: on SQLite one of another running process (this one's parent); on SAQ a waiting job."""
    queue = jobs.jobs_of(app)
    if isinstance(queue, jobs.LocalJobs):
        parent = os.getppid()
        return f"local:{socket.gethostname()}/{parent}/{jobs._start_ticks(parent)}:{jobs.new_key('test')}"
    return await _waiting(queue)


async def _waiting(queue: jobs.SaqJobs) -> str:
    key = queue.key_for("test")
    await queue.queue.enqueue("dataservices.recover", key=key, scheduled=int(time.time()) + 3600)
    return key
