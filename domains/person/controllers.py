"""HTTP handlers of the person domain: 我的 (a natural person's own record, ACC-4)."""

from __future__ import annotations

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException

from domains.person import service
from portal.web import render


@get("/me", name="person_me")
async def me(request: Request) -> Response:
    # Scoped by the session's person, never by a parameter: nobody can ask for another person's record.
    row = await service.get_person(request.user.person_id)
    if row is None:
        raise NotFoundException()
    return await render(request, "person/me.html", {"page_title": "我的", "breadcrumbs": [("我的", None)], "p": row})


ROUTES = [me]
