"""The end of an applicant's network sign-in: start the session, or hold it until the person confirms."""

from __future__ import annotations

import time
from typing import Any

from litestar import Request, Response

from portal import audit
from portal.auth.principal import profile_completion_url
from portal.auth.sessions import rotate_csrf, start_session
from portal.web import client_ip, redirect

HOLD_TTL_S = 600
_HELD = "held_sign_in"


async def finish_sign_in(request: Request, data: dict[str, Any], next_path: str, *, profile_complete: bool) -> Response:
    """Start the session (new id, new CSRF token), audit the login, go on — to 信息完善 first when incomplete."""
    protocol = request.app.state.settings.sso.protocol
    start_session(request, {**data, "sso_protocol": protocol})
    await audit.record(category="login", action="network_login", ip=client_ip(request), object_type=data["kind"],
                       object_id=data.get("employer_id") or data.get("person_id"),
                       actor_name=str(data.get("acting_name") or ""),
                       detail={"protocol": protocol, "login_type": data.get("login_type"),
                               "acting_role": data.get("acting_role", "")})
    target = next_path
    if data["kind"] == "employer" and not profile_complete:
        target = profile_completion_url(request.app, next_path)
    response = redirect(request, target)
    rotate_csrf(response, request)
    return response


def hold_sign_in(request: Request, data: dict[str, Any], next_path: str) -> None:
    """Keep a completed sign-in without a session until the person confirms (the 经办人's authorisation, ACC-2)."""
    request.scope["session"] = {_HELD: {"session": data, "next": next_path, "at": time.time()}}


def held_sign_in(request: Request) -> dict[str, Any] | None:
    """The held sign-in (`session`, `next`), or None when there is none or it is older than HOLD_TTL_S."""
    held = (request.scope.get("session") or {}).get(_HELD)
    if not isinstance(held, dict) or time.time() - held.get("at", 0) > HOLD_TTL_S:
        return None
    return held
