"""A big batch is staged in hidden chunks and published at once (issue #12 item 14, docs/IMPORTS.md §4): between
chunks nobody sees any of it and other writers run; a failure or a crash leaves nothing; a filing racing the
batch for one of its persons never leaves that person with two unreviewed filings."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import tempfile
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from domains.labor_contract import rules, service
from domains.labor_contract.tables import Contract
from portal import jobs
from portal.app import create_app
from portal.core.tables import AuditLog
from portal.dataservices import cleanup, imports, staging
from portal.dataservices.tables import ImportChunk, ImportJob, ImportLock
from portal.jobs import drain
from portal.workflow.tables import Matter, MatterEvent, Message
from tests.labor_contract.support import employer_principal, form_data
from tests.labor_contract.test_batch import filled, new_row, template, upload
from tests.labor_contract.test_batch_staging import short_busy_timeout  # noqa: F401  (a fixture)
from tests.support.factories import make_employer, make_id_number

CHUNK = 10
ROWS = 3 * CHUNK
TITLE = "新订备案：批量"  # the 办件 title of a batch row (its worker is 批量<n>)


@pytest.fixture
def chunks(monkeypatch):
    """Imports write CHUNK rows a chunk and stop before preparing chunk `pause_before` (1-based) until `release`."""
    state = {"pause_before": 2, "paused": asyncio.Event(), "release": asyncio.Event(), "prepared": 0}
    real = service.plan_filings

    async def plan(*args, **kwargs):
        state["prepared"] += 1
        if state["prepared"] == state["pause_before"]:  # the chunks before are committed, hidden
            state["paused"].set()
            await state["release"].wait()
        return await real(*args, **kwargs)

    monkeypatch.setattr(imports, "CHUNK_ROWS", CHUNK)
    monkeypatch.setattr(imports, "BACKGROUND_BYTES", 0)  # the upload answers at once, the import runs on
    monkeypatch.setattr(service, "plan_filings", plan)
    return state


@asynccontextmanager
async def paused(app, state):
    await asyncio.wait_for(state["paused"].wait(), 60)
    try:
        yield
    finally:
        state["release"].set()
        await drain(app)


def _token(location: str) -> str:
    return location.rstrip("/").rsplit("/", 1)[-1]


async def _job(location: str) -> dict:
    return await ImportJob.select().where(ImportJob.token == _token(location)).first()


async def _visible(employer_id: int) -> tuple[int, int, int]:
    return (await Contract.count().where(Contract.employer == employer_id),
            await Matter.count().where(Matter.employer == employer_id),
            await Message.count().where(Message.employer == employer_id))


async def _hidden() -> tuple[int, int, int, int]:
    return (await Contract.count().where(Contract.employer.is_null()),
            await Matter.count().where(Matter.state == "staged"),
            await MatterEvent.count().where(MatterEvent.matter.is_in(
                [m["id"] for m in await Matter.select(Matter.id).where(Matter.state == "staged")] or [0])),
            await Message.count().where(Message.employer.is_null() & Message.person.is_null()))


async def _file(client, numbers: list[str]) -> bytes:
    return filled(await template(client, "new-renew"), [new_row(f"批量{i}", n) for i, n in enumerate(numbers)])


async def _pending(id_number: str) -> int:
    return await Contract.count().where((Contract.id_number == id_number) & (Contract.review_state == "pending"))


async def test_chunks_are_hidden_from_every_page_until_the_batch_publishes(app, client, other_client, chunks,
                                                                          short_busy_timeout):  # noqa: F811
    importer, other = await make_employer(), await make_employer()
    await client.sign_in_employer(importer)
    await other_client.sign_in_employer(other)
    numbers = [make_id_number() for _ in range(ROWS)]
    location = await upload(client, "new-renew", await _file(client, numbers))
    async with paused(app, chunks):
        # one chunk is committed: its rows exist, hidden
        assert await _hidden() == (CHUNK, CHUNK, 2 * CHUNK, CHUNK)
        assert await _visible(importer["id"]) == (0, 0, 0)
        assert await ImportChunk.count() > 0
        # nothing on the importer's pages, nor on a reviewer's workbench, nor for the person
        query = await client.page("/labor-contract/contracts")
        assert "批量0" not in query.get_text() and "没有符合条件的备案信息" in query.get_text()
        assert TITLE not in (await client.page("/matters")).get_text()
        assert TITLE not in (await client.page("/messages")).get_text()
        assert await service.contracts_of_person(numbers[0]) == []
        # other writers run between chunks at once (SQLite's busy timeout is cut to 0.3 s)
        filed = await asyncio.wait_for(
            other_client.post_form("/labor-contract/new", form_data(id_number=make_id_number())), 60)
        assert filed.status_code == 303, filed.text[:300]
    job = await _job(location)
    assert (job["status"], job["written"], job["ok_count"]) == ("done", True, ROWS)
    assert await _visible(importer["id"]) == (ROWS, ROWS, ROWS)
    assert await _hidden() == (0, 0, 0, 0) and await ImportChunk.count() == 0
    matters = await Matter.select(Matter.state, Matter.submitted_at, Matter.person).where(
        Matter.employer == importer["id"])
    assert {m["state"] for m in matters} == {"submitted"} and all(m["submitted_at"] for m in matters)
    page = await client.page("/labor-contract/contracts")
    assert "批量29" in page.get_text()  # the newest chunk heads the list
    # one audit row for the whole batch, naming every 办件
    bulk = await AuditLog.select(AuditLog.detail).where(AuditLog.action == "matter.create_bulk")
    assert len(bulk) == 1 and json.loads(bulk[0]["detail"])["count"] == ROWS


async def test_a_reviewer_sees_no_hidden_matter(app, client, other_client, chunks):
    importer = await make_employer()
    await client.sign_in_employer(importer)
    await other_client.sign_in_staff("reviewer9", permissions=["lc.review"],
                                     scopes={"agency": [importer["review_agency"] or "460105"]})
    location = await upload(client, "new-renew", await _file(client, [make_id_number() for _ in range(ROWS)]))
    async with paused(app, chunks):
        hidden = await Matter.select(Matter.id, Matter.number).where(Matter.state == "staged")
        assert len(hidden) == CHUNK
        assert hidden[0]["number"] not in _results(await other_client.page("/workbench"))
        assert hidden[0]["number"] not in _results(await other_client.page(f"/workbench?q={hidden[0]['number']}"))
        assert (await other_client.get(f"/workbench/matters/{hidden[0]['id']}")).status_code == 404
        assert (await client.get(f"/matters/{hidden[0]['id']}")).status_code == 404
        progress = await client.get(f"/matters/progress?number={hidden[0]['number']}")
        assert "没有找到该编号的办件" in progress.text
    assert (await _job(location))["ok_count"] == ROWS
    assert hidden[0]["number"] in _results(await other_client.page("/workbench"))


def _results(page) -> str:
    """The text of the page's tables (a search echoes its term elsewhere on the page)."""
    return " ".join(t.get_text() for t in page.find_all("table"))


async def test_a_failure_in_a_later_chunk_deletes_the_earlier_ones(app, client, monkeypatch):
    importer = await make_employer()
    await client.sign_in_employer(importer)
    monkeypatch.setattr(imports, "CHUNK_ROWS", CHUNK)
    real, calls = service.write_filings, []

    async def fail_third(plan, batch=None):
        calls.append(1)
        await real(plan, batch)
        if len(calls) == 3:
            raise RuntimeError("disk full")

    monkeypatch.setattr(service, "write_filings", fail_third)
    location = await upload(client, "new-renew", await _file(client, [make_id_number() for _ in range(ROWS)]))
    await drain(app)
    job = await _job(location)
    assert (job["status"], job["written"], job["ok_count"]) == ("done", False, 0) and "全部回滚" in job["message"]
    assert await _visible(importer["id"]) == (0, 0, 0)
    assert await _hidden() == (0, 0, 0, 0) and await ImportChunk.count() == 0
    assert await AuditLog.count().where(AuditLog.action == "matter.create_bulk") == 0


async def test_a_job_the_recovery_fails_between_chunks_publishes_nothing(app, client, chunks):
    """The recovery took the job for dead (its worker stopped answering) and deleted its rows; the job, still
    running after all, stages its next chunk, finds itself failed and publishes nothing (both engines)."""
    importer = await make_employer()
    await client.sign_in_employer(importer)
    location = await upload(client, "new-renew", await _file(client, [make_id_number() for _ in range(ROWS)]))
    async with paused(app, chunks):
        assert await _hidden() == (CHUNK, CHUNK, 2 * CHUNK, CHUNK)
        assert await cleanup.fail_import(await _job(location))
        assert await _hidden() == (0, 0, 0, 0) and await ImportChunk.count() == 0
    job = await _job(location)
    assert not job["written"] and job["ok_count"] == 0
    assert await _visible(importer["id"]) == (0, 0, 0)
    assert await _hidden() == (0, 0, 0, 0) and await ImportChunk.count() == 0


async def test_a_crash_between_chunks_leaves_nothing_visible_and_recovery_deletes_the_chunks(
        app, client, chunks, monkeypatch):
    if not isinstance(app.state.jobs, jobs.LocalJobs):
        pytest.skip("the process is simulated by SQLite's in-process queue; PostgreSQL: the test above")
    importer = await make_employer()
    await client.sign_in_employer(importer)
    chunks["pause_before"] = 3
    location = await upload(client, "new-renew", await _file(client, [make_id_number() for _ in range(ROWS)]))
    await asyncio.wait_for(chunks["paused"].wait(), 60)
    # The process dies here: nothing of its own clean-up runs (the job is cancelled with clean-up disabled).
    monkeypatch.setattr(staging, "discard", _nothing)
    running = [t for t in asyncio.all_tasks() if t.get_name() == "portal-job-dataservices.import"]
    assert running
    for task in running:
        task.cancel()
    await asyncio.gather(*running, return_exceptions=True)
    monkeypatch.undo()
    assert await _hidden() == (2 * CHUNK, 2 * CHUNK, 4 * CHUNK, 2 * CHUNK)
    assert await _visible(importer["id"]) == (0, 0, 0)
    assert "批量1" not in (await client.page("/labor-contract/contracts")).get_text()

    # the recovery's pass (at start-up and every few seconds): the job is dead (a job this process no longer runs,
    # saved longer ago than the queue's grace), its hidden rows go
    await ImportJob.update({ImportJob.created_at: ImportJob.created_at - cleanup.ENQUEUE_GRACE * 2}).where(
        ImportJob.token == _token(location))
    await cleanup.recover({"jobs": jobs.jobs_of(app)})
    job = await _job(location)
    assert job["status"] == "failed" and job["message"] == cleanup.IMPORT_DEAD
    assert await _hidden() == (0, 0, 0, 0) and await ImportChunk.count() == 0
    assert await Contract.count() == 0 and await Matter.count() == 0 and await MatterEvent.count() == 0


async def _nothing(job_id: int) -> int:
    return 0


async def test_the_recovery_deletes_chunks_left_by_a_job_that_ended(app, client, chunks, monkeypatch):
    """A job that ended (failed) while deleting its rows: the next recovery pass deletes what is left."""
    importer = await make_employer()
    await client.sign_in_employer(importer)
    location = await upload(client, "new-renew", await _file(client, [make_id_number() for _ in range(ROWS)]))
    await asyncio.wait_for(chunks["paused"].wait(), 60)
    job = await _job(location)
    await ImportJob.update({ImportJob.status: "failed"}).where(ImportJob.id == job["id"])
    monkeypatch.setattr(staging, "discard", _nothing)
    chunks["release"].set()
    await drain(app)  # the job finds itself failed: it does not publish
    monkeypatch.undo()
    assert await _visible(importer["id"]) == (0, 0, 0)
    assert await _hidden() != (0, 0, 0, 0)
    assert await cleanup.discard_abandoned() == 1
    assert await _hidden() == (0, 0, 0, 0) and await ImportChunk.count() == 0


async def test_a_filing_racing_the_batch_never_leaves_a_person_two_unreviewed_filings(app, client, other_client,
                                                                                     chunks):
    importer, other = await make_employer(), await make_employer()
    await client.sign_in_employer(importer)
    await other_client.sign_in_employer(other)
    numbers = [make_id_number() for _ in range(ROWS)]
    staged, later = numbers[0], numbers[CHUNK + 3]  # in the committed chunk / in a chunk still to come
    location = await upload(client, "new-renew", await _file(client, numbers))
    async with paused(app, chunks):
        refused = await other_client.post_form("/labor-contract/new", form_data(id_number=staged))
        assert refused.status_code == 200 and rules.OTHER_EMPLOYER_PENDING in refused.text
        filed = await other_client.post_form("/labor-contract/new", form_data(id_number=later))
        assert filed.status_code == 303, filed.text[:300]
    job = await _job(location)
    assert (job["written"], job["ok_count"], job["failed_count"]) == (True, ROWS - 1, 1)
    failed = imports.failed_rows(job)
    assert [r.values["id_number"] for r in failed] == [later]
    assert failed[0].reasons == [rules.OTHER_EMPLOYER_PENDING]
    assert await _pending(staged) == 1 and await _pending(later) == 1
    assert await Contract.count().where(Contract.id_number == later) == 1  # the other employer's
    assert await _visible(importer["id"]) == (ROWS - 1, ROWS - 1, ROWS - 1)


async def test_two_batches_with_one_person_publish_that_person_once(app, client, other_client, chunks):
    first, second = await make_employer(), await make_employer()
    await client.sign_in_employer(first)
    await other_client.sign_in_employer(second)
    shared = make_id_number()
    numbers = [make_id_number() for _ in range(ROWS)]
    numbers[CHUNK + 1] = shared  # in the first batch's second chunk, not yet written when it pauses
    location = await upload(client, "new-renew", await _file(client, numbers))
    await asyncio.wait_for(chunks["paused"].wait(), 60)
    # The second employer's small batch with the same person runs whole while the first one waits.
    chunks["pause_before"] = 0
    data = await _file(other_client, [shared, make_id_number()])
    second_location = await upload(other_client, "new-renew", data)
    for _ in range(240):
        if (await _job(second_location))["status"] == "done":
            break
        await asyncio.sleep(0.25)
    assert (await _job(second_location))["ok_count"] == 2
    chunks["release"].set()
    await drain(app)
    job = await _job(location)
    assert (job["ok_count"], job["failed_count"]) == (ROWS - 1, 1)
    assert [r.values["id_number"] for r in imports.failed_rows(job)] == [shared]
    assert await _pending(shared) == 1
    assert await Contract.count().where(Contract.id_number == shared) == 1


async def test_sigkill_between_chunks_leaves_nothing_and_the_restart_deletes_the_chunks(app, client):
    """The real crash: the process running SQLite's queue is killed after staging two chunks of five rows."""
    if not isinstance(app.state.jobs, jobs.LocalJobs):
        pytest.skip("SQLite's in-process queue (PostgreSQL: the recovery test above)")
    from tests.dataservices.test_recovery import _kill, _spawn, _until

    importer = await make_employer()
    await client.sign_in_employer(importer)
    owner = f"employer:{importer['id']}"
    directory = Path(app.state.settings.storage_dir) / "imports"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{secrets.token_hex(16)}.xlsx"
    path.write_bytes(await _file(client, [make_id_number() for _ in range(15)]))
    job = ImportJob(token=secrets.token_urlsafe(24), owner_key=owner, sheet_name="lc_new_renew",
                    file_name="合同.xlsx", status="queued", created_at=datetime.now(UTC), storage_path=str(path))
    await job.save()
    await ImportLock.insert(ImportLock(owner_key=owner, job_token=job.token, acquired_at=datetime.now(UTC)))
    principal = employer_principal(importer).snapshot()
    mark = Path(tempfile.mkdtemp()) / "mark"
    process = await _spawn("local", str(job.id), json.dumps(principal), "lc_test_stuck_chunks",
                           env={**os.environ, "PORTAL_TEST_JOB_MARK": str(mark)})
    try:
        await _until(lambda: asyncio.sleep(0, mark.exists()), "two chunks staged in the other process")
    finally:
        await _kill(process)
    assert await _hidden() == (10, 10, 20, 10)
    assert await _visible(importer["id"]) == (0, 0, 0)
    assert "批量1" not in (await client.page("/labor-contract/contracts")).get_text()

    restarted = create_app(app.state.settings)
    await jobs.start_jobs(restarted)  # the start-up recovery: the job's process is gone
    await jobs.stop_jobs(restarted)
    row = await ImportJob.select().where(ImportJob.id == job.id).first()
    assert row["status"] == "failed" and row["message"] == cleanup.IMPORT_DEAD
    assert await _hidden() == (0, 0, 0, 0) and await ImportChunk.count() == 0
    assert await Contract.count() == 0 and await Matter.count() == 0 and await Message.count() == 0
    assert await ImportLock.count() == 0
