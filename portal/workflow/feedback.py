"""消息中心 (X-6) and 好差评 (X-5): unread counts of applicants' messages and the rating of an ended matter."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar.exceptions import NotFoundException

from portal import audit
from portal.auth.principal import Principal
from portal.db import write_transaction
from portal.refusal import Refused
from portal.workflow import engine
from portal.workflow.kinds import kinds_outside
from portal.workflow.tables import Evaluation, FollowUp, Matter, Message
from portal.workflow.views import GRADES

GRADE_LABELS = dict(GRADES)
BAD_GRADE = 2  # 不满意 or worse opens a follow-up


def own_messages(principal: Principal) -> Any:
    if principal.is_employer:
        own = Message.employer == principal.employer_id
        # ACC-8: an agent does not read about the matters of services its authorisation leaves out.
        if principal.services is not None and (hidden := kinds_outside(principal.services)):
            return own & (Message.matter.is_null() | Message.matter._.kind.not_in(hidden))
        return own
    return Message.person == principal.person_id


async def unread_count(principal: Principal) -> int:
    # The loader's count covers every message of the employer; an agent's leaves out hidden services' ones.
    if principal.unread_messages is not None and principal.services is None:
        return principal.unread_messages
    return await Message.count().where(own_messages(principal) & Message.read_at.is_null())


def unread_count_sql(owner: str, outer: str) -> str:
    """A scalar subquery counting the unread messages of `outer` (an employer or person id expression), for a
    Principal loader that reads the account row: the header's count then costs no round trip of its own."""
    if owner not in {"employer", "person"}:
        raise ValueError(owner)
    return f"(SELECT COUNT(*) FROM message m WHERE m.{owner} = {outer} AND m.read_at IS NULL)"


async def tell_person(person_id: int, title: str, text: str) -> None:
    """A notice to a person about something another party filed for them (a domain's own event calls it, inside
    that event's transaction). No matter link: the 办件 belongs to the filer, not to the person."""
    await Message.insert(Message(person=person_id, title=title, text=text, created_at=datetime.now(UTC)))


async def rate(principal: Principal, matter_id: int, grade: int, comment: str, ip: str = "") -> dict[str, Any]:
    """The applicant rates an ended matter once; 不满意 or worse opens a FollowUp for a supervisor."""
    matter = await engine.get_matter_for(principal, matter_id)
    if principal.is_staff:
        raise engine.NotAllowed("只有申请人可以评价")
    if matter["finished_at"] is None:
        raise engine.NotAllowed("办件办结后才能评价")
    if grade not in GRADE_LABELS:
        raise engine.WorkflowError("请选择评价等级", errors={"grade": "请选择评价等级"})
    if len(comment) > 500:
        raise engine.WorkflowError("评价内容不能超过500个字", errors={"comment": "评价内容不能超过500个字"})
    if grade <= BAD_GRADE and not comment.strip():
        raise engine.WorkflowError("请说明不满意的原因", errors={"comment": "请说明不满意的原因"})
    at = datetime.now(UTC)
    async with write_transaction():
        if await Evaluation.exists().where(Evaluation.matter == matter_id):
            raise engine.DuplicateSubmission()
        row = Evaluation(matter=matter_id, kind=matter["kind"], division_code=matter["division_code"], grade=grade,
                         comment=comment.strip(), created_at=at)
        await row.save()
        if grade <= BAD_GRADE:
            await FollowUp(evaluation=row.id, division_code=matter["division_code"], created_at=at).save()
        await audit.record(category="workflow", action="matter.evaluate", actor=principal, ip=ip,
                           object_type="matter", object_id=matter_id, detail={"grade": grade})
    return row.to_dict()


async def close_followup(principal: Principal, followup_id: int, note: str, ip: str = "") -> None:
    """A supervisor closes an open 差评整改 in their jurisdiction with what was done (audited)."""
    row = await FollowUp.select().where(FollowUp.id == followup_id).first()
    if row is None or not principal.covers_division(row["division_code"]):
        raise NotFoundException("整改事项不存在")
    if not note:
        raise Refused("请填写整改说明", f"note-{followup_id}")
    async with write_transaction():
        await FollowUp.update({
            FollowUp.status: "closed", FollowUp.note: note, FollowUp.handler_id: principal.account_id,
            FollowUp.handler_name: principal.display_name[:40], FollowUp.closed_at: datetime.now(UTC),
        }).where((FollowUp.id == followup_id) & (FollowUp.status == "open"))
        await audit.record(category="workflow", action="followup.close", actor=principal, ip=ip,
                           object_type="followup", object_id=followup_id, detail={"note": note})


__all__ = ["Matter", "close_followup", "rate", "unread_count", "unread_count_sql"]
