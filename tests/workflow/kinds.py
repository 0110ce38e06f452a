"""Throw-away matter kinds for the four flow shapes of SPEC.md, registered only by the workflow tests."""

from __future__ import annotations

from portal.forms import ChoiceField
from portal.workflow import numbers
from portal.workflow.kinds import (
    MaterialSpec,
    accept_approve_flow,
    appeal_flow,
    confirm_flow,
    register_kind,
    review_flow,
)

GRADES = (("A", "A级"), ("B", "B级"), ("C", "C级"))


async def issue_licence(ctx):
    # An effect runs inside the transition's transaction: numbers stay gap-free when it rolls back.
    return {"licence_no": f"琼人服证字〔2026〕{await numbers.next_sequence('test-licence'):04d}号"}


async def record_grade(ctx):
    return {"grade": ctx.values["grade"]}


REVIEW = register_kind(review_flow(
    "t_review", "测试备案", permission="test.review", legal_days=20, promised_days=5, batch_approve=True,
    guide_text="测试用的提交 → 审核事项。", number_code="TR",
    materials=(MaterialSpec("licence", "营业执照"),),
))
LICENCE = register_kind(accept_approve_flow(
    "t_licence", "测试行政许可", accept_permission="test.accept", approve_permission="test.approve",
    approve_effect=issue_licence, legal_days=20, promised_days=10, number_code="TL",
))
CONFIRM = register_kind(confirm_flow(
    "t_confirm", "测试增员", permission="test.review", batch_approve=True, number_code="TC",
))
APPEAL = register_kind(appeal_flow(
    "t_appeal", "测试信用等级", decide_permission="test.decide", appeal_permission="test.appeal",
    decide_fields=(ChoiceField("grade", "评定等级", choices=GRADES),), decide_effect=record_grade,
    change_fields=(ChoiceField("grade", "变更后等级", choices=GRADES),), change_effect=record_grade,
    number_code="TA",
))

ALL = (REVIEW, LICENCE, CONFIRM, APPEAL)
ALL_PERMISSIONS = ["test.review", "test.accept", "test.approve", "test.decide", "test.appeal"]
