"""The demo data: 增员 and 减员 in every state and kind, idempotent, the 调入 reflected on both employers."""

from __future__ import annotations

from domains.personnel_change.tables import PcChange
from portal.workflow.tables import Matter
from seeds.demo import load_demo


async def test_demo_changes_cover_every_state_and_kind(app):
    await load_demo()
    count = await PcChange.count()
    states = {(m["kind"], m["state"]) for m in await Matter.select(Matter.kind, Matter.state).where(
        Matter.kind.is_in(["pc_enrol", "pc_withdraw"]))}
    assert {("pc_enrol", s) for s in ("draft", "submitted", "approved", "rejected")} <= states
    assert {("pc_withdraw", s) for s in ("draft", "submitted", "approved")} <= states
    kinds = {r["kind"] for r in await PcChange.select(PcChange.kind)}
    assert kinds == {"new", "resume", "transfer", "suspend", "terminate", "retire"}
    # 在职转退休 of a man past the statutory retirement age, confirmed: the reviewer finds it waiting
    retire = await PcChange.select(PcChange.matter_id, PcChange.name, PcChange.reason).where(PcChange.kind == "retire")
    assert {(r["name"], r["reason"]) for r in retire} == {("陈国栋", "21")}
    waiting = await Matter.select(Matter.state).where(Matter.id == retire[0]["matter_id"]).first()
    assert waiting["state"] == "submitted"
    assert await PcChange.count().where((PcChange.kind == "transfer") & PcChange.approved_at.is_not_null()) == 2
    await load_demo()
    assert await PcChange.count() == count
