"""The service hall's public pages: home (个人服务 / 单位服务, search, 通知公告), a service's 办事指南, the
notices, and the bureau's emblem."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from portal.areas import AUDIENCES, Service, held_rights
from portal.auth.principal import PUBLIC
from portal.hall import catalogue, notices
from portal.web import NavItem, nav_for, render
from portal.workflow.views import kind_or_none

EMBLEM_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                ".webp": "image/webp"}


def _services(request: Request) -> list[Service]:
    # Built by create_app() from the areas' declarations, already sorted by order.
    return getattr(request.app.state, "services", None) or []


def service_links(request: Request, service: Service) -> dict[str, str]:
    """办事指南 and 在线办理 of one service. Signed out (or signed in as the other audience), 在线办理 is the
    audience's login tab with the service as `next`: choose, sign in, land on it (ACC-6)."""
    guide, target, login = _static_links(request, service)
    user = request.scope.get("user")
    if not service.public and getattr(user, "kind", "") != service.audience:
        target = login
    return {"guide": guide, "apply": target}


def _static_links(request: Request, service: Service) -> tuple[str, str, str]:
    """A service's three URLs depend on the app's routes only: reversed once per app, not on every home page
    (the hall lists every service; reversing them was a seventh of the page's CPU)."""
    cache = request.app.state.setdefault("service_link_cache", {})
    links = cache.get(service.code)
    if links is None:
        target = request.app.route_reverse(service.route, **dict(service.params))
        login = f"/login?{urlencode({'tab': service.audience, 'next': target}, quote_via=quote)}"
        links = cache[service.code] = (request.app.route_reverse("service_guide", code=service.code), target, login)
    return links


def staff_cards(items: list[NavItem]) -> list[dict]:
    """A signed-in staff member's home: one card per page of their navigation."""
    cards: dict[str, dict] = {}
    for item in items:
        card = cards.setdefault(item.route, {"label": item.label, "route": item.route, "hints": []})
        if item.description and item.description not in card["hints"]:
            card["hints"].append(item.description)
    return list(cards.values())


@get("/", name="home", opt=PUBLIC)
async def home(request: Request) -> Response:
    user = request.scope.get("user")
    if user is not None and user.is_staff:
        return await render(request, "hall/staff_home.html", {
            "page_title": "首页", "cards": staff_cards(nav_for(request, user))})
    params = request.query_params
    q = str(params.get("q") or "").strip()[:catalogue.SEARCH_MAX]
    audience = catalogue.default_audience(user, str(params.get("tab") or ""))
    services = _services(request)
    hits = catalogue.search(services, q, kind_or_none) if q else []
    ctx: dict[str, Any] = {
        "page_title": "首页", "audiences": AUDIENCES, "audience": audience, "q": q, "hits": hits,
        "themes": catalogue.by_theme(services, audience),
        "links": {s.code: service_links(request, s) for s in services},
    }
    # One query: a sixth row says there are more, no COUNT needed.
    shown = await notices.published(notices.HOME_COUNT + 1)
    ctx |= {"notices": shown[: notices.HOME_COUNT], "more_notices": len(shown) > notices.HOME_COUNT}
    # ACC-8: an agent sees which services its authorisation names and until when.
    if user is not None and user.is_employer and user.acting_role == "agent":
        ctx |= {"agent": user, "agent_rights": held_rights(request.app.state.areas, user)}
    # htmx: a tab or a search answers only the hall's panel (the notices and the rest stay).
    return await render(request, "hall/home.html", ctx, block="hall")


@get("/services/{code:str}", name="service_guide", opt=PUBLIC)
async def service_guide(request: Request, code: FromPath[str]) -> Response:
    """办事指南 of one service: what it is, who it is for, the guide of its matter kind, and 在线办理."""
    service = next((s for s in _services(request) if s.code == code), None)
    if service is None:
        raise NotFoundException("没有这个服务事项")
    return await render(request, "hall/service.html", {
        "page_title": f"办事指南：{service.name}", "service": service, "audience_label": AUDIENCES[service.audience],
        "kind": kind_or_none(service.kind) if service.kind else None, "links": service_links(request, service),
        "breadcrumbs": [(AUDIENCES[service.audience], f"/?tab={service.audience}"), (service.name, None)],
    })


@get("/notices", name="notices", opt=PUBLIC)
async def notice_list(request: Request) -> Response:
    try:
        number = max(1, int(request.query_params.get("page") or 1))
    except ValueError:
        number = 1
    total = await notices.published_count()
    base = request.app.route_reverse("notices")
    pages = {"number": number, "total": total, "has_prev": number > 1, "has_next": number * notices.PAGE_SIZE < total,
             "prev_url": f"{base}?page={number - 1}", "next_url": f"{base}?page={number + 1}"}
    return await render(request, "hall/notices.html", {
        "page_title": "通知公告", "breadcrumbs": [("通知公告", None)], "pages": pages,
        "rows": await notices.published(notices.PAGE_SIZE, (number - 1) * notices.PAGE_SIZE),
    })


@get("/notices/{notice_id:int}", name="notice_detail", opt=PUBLIC)
async def notice_detail(request: Request, notice_id: FromPath[int]) -> Response:
    row = await notices.published_one(notice_id)
    return await render(request, "hall/notice.html", {
        "page_title": row["title"], "notice": row, "paragraphs": notices.paragraphs(row["body"]),
        "breadcrumbs": [("通知公告", request.app.route_reverse("notices")), (row["title"], None)],
    })


@get("/emblem", name="site_emblem", opt=PUBLIC)
async def emblem(request: Request) -> Response:
    """The bureau's emblem (settings.site.emblem_file, PORTAL_EMBLEM_FILE): replaced by the operator, so it is
    read per request (small) and cached by browsers for an hour."""
    path = request.app.state.settings.site.emblem_file
    media = EMBLEM_TYPES.get(path.suffix.lower())
    if media is None or not path.is_file():
        raise NotFoundException()
    return Response(content=path.read_bytes(), media_type=media,  # noqa: ASYNC240 - a few KB
                    headers={"Cache-Control": "public, max-age=3600"})


ROUTES = [home, service_guide, notice_list, notice_detail, emblem]
