"""Login page (单位 / 个人 through the network, 工作人员 locally) and logout."""

from __future__ import annotations

import time

from litestar import Request, Response, get, post
from litestar.params import FromQuery

from portal import audit
from portal.auth import service  # noqa: F401  (registers the staff loader)
from portal.auth.principal import PUBLIC
from portal.auth.tables import StaffUser
from portal.forms import Form, TextField
from portal.web import client_ip, redirect, render
from portal.webutil import safe_next

STAFF_FIELDS = [
    TextField("username", "用户名", max_len=40),
    TextField("password", "密码", max_len=128),
]


def start_session(request: Request, data: dict) -> None:
    """Replace the session: new id (ROTATE), new CSRF token, login time for the absolute timeout."""
    from portal.auth.sessions import ROTATE_KEY

    request.scope["session"] = {**data, "auth_at": time.time(), ROTATE_KEY: True}


def rotate_csrf(response: Response, request: Request) -> None:
    response.delete_cookie("csrftoken", path="/")


@get("/login", name="login", opt=PUBLIC)
async def login_page(request: Request, next: FromQuery[str] = "/", tab: FromQuery[str] = "employer") -> Response:
    form = Form(STAFF_FIELDS, {})
    return await render(
        request,
        "auth/login.html",
        {"page_title": "登录", "form": form, "next": safe_next(next), "tab": tab, "error": ""},
    )


@post("/login/staff", name="login_staff", opt=PUBLIC)
async def login_staff(request: Request) -> Response:
    data = await request.form()
    form = Form(STAFF_FIELDS, data)
    next_path = safe_next(data.get("next"))
    passwords = request.app.state.passwords
    if await form.validate():
        user = await StaffUser.select(StaffUser.id, StaffUser.password_hash, StaffUser.active).where(
            StaffUser.username == form.cleaned["username"]
        ).first()
        ok = await passwords.verify(user["password_hash"] if user else None, form.cleaned["password"])
        if ok and user["active"]:
            start_session(request, {"kind": "staff", "uid": user["id"]})
            await audit.record(
                category="login", action="staff_login", ip=client_ip(request), object_type="staff",
                object_id=user["id"], actor_name=form.cleaned["username"],
            )
            response = redirect(request, next_path)
            rotate_csrf(response, request)
            return response
        await audit.record(
            category="login", action="staff_login", ip=client_ip(request), result="failed",
            actor_name=form.cleaned["username"],
        )
    return await render(
        request,
        "auth/login.html",
        {"page_title": "登录", "form": form, "next": next_path, "tab": "staff", "error": "用户名或密码错误"
         if not form.errors else ""},
        status_code=200,
    )


@post("/logout", name="logout", opt=PUBLIC)
async def logout(request: Request) -> Response:
    principal = request.scope.get("user")
    if principal is not None:
        await audit.record(category="login", action="logout", actor=principal, ip=client_ip(request))
    request.scope["session"] = {}
    response = redirect(request, "/")
    rotate_csrf(response, request)
    return response


ROUTES = [login_page, login_staff, logout]
