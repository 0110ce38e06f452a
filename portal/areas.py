"""Areas: what a domain (or a platform module) brings, declared once in its package and read by the platform.

Every Piccolo app listed in `piccolo_conf.APP_REGISTRY` may have an `area.py` beside its `piccolo_app.py` with
`AREAS = [Area(...)]`. `create_app()` turns each Area into one Litestar `Router` (its path, guards and gate)
and installs what else it declares (nav entries, permissions, matter kinds, sheets, certificate kinds, reveals,
Principal loaders, context processors, start-up and shutdown hooks). Nothing registers itself by being imported.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from litestar import Request, Router

from portal.auth.principal import AgentRight, PrincipalLoader, agent_right_guard
from portal.web import AREA_OPT, ContextProcessor, NavItem, current_area

Gate = Callable[[Request], Awaitable[Any]]
Hook = Callable[[Any], Awaitable[None]]  # called with the Litestar app


AUDIENCES = {"person": "个人服务", "employer": "单位服务"}


@dataclass(frozen=True)
class Service:
    """One 事项 of the service hall (the home page, issue 14 item 23): listed under 个人服务 or 单位服务 by
    `theme`, with its 办事指南 (/services/{code}: the matter kind's guide when `kind` names one, and `guide`)
    and 在线办理 (`route` with `params`; signed out, the login page of the audience first, then back here: ACC-6).
    `public` services (a directory, 证明核验) need no sign-in. `keywords` only help the hall's search."""

    code: str
    name: str
    route: str
    audience: str  # person | employer
    theme: str
    summary: str = ""
    kind: str = ""
    guide: str = ""
    params: tuple[tuple[str, str], ...] = ()
    keywords: str = ""
    public: bool = False
    order: int = 100


@dataclass(frozen=True, eq=False)
class Area:
    """One area of the portal: a URL prefix with its handlers, and everything else the domain contributes.

    `guards` run for every route of the area (Litestar router guards); `gate` runs after them, before the
    handler (Litestar `before_request`): a response it returns answers instead of the handler.
    `title`, `home`, `menu_label` and `menu` ((label, route name) pairs) feed `templates/layouts/area.html` and crumbs().
    `on_startup` / `on_shutdown` hooks run with the app's lifespan (shutdown in reverse order).
    `demo` is an async loader of the area's demo data, run by `python -m seeds demo` in `demo_order`.
    """

    name: str
    path: str = "/"
    handlers: Sequence[Any] = ()
    guards: Sequence[Callable[..., Any]] = ()
    gate: Gate | None = None
    title: str = ""
    home: str = ""
    menu_label: str = ""  # the side menu's heading when it differs from the title
    menu: Sequence[tuple[str, str]] = ()
    # ACC-8: the service an employer's agent must be authorised for to use any route of the area (the legal
    # representative has every one); the 经办人授权 page offers the rights of all areas.
    agent_right: AgentRight | None = None
    guides: Sequence[str] = ()  # matter kind codes whose 办事指南 every page of the area links (X-1b)
    nav: Sequence[NavItem] = ()
    services: Sequence[Service] = ()  # the service hall's 事项 (home page): a domain appears there by declaring them
    permissions: Mapping[str, str] = field(default_factory=dict)
    matter_kinds: Sequence[Any] = ()  # portal.workflow.kinds.MatterKind
    sheets: Sequence[Any] = ()  # portal.dataservices.spreadsheets.SheetSpec
    certificate_kinds: Mapping[str, str] = field(default_factory=dict)
    # certificate kind → the verb /verify uses once it is withdrawn, where 撤销 is wrong (a licence is 注销)
    certificate_withdrawn: Mapping[str, str] = field(default_factory=dict)
    # StoredDocument.kind → the staff permission that opens such documents (/documents/{token}); unlisted kinds
    # are for their owner only.
    document_kinds: Mapping[str, str] = field(default_factory=dict)
    reveals: Sequence[Any] = ()  # portal.privacy.Revealable
    principal_loaders: Mapping[str, PrincipalLoader] = field(default_factory=dict)
    context_processors: Sequence[ContextProcessor] = ()
    profile_completion: str = ""  # route name of the applicant's 信息完善 page (ACC-3), where incomplete accounts go
    # Background work (portal.jobs, docs/JOBS.md): task functions by name and periodic sweeps.
    tasks: Sequence[Any] = ()  # portal.jobs.Task
    periodic: Sequence[Any] = ()  # portal.jobs.Periodic
    # Grids whose export may run as a job, found again by name in a worker (portal.dataservices.grid.Grid).
    grids: Sequence[Any] = ()
    # Batch imports a worker can run (portal.dataservices.imports.Importer).
    importers: Sequence[Any] = ()
    on_startup: Sequence[Hook] = ()
    on_shutdown: Sequence[Hook] = ()
    demo: Callable[[], Awaitable[Any]] | None = None
    demo_order: int = 100

    def guide_links(self) -> list[tuple[str, str]]:
        """(kind code, link text) of the side menu's 办事指南 links: named by kind once there are several."""
        if len(self.guides) == 1:
            return [(self.guides[0], "办事指南")]
        names = {kind.code: kind.name for kind in self.matter_kinds}
        return [(code, f"办事指南：{names.get(code, code)}") for code in self.guides]

    def router(self) -> Router:
        if self.guards or self.gate:
            # Router guards cover every handler: a public page (opt=PUBLIC) needs its own Area without guards.
            public = [h.name for h in self.handlers if getattr(h, "opt", {}).get("public")]
            if public:
                raise ValueError(f"area {self.name}: public handlers {public} behind the area's guards; "
                                 "declare them in a second Area without guards")
        guards = list(self.guards)
        if self.agent_right is not None:
            guards.append(agent_right_guard(self.agent_right))
        return Router(
            path=self.path,
            route_handlers=list(self.handlers),
            guards=guards,
            before_request=self.gate,
            opt={AREA_OPT: self.name},
        )

    def install(self) -> None:
        """Put the declarations into the platform's process-wide registries (idempotent)."""
        from portal import jobs, privacy, web
        from portal.auth.permissions import register_permissions
        from portal.auth.principal import register_loader, register_profile_completion
        from portal.dataservices import certificates, document_access, grid, imports
        from portal.dataservices.spreadsheets import register_spec
        from portal.workflow.kinds import register_kind

        register_permissions(dict(self.permissions))
        for kind in self.matter_kinds:
            register_kind(kind, right=self.agent_right.code if self.agent_right else "")
        for spec in self.sheets:
            register_spec(spec)
        for code, label in self.certificate_kinds.items():
            certificates.register_kind(code, label, self.certificate_withdrawn.get(code, certificates.WITHDRAWN),
                                       right=self.agent_right.code if self.agent_right else "")
        for kind, permission in self.document_kinds.items():
            document_access.register_document_kind(kind, permission)
        for item in self.reveals:
            privacy.install_reveal(item)
        for kind, loader in self.principal_loaders.items():
            register_loader(kind, loader)
        for task in self.tasks:
            jobs.register_task(task)
        for item in self.periodic:
            jobs.register_periodic(item)
        for declared in self.grids:
            grid.register_grid(declared)
        for importer in self.importers:
            imports.register_importer(importer)
        for processor in self.context_processors:
            web.install_context_processor(processor)
        if self.profile_completion:
            register_profile_completion(self.profile_completion)


def _default_registry() -> Any:
    from piccolo.conf.apps import Finder

    return Finder().get_app_registry()


def discover(registry: Any = None) -> list[Area]:
    """The areas of every app in the Piccolo app registry, in registry order (apps without area.py have none)."""
    registry = registry if registry is not None else _default_registry()
    areas: list[Area] = []
    for app_module in registry.apps:
        name = f"{app_module.rsplit('.', 1)[0]}.area"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # area.py exists but something it imports is broken: say so
                raise
            continue
        areas.extend(module.AREAS)
    names = [a.name for a in areas]
    if len(names) != len(set(names)):  # handlers find their Area by name
        raise ValueError(f"area names repeat: {sorted({n for n in names if names.count(n) > 1})}")
    return areas


def install_all(registry: Any = None) -> list[Area]:
    """Discover and install every area: for scripts and tests that use kinds or permissions without the app."""
    areas = discover(registry)
    for area in areas:
        area.install()
    return areas


def nav_items(areas: Sequence[Area]) -> list[NavItem]:
    """The navigation entries, each tagged with its area's agent right (an agent sees only the ones it holds)."""
    items = [dataclasses.replace(item, service=area.agent_right.code) if area.agent_right and not item.service
             else item for area in areas for item in area.nav]
    return sorted(items, key=lambda i: i.order)


def agent_rights(areas: Sequence[Area]) -> list[AgentRight]:
    """Every service an agent may be authorised for, once each, in registry order (ACC-8)."""
    seen: dict[str, AgentRight] = {}
    for area in areas:
        if area.agent_right is not None:
            seen.setdefault(area.agent_right.code, area.agent_right)
    return list(seen.values())


def held_rights(areas: Sequence[Area], principal: Any) -> list[AgentRight] | None:
    """The rights an agent's authorisation names, as the portal offers them; None for every service."""
    if principal is None or principal.services is None:
        return None
    return [r for r in agent_rights(areas) if r.code in principal.services]


def service_catalogue(areas: Sequence[Area]) -> list[Service]:
    """Every area's services in `order`; codes are the guide pages' addresses, so they may not repeat."""
    services = sorted((s for area in areas for s in area.services), key=lambda s: s.order)
    codes = [s.code for s in services]
    if len(codes) != len(set(codes)):
        raise ValueError(f"service codes repeat: {sorted({c for c in codes if codes.count(c) > 1})}")
    if bad := [s.code for s in services if s.audience not in AUDIENCES]:
        raise ValueError(f"services with an unknown audience: {bad}")
    return services


def crumbs(request: Request, *items: tuple[str, str]) -> list[tuple[str, str]]:
    """Breadcrumbs of a page in an area: the area's home first, then the page's own items."""
    area = current_area(request)
    if area is None or not area.home:
        return list(items)
    return [(area.title, request.app.route_reverse(area.home)), *items]
