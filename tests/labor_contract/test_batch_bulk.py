"""A large 新订 batch lands every row: one filing and one submitted 办件 each, linked both ways, one bulk audit row."""

import json

from domains.labor_contract.tables import Contract
from portal.core.tables import AuditLog
from portal.workflow.tables import Matter, MatterEvent, Message
from tests.labor_contract.test_batch import filled, new_row, template, upload
from tests.support.factories import make_employer, make_id_number

ROWS = 300


async def test_300_row_new_batch_lands_everything(client):
    employer = await make_employer()
    await client.sign_in_employer(employer)
    ids = [make_id_number() for _ in range(ROWS)]
    rows = [new_row(f"批量{i:03d}", id_number) for i, id_number in enumerate(ids)]
    location = await upload(client, "new-renew", filled(await template(client, "new-renew"), rows))
    result = await client.page(location)
    assert f"成功导入{ROWS}行" in result.text
    contracts = await Contract.select().where(Contract.employer == employer["id"])
    assert sorted(c["id_number"] for c in contracts) == sorted(ids)
    assert {(c["state"], c["review_state"]) for c in contracts} == {("new", "pending")}
    matters = {m["id"]: m for m in await Matter.select().where(Matter.employer == employer["id"])}
    assert len(matters) == ROWS and {m["state"] for m in matters.values()} == {"submitted"}
    for c in contracts:
        m = matters[c["matter_id"]]
        payload = m["payload"] if isinstance(m["payload"], dict) else json.loads(m["payload"])
        assert payload["contract_id"] == c["id"] and payload["worker_name"] == c["worker_name"]
        assert m["agency_code"] == employer["review_agency"]
    assert len({m["number"] for m in matters.values()}) == ROWS
    assert await MatterEvent.count().where(MatterEvent.matter.is_in(list(matters))) == 2 * ROWS
    assert await Message.count().where(Message.employer == employer["id"]) == ROWS
    assert await AuditLog.count().where(AuditLog.action == "matter.create_bulk") == 1
