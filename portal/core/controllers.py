"""Home page, the 长辈版 switch and the health check."""

from __future__ import annotations

from litestar import Request, Response, get, post

from portal.auth.principal import PUBLIC
from portal.core import admin_pages
from portal.web import catalogue, redirect, render
from portal.webutil import safe_next


@get("/", name="home", opt=PUBLIC)
async def home(request: Request) -> Response:
    return await render(request, "core/home.html", {"page_title": "首页", "services": catalogue()})


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


ROUTES = [home, toggle_elder_mode, healthz, *admin_pages.ROUTES]
