"""Rendering: one helper turns a template (or one named block of it, for htmx) into a response."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from jinja2 import nodes
from litestar import Request, Response
from litestar.response import Redirect
from litestar.utils.scope.state import ScopeState

from portal.auth.principal import Principal

ContextProcessor = Callable[[Request], Awaitable[dict[str, Any]]]

# The key under which every route handler of an area finds its area's name in `handler.opt` (Litestar copies
# opt values, so the Area itself is looked up in app.state.area_by_name, filled by create_app()).
AREA_OPT = "area"
_PROCESSORS: list[ContextProcessor] = []


def install_context_processor(fn: ContextProcessor) -> None:
    """An async function whose dict is merged into every page's context (e.g. unread messages); areas declare them."""
    if fn not in _PROCESSORS:
        _PROCESSORS.append(fn)


@dataclass(frozen=True)
class NavItem:
    """A main-navigation entry; `audience` is staff, employer or person; `permission` for staff items."""

    label: str
    route: str
    audience: str
    permission: str = ""
    order: int = 100
    description: str = ""
    service: str = ""  # the area's agent right (ACC-8), set by portal.areas.nav_items()


def _app_nav(request: Request) -> list[NavItem]:
    # Built by create_app() from the areas' declarations, already sorted by order.
    return getattr(request.app.state, "nav", None) or []


def nav_for(request: Request, principal: Principal | None) -> list[NavItem]:
    if principal is None:
        return []
    return [
        i for i in _app_nav(request)
        if i.audience == principal.kind and (not i.permission or principal.can(i.permission))
        and principal.may_use(i.service)
    ]


def current_area(request: Request) -> Any:
    """The portal.areas.Area of the route being served (None outside any route, e.g. on a 404 page)."""
    handler = request.scope.get("route_handler")
    if handler is None or AREA_OPT not in handler.opt:
        return None
    return request.app.state.area_by_name.get(handler.opt[AREA_OPT])


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true" and request.headers.get("hx-boosted") != "true"


def base_context(request: Request) -> dict[str, Any]:
    """The context every page needs, computed without I/O (error pages use only this)."""
    csrf_token = ScopeState.from_scope(request.scope).csrf_token
    # Before the CSRF middleware ran (e.g. on its own 403 page) the token is Litestar's Empty sentinel.
    csrf_token = csrf_token if isinstance(csrf_token, str) else ""
    principal = request.scope.get("user")
    ctx: dict[str, Any] = {
        "request": request,
        "user": principal,
        "site": request.app.state.settings.site,
        "csrf_token": csrf_token,
        "csrf_input": f'<input type="hidden" name="_csrf_token" value="{html.escape(csrf_token)}">',
        "nav": nav_for(request, principal),
        # The Area of the route (side menu, crumbs); None on error pages outside any route.
        "area": current_area(request),
        "elder_mode": request.cookies.get("elder") == "1",
        "url_for": request.app.route_reverse,
    }
    return ctx


async def page_context(request: Request, context: dict[str, Any] | None = None) -> dict[str, Any]:
    ctx = base_context(request)
    for processor in _PROCESSORS:
        ctx.update(await processor(request))
    if context:
        ctx.update(context)
    return ctx


async def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """Render the page; for an htmx request and a `block`, only that block (the markup lives once)."""
    ctx = await page_context(request, context)
    return render_sync(request, template, ctx, block=block, status_code=status_code, headers=headers)


async def render_step(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    changed: str = "",
    refused: bool = False,
    headers: dict[str, str] | None = None,
) -> Response:
    """A confirmation step (components/confirm.html: 撤回, 整件撤回): the page without JavaScript, its `modal`
    block for htmx (`htmx` in the context says which). `changed`: the event (HX-Trigger) on which the page behind
    the modal reloads what the step changed. A refusal answers a plain page 409; htmx swaps only 2xx answers, so
    the modal gets 200 with the message."""
    htmx = is_htmx(request)
    return await render(request, template, {**context, "htmx": htmx}, block="modal",
                        status_code=409 if refused and not htmx else 200,
                        headers={**(headers or {}), **({"HX-Trigger": changed} if changed else {})})


def render_sync(
    request: Request,
    template: str,
    ctx: dict[str, Any],
    *,
    block: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    env = request.app.template_engine.engine
    tmpl = env.get_template(template)
    if block and is_htmx(request):
        names = _top_level_imports(env, template)
        body = "".join(_block(env, tmpl, template, block)(tmpl.new_context({**names, **ctx})))
    else:
        body = tmpl.render(ctx)
    out_headers = {"Vary": "HX-Request", **(headers or {})}
    return Response(content=body, media_type="text/html", status_code=status_code, headers=out_headers)


_IMPORTS: dict[str, dict[str, Any]] = {}
_PARENTS: dict[str, str | None] = {}


def _block(env: Any, tmpl: Any, template: str, block: str) -> Any:
    """The block's render function: the template's own, else its nearest parent's (a page shape such as
    layouts/confirm.html declares its `modal` block once for every confirmation step)."""
    found = tmpl.blocks.get(block)
    name: str | None = template
    while found is None and (name := _parent(env, name)):
        found = env.get_template(name).blocks.get(block)
    if found is None:
        raise KeyError(f"{template} has no block {block!r}")
    return found


def _parent(env: Any, template: str) -> str | None:
    """The template it extends (a constant name), or None."""
    if template in _PARENTS and not env.auto_reload:
        return _PARENTS[template]
    source = env.loader.get_source(env, template)[0]
    parent = next((n.template.value for n in env.parse(source).body
                   if isinstance(n, nodes.Extends) and isinstance(n.template, nodes.Const)), None)
    _PARENTS[template] = parent
    return parent


def _top_level_imports(env: Any, template: str) -> dict[str, Any]:
    """Macros a template imports at its top (and its parents'): a block rendered alone does not run them."""
    if template in _IMPORTS:
        return _IMPORTS[template]
    names: dict[str, Any] = {}
    source = env.loader.get_source(env, template)[0]
    for node in env.parse(source).body:
        if isinstance(node, nodes.Extends) and isinstance(node.template, nodes.Const):
            names.update(_top_level_imports(env, node.template.value))
        elif isinstance(node, nodes.FromImport) and isinstance(node.template, nodes.Const):
            module = env.get_template(node.template.value).module
            for item in node.names:
                name, alias = item if isinstance(item, tuple) else (item, item)
                names[alias] = getattr(module, name)
        elif isinstance(node, nodes.Import) and isinstance(node.template, nodes.Const):
            names[node.target] = env.get_template(node.template.value).module
    if not env.auto_reload:
        _IMPORTS[template] = names
    return names


def redirect(request: Request, path: str) -> Response:
    """A redirect that also works for htmx requests (HX-Redirect instead of a swapped 303)."""
    if is_htmx(request):
        return Response(content="", status_code=200, headers={"HX-Redirect": path})
    return Redirect(path=path, status_code=303)


def client_ip(request: Request) -> str:
    # Behind a proxy uvicorn's --proxy-headers sets client from X-Forwarded-For; we never parse it ourselves.
    return request.client.host if request.client else ""
