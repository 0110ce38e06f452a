"""A batch import builds its filings outside any transaction and publishes them in one short one (issue #12
item 14): other employers sign in and file meanwhile; the import's rows appear all at once or never."""

from __future__ import annotations

import asyncio

import pytest

from domains.labor_contract import service
from domains.labor_contract.tables import Contract
from portal.dataservices import imports
from portal.dataservices.tables import ImportJob
from portal.db import current_engine, is_sqlite
from portal.jobs import drain
from portal.workflow.tables import Matter, MatterEvent, Message
from tests.labor_contract.support import form_data
from tests.labor_contract.test_batch import filled, new_row, template, upload
from tests.support.factories import make_employer, make_id_number, make_staff
from tests.support.staff import client_for, login

ROWS = 60


@pytest.fixture
def short_busy_timeout():
    """SQLite's own wait for the writer cut to 0.3 s: a write that had to wait for the import would fail."""
    engine = current_engine()
    if not is_sqlite(engine):
        yield
        return
    before = engine.connection_kwargs["timeout"]
    engine.connection_kwargs["timeout"] = 0.3
    try:
        yield
    finally:
        engine.connection_kwargs["timeout"] = before


@pytest.fixture
def paused_import(monkeypatch):
    """Stops every batch import after its filings are built (plan_filings) until `release` is set."""
    state = {"built": asyncio.Event(), "release": asyncio.Event()}
    real = service.plan_filings

    async def plan_then_wait(*args, **kwargs):
        plan = await real(*args, **kwargs)
        state["built"].set()
        await state["release"].wait()
        return plan

    monkeypatch.setattr(service, "plan_filings", plan_then_wait)
    monkeypatch.setattr(imports, "BACKGROUND_BYTES", 0)  # the upload answers at once, the import runs on
    return state


async def _big_file(client) -> bytes:
    return filled(await template(client, "new-renew"), [new_row(f"批量{i}", make_id_number()) for i in range(ROWS)])


async def _counts(employer_id: int) -> tuple[int, int, int]:
    matters = await Matter.count().where(Matter.employer == employer_id)
    messages = await Message.count().where(Message.employer == employer_id)
    return await Contract.count().where(Contract.employer == employer_id), matters, messages


async def test_sign_in_and_single_filing_succeed_while_a_batch_is_in_progress(
        app, client, other_client, paused_import, short_busy_timeout):
    importer, other = await make_employer(), await make_employer()
    await client.sign_in_employer(importer)
    await other_client.sign_in_employer(other)
    await make_staff(app, "alice", "Alice#2026")
    location = await upload(client, "new-renew", await _big_file(client))
    try:
        await asyncio.wait_for(paused_import["built"].wait(), 60)
        # the import is half-way: every filing is built, none is written, and no transaction is open
        # (a generous guard, not a timing check: with the writer held they would wait for the release forever)
        staff = client_for(app)
        signed_in = await asyncio.wait_for(login(staff, "alice", "Alice#2026"), 60)
        filed = await asyncio.wait_for(
            other_client.post_form("/labor-contract/new", form_data(id_number=make_id_number())), 60)
        assert signed_in.status_code == 303, signed_in.text[:300]
        assert filed.status_code == 303, filed.text[:300]
        assert await _counts(importer["id"]) == (0, 0, 0)  # nothing of the import is visible yet
        assert await Contract.count().where(Contract.employer == other["id"]) == 1
    finally:
        paused_import["release"].set()
        await drain(app)
    job = await ImportJob.select().where(ImportJob.token == location.rstrip("/").rsplit("/", 1)[-1]).first()
    assert (job["status"], job["written"], job["ok_count"]) == ("done", True, ROWS)
    assert await _counts(importer["id"]) == (ROWS, ROWS, ROWS)
    # each filing and its 办件 point at each other, and the 办件 has its two timeline events
    contracts = await Contract.select(Contract.id, Contract.matter_id).where(Contract.employer == importer["id"])
    matters = {m["id"]: m for m in await Matter.select(Matter.id, Matter.payload, Matter.state)
               .where(Matter.employer == importer["id"]).output(load_json=True)}
    assert all(matters[c["matter_id"]]["payload"]["contract_id"] == c["id"] for c in contracts)
    assert {m["state"] for m in matters.values()} == {"submitted"}
    assert await MatterEvent.count().where(MatterEvent.matter.is_in(list(matters))) == 2 * ROWS


async def test_a_failure_while_publishing_leaves_nothing_of_the_batch(app, client, monkeypatch):
    importer = await make_employer()
    await client.sign_in_employer(importer)
    real = service.write_filings

    async def write_then_fail(plan):
        await real(plan)  # every row inserted, then the transaction fails
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "write_filings", write_then_fail)
    location = await upload(client, "new-renew", await _big_file(client))
    await drain(app)
    job = await ImportJob.select().where(ImportJob.token == location.rstrip("/").rsplit("/", 1)[-1]).first()
    assert (job["status"], job["written"], job["ok_count"]) == ("done", False, 0)
    assert "全部回滚" in job["message"]
    assert await _counts(importer["id"]) == (0, 0, 0)
    assert await MatterEvent.count() == 0
