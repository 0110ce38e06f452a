"""Demo data of the hall: one published notice, so the demo home page shows how 通知公告 look (idempotent)."""

from __future__ import annotations

from datetime import UTC, datetime

from portal.hall.tables import Notice

TITLE = "关于网上办事大厅试运行的公告"
BODY = ("海南省人力资源和社会保障厅网上办事大厅开始试运行，单位和个人可通过省政务服务网统一身份认证登录，"
        "在线办理劳动用工备案、社会保险查询、人力资源服务机构许可备案等事项。\n\n"
        "试运行期间如遇问题，请通过“我的办件”查看办理进度，或咨询当地人力资源和社会保障部门。")


async def load() -> None:
    if await Notice.exists().where(Notice.title == TITLE):
        return
    now = datetime.now(UTC)
    await Notice.insert(Notice(title=TITLE, body=BODY, status="published", published_at=now, created_at=now,
                               updated_at=now, author_name="系统管理员"))
