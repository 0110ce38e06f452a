"""The demo 网上书审: one returned for 整改, one waiting for the squad, one in progress; loading twice adds nothing."""

from __future__ import annotations

from domains.labor_inspection.tables import InsReview
from portal.workflow.tables import Matter
from seeds.demo import load_demo


async def test_demo_reviews_in_each_state(app):
    await load_demo()
    states = {m["state"] for m in await Matter.select(Matter.state).where(Matter.kind == "ins_review")}
    assert states == {"rejected", "submitted"}
    assert await InsReview.count().where(InsReview.matter_id.is_null()) == 1
    rejected = await Matter.select(Matter.result).where((Matter.state == "rejected") & (Matter.kind == "ins_review")).first()
    assert "超过每月36小时的上限" in str(rejected["result"])
    count = await InsReview.count()
    await load_demo()
    assert await InsReview.count() == count == 3


async def test_demo_grades_one_accepted_one_appealing_one_waiting(app):
    from domains.labor_inspection.tables import InsGrade, InsGradeHistory

    await load_demo()
    states = sorted(m["state"] for m in await Matter.select(Matter.state).where(Matter.kind == "ins_grade"))
    assert states == ["appealed", "closed", "submitted"]
    assert sorted(r["grade"] for r in await InsGradeHistory.select(InsGradeHistory.grade)) == ["A", "C"]
    await load_demo()
    assert await InsGrade.count() == 3


async def test_demo_compliance_waiting_issued_and_refused(app):
    from domains.labor_inspection.tables import InsCompliance

    await load_demo()
    states = sorted(m["state"] for m in await Matter.select(Matter.state).where(Matter.kind == "ins_compliance"))
    assert states == ["approved", "rejected", "submitted"]
    issued = await InsCompliance.select().where(InsCompliance.opinion.like("已核对%")).first()
    assert issued["warnings"] not in ("[]", [])  # the squad saw the waiting 书审 before issuing
    await load_demo()
    assert await InsCompliance.count() == 3
