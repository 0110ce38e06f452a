"""The engine: creating, firing, optimistic lock, roles, opinions, one stage per person, double posts."""

from __future__ import annotations

import asyncio

import pytest
from litestar.exceptions import NotFoundException

from portal.audit import verify_chain
from portal.core.tables import AuditLog
from portal.workflow import engine
from portal.workflow.tables import Matter, MatterEvent, Message
from tests.workflow.support import employer_with_principal, make_reviewer, submitted_matter


async def test_create_draft_then_submit_numbers_and_clock(app):
    employer, applicant = await employer_with_principal(division_code="460105")
    matter = await engine.create_matter(applicant, "t_licence", payload={"a": 1}, title="许可申请")
    assert matter["state"] == "draft" and matter["version"] == 1
    assert matter["number"].startswith("460105-") and "-TL-0001" in matter["number"]
    assert matter["employer"] == employer["id"] and matter["acting_name"] == "王经办"
    assert matter["promised_deadline"] is None
    second = await engine.create_matter(applicant, "t_licence", payload={}, title="第二件")
    assert second["number"].endswith("-0002")
    submitted = await engine.fire(applicant, matter["id"], "submit", expected_version=1)
    assert submitted["state"] == "submitted" and submitted["version"] == 2
    row = await Matter.select().where(Matter.id == matter["id"]).first()
    assert row["promised_deadline"] and row["legal_deadline"] > row["promised_deadline"]
    assert row["submitted_at"] and row["clock_started_at"]
    events = await engine.timeline(matter["id"])
    assert [(e["action"], e["from_state"], e["to_state"]) for e in events] == [
        ("create", "", "draft"), ("submit", "draft", "submitted")
    ]
    assert await Message.count().where(Message.employer == employer["id"]) == 1


async def test_accept_then_approve_runs_effect_and_ends(app):
    _, applicant = await employer_with_principal()
    matter = await submitted_matter(applicant)
    acceptor = await make_reviewer(app, "acc", ["test.accept"])
    approver = await make_reviewer(app, "apr", ["test.approve"])
    with pytest.raises(engine.NotAllowed):
        await engine.fire(approver, matter["id"], "accept", expected_version=2)
    m = await engine.fire(acceptor, matter["id"], "accept", expected_version=2)
    m = await engine.fire(approver, matter["id"], "approve", expected_version=m["version"])
    assert m["state"] == "approved" and m["finished_at"] is not None
    assert m["result"]["licence_no"].endswith("0001号")
    ok, bad = await verify_chain()
    assert ok, bad


async def test_one_person_cannot_act_at_two_stages(app):
    _, applicant = await employer_with_principal()
    matter = await submitted_matter(applicant)
    both = await make_reviewer(app, "both", ["test.accept", "test.approve"])
    m = await engine.fire(both, matter["id"], "accept", expected_version=2)
    with pytest.raises(engine.NotAllowed, match="两个环节"):
        await engine.fire(both, matter["id"], "approve", expected_version=m["version"])
    assert (await Matter.select(Matter.state).where(Matter.id == matter["id"]).first())["state"] == "accepted"


async def test_return_requires_opinion_and_resubmit_restarts_clock(app):
    _, applicant = await employer_with_principal()
    matter = await submitted_matter(applicant)
    acceptor = await make_reviewer(app, "acc", ["test.accept"])
    with pytest.raises(engine.WorkflowError) as info:
        await engine.fire(acceptor, matter["id"], "return", expected_version=2, opinion="  ")
    assert "opinion" in info.value.errors
    m = await engine.fire(acceptor, matter["id"], "return", expected_version=2, opinion="1. 缺营业执照\n2. 地址有误")
    assert m["state"] == "returned"
    m = await engine.update_payload(applicant, matter["id"], expected_version=m["version"], payload={"address": "新地址"})
    m = await engine.fire(applicant, matter["id"], "resubmit", expected_version=m["version"])
    assert m["state"] == "submitted" and m["payload"]["address"] == "新地址"
    events = await MatterEvent.select().where(MatterEvent.matter == matter["id"]).order_by(MatterEvent.id)
    assert events[-2]["opinion"].startswith("1. 缺营业执照")


async def test_applicant_cannot_fire_staff_transition_nor_other_employers_matter(app):
    _, applicant = await employer_with_principal()
    _, stranger = await employer_with_principal()
    matter = await submitted_matter(applicant)
    with pytest.raises(engine.NotAllowed):
        await engine.fire(applicant, matter["id"], "accept", expected_version=2)
    with pytest.raises(NotFoundException):
        await engine.fire(stranger, matter["id"], "withdraw", expected_version=2)
    # The refused attempt is audited even though the transition's transaction rolled back.
    assert await AuditLog.count().where(AuditLog.action == "workflow.cross_tenant") == 1
    with pytest.raises(NotFoundException):
        await engine.get_matter_for(stranger, matter["id"])
    assert await AuditLog.count().where(AuditLog.action == "workflow.cross_tenant") == 2


async def test_staff_outside_jurisdiction_gets_404(app):
    _, applicant = await employer_with_principal(division_code="460105")
    matter = await submitted_matter(applicant)
    sanya = await make_reviewer(app, "sanya", ["test.accept"], division="460200")
    with pytest.raises(NotFoundException):
        await engine.fire(sanya, matter["id"], "accept", expected_version=2)
    haikou = await make_reviewer(app, "haikou", ["test.accept"], division="460100")
    assert (await engine.fire(haikou, matter["id"], "accept", expected_version=2))["state"] == "accepted"


async def test_stale_version_is_refused_with_current_state(app):
    _, applicant = await employer_with_principal()
    matter = await submitted_matter(applicant)
    acceptor = await make_reviewer(app, "acc", ["test.accept"])
    await engine.fire(acceptor, matter["id"], "accept", expected_version=2)
    with pytest.raises(engine.StaleMatter) as info:
        await engine.fire(acceptor, matter["id"], "refuse", expected_version=2, opinion="不符合条件")
    assert info.value.state_label == "待审批"
    assert "已被他人处理" in info.value.message


@pytest.mark.parametrize("reviewers", [2, 10])
async def test_concurrent_reviewers_exactly_one_wins(app, reviewers):
    _, applicant = await employer_with_principal()
    matter = await submitted_matter(applicant)
    staff = [await make_reviewer(app, f"r{i}", ["test.accept"]) for i in range(reviewers)]
    outcomes = await asyncio.gather(
        *(engine.fire(s, matter["id"], "accept", expected_version=2) for s in staff), return_exceptions=True
    )
    wins = [o for o in outcomes if isinstance(o, dict)]
    stale = [o for o in outcomes if isinstance(o, engine.StaleMatter)]
    assert len(wins) == 1 and len(stale) == reviewers - 1, outcomes
    assert await MatterEvent.count().where((MatterEvent.matter == matter["id"]) & (MatterEvent.action == "accept")) == 1
    assert await AuditLog.count().where(AuditLog.action == "matter.accept") == 1
    row = await Matter.select(Matter.version, Matter.state).where(Matter.id == matter["id"]).first()
    assert row == {"version": 3, "state": "accepted"}


async def test_same_form_token_acts_once(app):
    _, applicant = await employer_with_principal()
    token = "tok_" + "x" * 20
    first = await engine.create_matter(applicant, "t_licence", payload={}, title="一次", form_token=token)
    with pytest.raises(engine.DuplicateSubmission):
        await engine.create_matter(applicant, "t_licence", payload={}, title="一次", form_token=token)
    assert await Matter.count() == 1
    assert first["state"] == "draft"


async def test_staff_may_start_a_matter_for_an_applicant_in_their_jurisdiction_only(app):
    employer, applicant = await employer_with_principal(division_code="460105")
    haikou = await make_reviewer(app, "hk", ["test.accept"], division="460100")
    matter = await engine.create_matter(haikou, "t_licence", payload={}, title="依职权注销", employer_id=employer["id"])
    assert matter["employer"] == employer["id"] and matter["acting_name"] == "审核员hk"
    assert (await engine.get_matter_for(applicant, matter["id"]))["id"] == matter["id"]
    sanya = await make_reviewer(app, "sy", ["test.accept"], division="460200")
    with pytest.raises(NotFoundException):
        await engine.create_matter(sanya, "t_licence", payload={}, title="越权", employer_id=employer["id"])


async def test_an_applicant_cannot_file_for_another_employer(app):
    _, applicant = await employer_with_principal()
    other, _ = await employer_with_principal()
    matter = await engine.create_matter(applicant, "t_licence", payload={}, title="自己的", employer_id=other["id"])
    assert matter["employer"] == applicant.employer_id != other["id"]


async def test_numbers_are_unique_under_concurrency(app):
    from portal.db import write_transaction
    from portal.workflow.numbers import next_sequence

    async def one() -> int:
        async with write_transaction():
            return await next_sequence("460105-20261123-TL")

    values = await asyncio.gather(*(one() for _ in range(20)))
    assert sorted(values) == list(range(1, 21))
    _, applicant = await employer_with_principal()
    matters = await asyncio.gather(
        *(engine.create_matter(applicant, "t_licence", payload={}, title=f"并发{i}") for i in range(8))
    )
    assert len({m["number"] for m in matters}) == 8
