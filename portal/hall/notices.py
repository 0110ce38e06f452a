"""通知公告: an administrator writes a notice, publishes it to the home page and withdraws it; every step audited."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar.exceptions import NotFoundException

from portal import audit
from portal.forms import Field, Form, TextField
from portal.hall.tables import Notice
from portal.refusal import Refused

STATUS_LABELS = {"draft": ("草稿", "neutral"), "published": ("已发布", "success"), "withdrawn": ("已撤回", "warning")}
HOME_COUNT = 5
PAGE_SIZE = 20
BODY_MAX = 5000


def notice_fields() -> list[Field]:
    return [TextField("title", "标题", max_len=100), TextField("body", "正文", max_len=BODY_MAX)]


def notice_form(data: Any = None) -> Form:
    return Form(notice_fields(), data or {})


def paragraphs(body: str) -> list[str]:
    """Plain text → paragraphs (a blank line separates them); the template escapes each."""
    blocks = [b.strip() for b in body.replace("\r\n", "\n").split("\n\n")]
    return [b for b in blocks if b]


async def published(limit: int = HOME_COUNT, offset: int = 0) -> list[dict[str, Any]]:
    return await Notice.select(Notice.id, Notice.title, Notice.published_at).where(
        Notice.status == "published").order_by(Notice.published_at, ascending=False).order_by(
        Notice.id, ascending=False).limit(limit).offset(offset)


async def published_count() -> int:
    return await Notice.count().where(Notice.status == "published")


async def published_one(notice_id: int) -> dict[str, Any]:
    row = await Notice.select().where((Notice.id == notice_id) & (Notice.status == "published")).first()
    if row is None:
        raise NotFoundException("通知公告不存在或已撤回")
    return row


async def all_notices(limit: int, offset: int = 0) -> list[dict[str, Any]]:
    return await Notice.select(Notice.id, Notice.title, Notice.status, Notice.published_at, Notice.updated_at,
                               Notice.author_name).order_by(Notice.id, ascending=False).limit(limit).offset(offset)


async def get(notice_id: int) -> dict[str, Any]:
    row = await Notice.select().where(Notice.id == notice_id).first()
    if row is None:
        raise NotFoundException("通知公告不存在")
    return row


def _author(actor: Any) -> dict[str, Any]:
    return {"author_id": actor.account_id, "author_name": actor.display_name}


async def create(cleaned: dict[str, Any], actor: Any, ip: str) -> int:
    now = datetime.now(UTC)
    row = Notice(title=cleaned["title"], body=cleaned["body"], status="draft", created_at=now, updated_at=now,
                 **_author(actor))
    await row.save()
    await audit.record(category="admin", action="notice_create", actor=actor, ip=ip, object_type="notice",
                       object_id=row.id, detail={"title": cleaned["title"]})
    return row.id


async def update(notice_id: int, cleaned: dict[str, Any], actor: Any, ip: str) -> None:
    before = await get(notice_id)
    await Notice.update({Notice.title: cleaned["title"], Notice.body: cleaned["body"],
                         Notice.updated_at: datetime.now(UTC), Notice.author_id: actor.account_id,
                         Notice.author_name: actor.display_name}).where(Notice.id == notice_id)
    await audit.record(category="admin", action="notice_update", actor=actor, ip=ip, object_type="notice",
                       object_id=notice_id, detail={"before": before["title"], "after": cleaned["title"],
                                                    "body_changed": before["body"] != cleaned["body"]})


async def set_status(notice_id: int, status: str, actor: Any, ip: str) -> None:
    """publish (from a draft or a withdrawn notice: published again with today's date) or withdraw."""
    row = await get(notice_id)
    allowed = {"published": ("draft", "withdrawn"), "withdrawn": ("published",)}[status]
    if row["status"] not in allowed:
        raise Refused("该通知公告" + STATUS_LABELS[row["status"]][0] + "，不能" + ("发布" if status == "published" else "撤回"))
    values: dict[Any, Any] = {Notice.status: status, Notice.updated_at: datetime.now(UTC)}
    if status == "published":
        values[Notice.published_at] = datetime.now(UTC)
    # Conditional: two administrators clicking at once change it once.
    changed = await Notice.update(values).where((Notice.id == notice_id) & Notice.status.is_in(list(allowed))
                                                ).returning(Notice.id)
    if not changed:
        raise Refused("该通知公告已被他人处理，请刷新后查看")
    await audit.record(category="admin", action="notice_publish" if status == "published" else "notice_withdraw",
                       actor=actor, ip=ip, object_type="notice", object_id=notice_id, detail={"title": row["title"]})
