"""Home page, the 长辈版 switch and the health check."""

from __future__ import annotations

from urllib.parse import urlsplit

from litestar import Request, Response, get, post
from litestar.params import FromPath

from portal import privacy
from portal.auth.principal import PUBLIC, authenticated_guard
from portal.web import NavItem, catalogue, client_ip, is_htmx, nav_for, redirect, render
from portal.webutil import safe_next

NO_STORE = {"Cache-Control": "no-store"}


AUDIENCE_LABELS = {"employer": "单位", "person": "个人"}


def home_cards(items: list[NavItem], *, signed_in: bool) -> list[dict]:
    """One card per page: a service offered to employers and persons alike (我的办件) is one card with a hint
    for each audience; signed-in users see only their own, so the audience is not repeated."""
    cards: dict[str, dict] = {}
    for item in items:
        card = cards.setdefault(item.route, {"label": item.label, "route": item.route, "hints": []})
        hint = ("" if signed_in else AUDIENCE_LABELS.get(item.audience, ""), item.description)
        if hint not in card["hints"]:
            card["hints"].append(hint)
    return list(cards.values())


@get("/", name="home", opt=PUBLIC)
async def home(request: Request) -> Response:
    user = request.scope.get("user")
    items = nav_for(request, user) if user else catalogue(request)
    cards = home_cards(items, signed_in=user is not None)
    return await render(request, "core/home.html", {"page_title": "首页", "cards": cards})


@post("/elder-mode", name="elder_mode", opt=PUBLIC)
async def toggle_elder_mode(request: Request) -> Response:
    """长辈版: larger text and higher contrast, remembered in a cookie for a year (X-8)."""
    form = await request.form()
    response = redirect(request, safe_next(form.get("next")))
    elder = request.cookies.get("elder") != "1"
    response.set_cookie(
        "elder", "1" if elder else "0", max_age=365 * 86400, path="/", httponly=True, samesite="lax",
        secure=request.app.state.settings.security.https,
    )
    return response


@get("/healthz", name="healthz", opt=PUBLIC, sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@post("/reveal/{what:str}/{object_id:int}", name="reveal_value", guards=[authenticated_guard])
async def reveal_value(request: Request, what: FromPath[str], object_id: FromPath[int]) -> Response:
    """查看完整号码: scope and permission checked by portal.privacy, the view audited; never cached."""
    label, value = await privacy.reveal(request.user, what, object_id, ip=client_ip(request))
    if is_htmx(request):
        return await render(request, "core/_reveal_value.html", {"value": value}, headers=NO_STORE)
    # Back to the page the button was on (same host only; anything else goes home).
    ref = urlsplit(request.headers.get("referer", ""))
    back = safe_next(ref.path + (f"?{ref.query}" if ref.query else "")) if ref.netloc == request.url.netloc else "/"
    return await render(request, "core/reveal.html", {
        "page_title": f"查看完整{label}", "label": f"完整{label}", "value": value, "back": back,
        "breadcrumbs": [(f"查看完整{label}", None)],
    }, headers=NO_STORE)


ROUTES = [home, toggle_elder_mode, healthz, reveal_value]
