"""SQLite under a big import (issue #12 item 14): other writes of the process wait their turn instead of failing."""

from __future__ import annotations

import asyncio

import pytest

from domains.person.tables import Person
from portal.db import current_engine, is_sqlite
from portal.jobs import drain
from tests.dataservices import support
from tests.dataservices.sheets import filled
from tests.dataservices.support import PERSON_SPEC
from tests.dataservices.test_imports import _employer, _row, _upload
from tests.support.factories import make_id_number


@pytest.fixture
def short_busy_timeout():
    engine = current_engine()
    if not is_sqlite(engine):
        pytest.skip("SQLite's single writer only")
    before = engine.connection_kwargs["timeout"]
    engine.connection_kwargs["timeout"] = 0.3  # SQLite's own wait: without the queue a waiting writer fails soon
    try:
        yield
    finally:
        engine.connection_kwargs["timeout"] = before


async def test_writes_during_an_open_import_transaction_succeed(app, client, other_client, short_busy_timeout):
    await _employer(client)
    await _employer(other_client)
    small = await filled(PERSON_SPEC, [_row("乙", make_id_number())])
    big = await filled(PERSON_SPEC, [_row(f"甲{i}", make_id_number()) for i in range(40)])
    support.HOLD_WRITE.update(started=asyncio.Event(), release=asyncio.Event())
    try:
        response = await _upload(client, big, url="/_test/ds/import?bg=1")
        assert response.status_code == 303
        await asyncio.wait_for(support.HOLD_WRITE["started"].wait(), 60)
        # the import's transaction holds SQLite's writer lock: another employer uploads one row meanwhile
        single = asyncio.create_task(_upload(other_client, small))
        await asyncio.sleep(1)  # longer than SQLite's busy timeout above
        support.HOLD_WRITE["release"].set()
        answer = await single
    finally:
        support.HOLD_WRITE.update(started=None, release=None)
        await drain(app)
    assert answer.status_code == 303, answer.text[:300]
    page = await other_client.page(answer.headers["location"])
    assert page.find(attrs={"data-testid": "import-ok"}).get_text() == "1"
    assert await Person.count() == 41
