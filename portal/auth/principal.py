"""Who is asking: the Principal built for every request from the session, and the guards that check it."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.authentication import AbstractAuthenticationMiddleware, AuthenticationResult

from portal.auth.sessions import SESSION_LOST_KEY

Kind = Literal["staff", "employer", "person"]


@dataclass(frozen=True)
class Principal:
    """The logged-in account; every applicant query is built from `employer_id` / `person_id`."""

    kind: Kind
    account_id: int
    display_name: str
    employer_id: int | None = None
    employer_name: str = ""
    person_id: int | None = None
    # For an employer session: the natural person acting (legal rep or an authorised agent).
    acting_name: str = ""
    acting_role: str = ""  # legal_rep or agent
    agent_id: int | None = None
    login_type: str = ""
    realname_level: str = ""
    roles: frozenset[str] = frozenset()
    permissions: frozenset[str] = frozenset()
    # Jurisdiction of staff: codes per kind ("division", "squad", "agency"); divisions match by prefix.
    scopes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    must_change_password: bool = False
    profile_complete: bool = True
    # Account facts a loader read with the account row in the same query (e.g. "filing_approved"), so pages
    # need no second round trip; a fact missing here is not a "no": callers fall back to their own query.
    flags: frozenset[str] = frozenset()
    # The header's unread-message count when the loader computed it in its query (None: not computed).
    unread_messages: int | None = None
    # ACC-8: the services (AgentRight codes) an agent's authorisation names; None: every service (the legal
    # representative, persons, staff). Read by the guard every area with an agent_right gets.
    services: frozenset[str] | None = None
    # When the agent's authorisation ends (shown on the agent's home page).
    agent_valid_until: Any = None

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"

    @property
    def is_employer(self) -> bool:
        return self.kind == "employer"

    @property
    def is_person(self) -> bool:
        return self.kind == "person"

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    def may_use(self, service: str) -> bool:
        """Whether this principal may act in the service (an Area's agent_right code; "" is no service)."""
        return not service or self.services is None or service in self.services

    def covers_division(self, division_code: str) -> bool:
        return any(division_code.startswith(_division_prefix(c)) for c in self.scopes.get("division", ()))

    @property
    def audit_name(self) -> str:
        """Who acted, as the audit log and the timeline record it (an agent under the agent's own name)."""
        if self.kind == "employer" and self.acting_name:
            return f"{self.acting_name}（{self.employer_name}）"
        return self.display_name

    def snapshot(self) -> dict[str, Any]:
        """JSON values: a job started by this principal runs as it in a worker (portal.jobs)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        for key in ("roles", "permissions", "flags"):
            data[key] = sorted(data[key])
        data["scopes"] = {k: list(v) for k, v in self.scopes.items()}
        return data

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> Principal:
        data = dict(data)
        for key in ("roles", "permissions", "flags"):
            data[key] = frozenset(data[key])
        data["scopes"] = {k: tuple(v) for k, v in data["scopes"].items()}
        return cls(**data)


def _division_prefix(code: str) -> str:
    # 460000 (province) covers 46xxxx, 460100 (city) covers 4601xx, longer codes match exactly by prefix.
    stripped = code.rstrip("0")
    if len(stripped) <= 2:
        return code[:2]
    if len(stripped) <= 4:
        return code[:4]
    return code if len(code) > 6 else code[:6]


def division_clause(principal: Principal, column: Any) -> Any:
    """A WHERE clause: `column` (a division code) under one of the principal's division scopes, or None.

    Written as ranges (`code >= '4601' AND code < '4602'`), not `LIKE '4601%'`: the same rows for digit codes,
    and half the cost per index entry when a count walks a whole queue (SQLite's LIKE is case-folding)."""
    ranges = []
    for code in principal.scopes.get("division", ()):
        if code:
            prefix = _division_prefix(code)
            ranges.append((column >= prefix) & (column < prefix[:-1] + chr(ord(prefix[-1]) + 1)))
    if not ranges:
        return None
    clause = ranges[0]
    for more in ranges[1:]:
        clause = clause | more
    return clause


# Loaders turn session data into a Principal; sso registers employer/person, auth registers staff.
PrincipalLoader = Callable[[dict[str, Any]], Awaitable[Principal | None]]
_LOADERS: dict[str, PrincipalLoader] = {}


def register_loader(kind: str, loader: PrincipalLoader) -> None:
    _LOADERS[kind] = loader


class PrincipalMiddleware(AbstractAuthenticationMiddleware):
    """Sets `request.user` to a Principal or None; guards decide what anonymous users may reach."""

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        session = connection.scope.get("session") or {}
        principal = None
        kind = session.get("kind")
        if kind in _LOADERS:
            settings = connection.app.state.settings.security
            now = time.time()
            if now - session.get("auth_at", 0) > settings.absolute_timeout_s:
                connection.scope["session"] = {}
                connection.scope[SESSION_LOST_KEY] = "timeout"
            else:
                principal = await _LOADERS[kind](session)
                if principal is None:  # account deactivated, agent authorisation revoked or expired
                    connection.scope["session"] = {}
                    connection.scope[SESSION_LOST_KEY] = "ended"
        return AuthenticationResult(user=principal, auth=None)


def current(connection: ASGIConnection) -> Principal | None:
    return connection.scope.get("user")


def _require(connection: ASGIConnection) -> Principal:
    principal = connection.scope.get("user")
    if principal is None:
        raise NotAuthorizedException("请先登录")
    return principal


# Guards are coroutines: Litestar runs a plain-function guard in a worker thread on every request, and the
# hand-over to and from that thread cost more than the check itself (issue #15; tests/test_routes.py keeps it so).
Guard = Callable[[ASGIConnection, BaseRouteHandler], Awaitable[None]]


def staff_guard(*permissions: str) -> Guard:
    """A staff member holding every permission named (none named: any staff member)."""

    async def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        principal = _require(connection)
        if not principal.is_staff or any(p not in principal.permissions for p in permissions):
            raise PermissionDeniedException("您没有访问此页面的权限")

    guard.__name__ = f"staff_guard({','.join(permissions)})"
    return guard


class ProfileIncomplete(NotAuthorizedException):
    """An employer whose record is not complete asked for a business page: 信息完善 first (ACC-3)."""


# Handlers that must stay reachable with an incomplete record declare PROFILE_EXEMPT.
PROFILE_EXEMPT = {"profile_exempt": True}
# The route of the 信息完善 page, named by the domain that owns it (register_profile_completion).
_PROFILE_COMPLETION: dict[str, str] = {}


def register_profile_completion(route_name: str) -> None:
    """The applicant domain names its 信息完善 page; the platform sends incomplete accounts there (ACC-3)."""
    _PROFILE_COMPLETION["route"] = route_name


def profile_completion_url(app: Any, next_path: str | None = None) -> str:
    """The 信息完善 page (with `next` when given); the home page while no domain has registered one."""
    from urllib.parse import quote

    route = _PROFILE_COMPLETION.get("route")
    if not route:
        return "/"
    target = app.route_reverse(route)
    return target + "?next=" + quote(next_path, safe="") if next_path is not None else target


def _require_complete_profile(connection: ASGIConnection, handler: BaseRouteHandler, principal: Principal) -> None:
    if principal.is_employer and not principal.profile_complete and not handler.opt.get("profile_exempt"):
        raise ProfileIncomplete("请先完善单位信息")


def profile_incomplete_redirect(request: Any, exc: ProfileIncomplete) -> Any:
    """Send the employer to 信息完善 and, for a page visit, back to the page afterwards."""
    from litestar import Response
    from litestar.response import Redirect

    here = None
    if request.method in {"GET", "HEAD"}:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    target = profile_completion_url(request.app, here)
    if request.headers.get("hx-request") == "true":
        return Response(content="", status_code=200, headers={"HX-Redirect": target})
    return Redirect(path=target, status_code=303)


async def employer_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    principal = _require(connection)
    if not principal.is_employer:
        raise PermissionDeniedException("此页面仅供单位用户使用")
    _require_complete_profile(connection, handler, principal)


@dataclass(frozen=True)
class AgentRight:
    """A service an employer's agent (经办人) may be authorised for (ACC-8). Declared by an Area (`agent_right=`);
    areas naming the same code share the right. The legal representative holds every right."""

    code: str
    label: str


def agent_right_guard(right: AgentRight) -> Guard:
    """Every route of an area with `agent_right` gets this guard (after the area's own): an agent whose
    authorisation does not name the service is refused, with the service named."""

    async def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        principal = connection.scope.get("user")
        if principal is not None and not principal.may_use(right.code):
            raise PermissionDeniedException(
                f"您的经办人授权不包含“{right.label}”业务，无法办理。如需办理，请联系单位法定代表人在“经办人授权”中增加该业务。")

    guard.__name__ = f"agent_right_guard({right.code})"
    return guard


async def person_guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    principal = _require(connection)
    if not principal.is_person:
        raise PermissionDeniedException("此页面仅供个人用户使用")


async def applicant_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    principal = _require(connection)
    if principal.is_staff:
        raise PermissionDeniedException("此页面仅供单位或个人用户使用")
    _require_complete_profile(connection, handler, principal)


async def authenticated_guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    _require(connection)


# Handlers reachable without login declare opt={"public": True}; a test walks every route to check this.
PUBLIC = {"public": True}
