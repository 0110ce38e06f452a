"""Creating matters (create_matters, and create_matter on it): same states, deadlines and timeline, consecutive
numbers, one audit row."""

from __future__ import annotations

import pytest

from portal.core.tables import AuditLog
from portal.db import write_transaction
from portal.workflow import engine
from portal.workflow.creation import create_matters
from portal.workflow.errors import NotAllowed
from portal.workflow.tables import Matter, MatterEvent, Message
from tests.workflow.support import employer_with_principal, staff_principal


def items(n: int) -> list[dict]:
    return [{"payload": {"i": i}, "title": f"第{i}件"} for i in range(n)]


async def test_bulk_matches_single_creation_and_numbers_are_consecutive(app):
    employer, applicant = await employer_with_principal(division_code="460105")
    single = await engine.create_matter(applicant, "t_licence", payload={"i": -1}, title="单件", submit=True)
    audits_before = await AuditLog.count()
    matters = await create_matters(applicant, "t_licence", items(5), submit=True)
    assert await AuditLog.count() == audits_before + 1
    audit = await AuditLog.select().order_by(AuditLog.id, ascending=False).first()
    assert audit["action"] == "matter.create_bulk" and str(matters[-1]["id"]) in audit["detail"]
    seqs = [int(m["number"].rsplit("-", 1)[1]) for m in matters]
    assert seqs == list(range(int(single["number"].rsplit("-", 1)[1]) + 1, seqs[0] + 5))
    assert len({m["id"] for m in matters}) == 5
    stored = {r["id"]: r for r in await Matter.select().where(Matter.id.is_in([m["id"] for m in matters]))}
    one = await Matter.select().where(Matter.id == single["id"]).first()
    for i, m in enumerate(matters):
        row = stored[m["id"]]
        assert m["payload"] == {"i": i} and row["title"] == f"第{i}件"
        for key in ("state", "version", "employer", "acting_name", "division_code", "legal_deadline",
                    "promised_deadline", "applicant_name", "kind"):
            assert row[key] == one[key], key
        assert row["submitted_at"] and row["clock_started_at"]
        events = await engine.timeline(m["id"])
        assert [(e["action"], e["from_state"], e["to_state"]) for e in events] == [
            ("create", "", "draft"), ("submit", "draft", "submitted")
        ]
        assert await Message.count().where(Message.matter == m["id"]) == 1
    assert await Message.count().where(Message.employer == employer["id"]) == 6


async def test_draft_only_when_not_submitted(app):
    _, applicant = await employer_with_principal()
    matters = await create_matters(applicant, "t_licence", items(3), submit=False)
    assert {m["state"] for m in matters} == {"draft"} and {m["version"] for m in matters} == {1}
    assert await MatterEvent.count().where(MatterEvent.matter.is_in([m["id"] for m in matters])) == 3
    assert await Message.count().where(Message.matter.is_in([m["id"] for m in matters])) == 0


async def test_rules_of_single_creation_apply(app):
    employer, applicant = await employer_with_principal()
    # A kind whose submission needs materials cannot be submitted in bulk (a new matter has none).
    with pytest.raises(NotAllowed):
        await create_matters(applicant, "t_review", items(2), submit=True)
    # Staff cannot submit on the applicant's behalf.
    with pytest.raises(NotAllowed):
        await create_matters(staff_principal(7, ["test.accept"]), "t_licence", items(1), submit=True,
                             employer_id=employer["id"])
    assert await Matter.count() == 0


async def test_all_or_nothing(app):
    _, applicant = await employer_with_principal()
    with pytest.raises(RuntimeError):
        async with write_transaction():
            await create_matters(applicant, "t_licence", items(4), submit=True)
            raise RuntimeError("the domain's write failed after the matters")
    assert await Matter.count() == 0 and await MatterEvent.count() == 0 and await Message.count() == 0
    matters = await create_matters(applicant, "t_licence", items(1), submit=True)
    assert matters[0]["number"].endswith("-0001")  # the rolled-back reservation left no gap


async def test_one_matter_takes_the_same_path_and_rules(app):
    """create_matter is create_matters with one item: one audit row, the submit rules written once."""
    _, applicant = await employer_with_principal()
    before = await AuditLog.count()
    one = await engine.create_matter(applicant, "t_licence", payload={"n": 1}, title="单件", submit=True)
    audit = await AuditLog.select().order_by(AuditLog.id, ascending=False).first()
    assert await AuditLog.count() == before + 1
    assert audit["action"] == "matter.create" and one["number"] in audit["detail"] and "submitted" in audit["detail"]
    assert [e["action"] for e in await engine.timeline(one["id"])] == ["create", "submit"]
    with pytest.raises(NotAllowed) as single:
        await engine.create_matter(applicant, "t_review", payload={}, title="缺材料", submit=True)
    with pytest.raises(NotAllowed) as many:
        await create_matters(applicant, "t_review", items(2), submit=True)
    assert single.value.message == many.value.message and single.value.message.startswith("请先上传以下材料")
    assert await Matter.count() == 1
