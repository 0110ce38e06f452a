"""The 长辈版 switch, the health check and 查看完整号码 (the home page is the service hall's: portal.hall)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import FromPath

from portal import privacy
from portal.auth.principal import PUBLIC, authenticated_guard
from portal.core import dictionary
from portal.forms import TreeChoiceField
from portal.web import client_ip, is_htmx, redirect, render
from portal.webutil import safe_next

NO_STORE = {"Cache-Control": "no-store"}
FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


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


@get("/dictionary/{category:str}/cascade", name="dictionary_cascade", guards=[authenticated_guard])
async def dictionary_cascade(request: Request, category: FromPath[str]) -> Response:
    """The dictionary API behind a cascade of selects (行政区划, 所属行业): given the levels chosen so far (the
    field's name repeated, top down), the selects to show. Data size plays no part: one level's children at a time."""
    if category not in dictionary.TREE_LEVELS:
        raise NotFoundException()
    name = request.query_params.get("_field", "")
    if not FIELD_NAME.fullmatch(name):
        raise ValidationException("字段名称不正确")
    field = TreeChoiceField(name, "", category=category)
    levels = await field.levels(field.raw(request.query_params))
    return await render(request, "components/_cascade.html", {"name": name, "category": category, "levels": levels})


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


ROUTES = [toggle_elder_mode, dictionary_cascade, healthz, reveal_value]
