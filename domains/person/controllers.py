"""HTTP handlers of the person domain: 我的 (a natural person's own record, ACC-4)."""

from __future__ import annotations

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException

from domains.person import service
from portal.auth.principal import person_guard
from portal.web import NavItem, register_nav, render

register_nav(NavItem("我的", "person_me", "person", order=5, description="查看本人基本信息"))


@get("/person/me", name="person_me", guards=[person_guard])
async def me(request: Request) -> Response:
    # Scoped by the session's person, never by a parameter: nobody can ask for another person's record.
    row = await service.get_person(request.user.person_id)
    if row is None:
        raise NotFoundException()
    return await render(request, "person/me.html", {"page_title": "我的", "breadcrumbs": [("我的", None)], "p": row})


ROUTES = [me]
