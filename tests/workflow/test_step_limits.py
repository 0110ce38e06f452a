"""A time-limited applicant step (申诉 within N working days of the decision) and a step's own materials: the
engine refuses the step after its last day, naming it; a step material is uploaded while the step is open and
required by that step only; the decision's reasons may be required."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from portal.forms import ChoiceField
from portal.workflow import engine, transitions
from portal.workflow.kinds import MaterialSpec, appeal_flow, register_kind, unregister_kind
from portal.workflow.materials import upload_material
from portal.workflow.tables import Message
from tests.support.files import pdf_bytes
from tests.workflow.support import employer_with_principal, make_reviewer

GRADES = (("A", "A级"), ("B", "B级"))


@pytest.fixture
def limited_kind():
    kind = register_kind(appeal_flow(
        "t_limited", "测试限期申诉", decide_permission="test.decide", appeal_permission="test.appeal",
        decide_fields=(ChoiceField("grade", "评定等级", choices=GRADES),), decide_opinion_label="评定理由",
        appeal_days=3, number_code="TLA",
        materials=(MaterialSpec("form", "申请表", required=False),
                   MaterialSpec("proof", "申诉材料", transition="appeal")),
    ))
    yield kind
    unregister_kind(kind.code)


async def test_step_limit_step_materials_and_required_reasons(app, limited_kind, monkeypatch, tmp_path):
    clock = {"now": datetime(2031, 6, 2, 2, 0, tzinfo=UTC)}  # Mon 2 Jun 2031, 10:00 in Hainan
    monkeypatch.setattr(transitions, "now", lambda: clock["now"])
    _, applicant = await employer_with_principal()
    matter = await engine.create_matter(applicant, "t_limited", payload={}, title="限期", submit=True)
    assert [m.code for m in limited_kind.uploadable("submitted")] == []
    with pytest.raises(engine.NotAllowed):  # the step's material is not open before the decision
        await upload_material(applicant, matter["id"], "proof", "a.pdf", pdf_bytes(), storage_dir=tmp_path)

    decider = await make_reviewer(app, "dec_l", ["test.decide"])
    with pytest.raises(engine.WorkflowError, match="请填写评定理由"):
        await engine.fire(decider, matter["id"], "decide", expected_version=2, values={"grade": "B"})
    decided = await engine.fire(decider, matter["id"], "decide", expected_version=2, opinion="有违法记录",
                                values={"grade": "B"})
    text = (await Message.select(Message.text).where(Message.matter == matter["id"]).order_by(
        Message.id, ascending=False).first())["text"]
    # 3 working days from Mon 2 Jun: Tue 3, Wed 4, Thu 5
    assert "评定等级：B级" in text and "如需申诉，请于2031年6月5日前（含当日）提出" in text
    t = limited_kind.transition("appeal")
    assert await transitions.time_limit_last_day(t, decided) == date(2031, 6, 5)

    # the step's own required material blocks it; the application's are not asked again
    with pytest.raises(engine.NotAllowed, match="申诉材料"):
        await engine.fire(applicant, matter["id"], "appeal", expected_version=3, opinion="不服")
    await upload_material(applicant, matter["id"], "proof", "a.pdf", pdf_bytes(), storage_dir=tmp_path)
    with pytest.raises(engine.NotAllowed):  # the application's material is closed once submitted
        await upload_material(applicant, matter["id"], "form", "b.pdf", pdf_bytes("b"), storage_dir=tmp_path)

    clock["now"] = datetime(2031, 6, 5, 16, 30, tzinfo=UTC)  # 00:30 Fri 6 Jun in Hainan: one day late
    with pytest.raises(engine.NotAllowed, match="最后一天为2031年6月5日"):
        await engine.fire(applicant, matter["id"], "appeal", expected_version=3, opinion="不服")
    clock["now"] = datetime(2031, 6, 5, 15, 30, tzinfo=UTC)  # 23:30 Thu 5 Jun: still in time
    appealed = await engine.fire(applicant, matter["id"], "appeal", expected_version=3, opinion="不服")
    assert appealed["state"] == "appealed"
