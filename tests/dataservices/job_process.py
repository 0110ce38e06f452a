"""A process the recovery tests kill with SIGKILL in the middle of an import (tests/dataservices/test_recovery.py).

`python tests/dataservices/job_process.py worker`: `python -m portal.worker`, plus a test importer that stops in
its checks for good (after writing the file named by PORTAL_TEST_JOB_MARK). `… local JOB_ID PRINCIPAL_JSON
[IMPORTER]`: SQLite's in-process queue running that import job in this process, the way a web process runs it.
Importer `lc_test_stuck_chunks`: the labour-contract 新订/续订 batch in chunks of 5 rows that stops for good after
staging two of them (hidden rows committed, nothing published).
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from portal.areas import install_all  # noqa: E402

install_all()

import os  # noqa: E402

from portal import jobs, worker  # noqa: E402
from portal.dataservices.imports import IMPORT_TASK, Importer, ImportSteps, register_importer  # noqa: E402
from portal.dataservices.tables import ImportJob  # noqa: E402
from portal.settings import Settings  # noqa: E402
from tests.dataservices.support import PERSON_SPEC, write_rows  # noqa: E402

STUCK = "ds_test_stuck"


async def _stuck(rows) -> None:
    await asyncio.to_thread(Path(os.environ["PORTAL_TEST_JOB_MARK"]).write_text, "checking")
    await asyncio.Event().wait()  # until the test kills this process


register_importer(Importer(STUCK, PERSON_SPEC, lambda principal, ip: ImportSteps(write_rows, batch_check=_stuck)))
STUCK_CHUNKS = "lc_test_stuck_chunks"


def _stuck_after_two_chunks(principal, ip: str) -> ImportSteps:
    from domains.labor_contract import sheets
    from portal.dataservices.imports import Chunked

    steps = sheets.NEW_RENEW_IMPORT.prepare(principal, ip)
    staged = []

    async def prepare(rows):
        if len(staged) == 2:
            await asyncio.to_thread(Path(os.environ["PORTAL_TEST_JOB_MARK"]).write_text, "staged")
            await asyncio.Event().wait()  # until the test kills this process
        return await steps.write.prepare(rows)

    async def stage(batch, rows, prepared):
        await steps.write.stage(batch, rows, prepared)
        staged.append(len(rows))

    return ImportSteps(Chunked(prepare, stage, size=5), row_check=steps.row_check)


def _register_chunks() -> None:
    from domains.labor_contract import sheets

    register_importer(Importer(STUCK_CHUNKS, sheets.NEW_RENEW, _stuck_after_two_chunks))


_register_chunks()


async def local(job_id: int, principal: dict, importer: str = STUCK) -> None:
    queue = jobs.LocalJobs(Settings.from_env())
    key = queue.key_for(IMPORT_TASK)
    await ImportJob.update({ImportJob.queue_key: key}).where(ImportJob.id == job_id)
    await queue.enqueue(IMPORT_TASK, key=key, job_id=job_id, importer=importer, principal=principal, ip="")
    await asyncio.Event().wait()


if __name__ == "__main__":
    if sys.argv[1] == "worker":
        asyncio.run(worker.run())
    else:
        asyncio.run(local(int(sys.argv[2]), json.loads(sys.argv[3]), *sys.argv[4:5]))
