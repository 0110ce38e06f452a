"""Login page (单位 / 个人 through the network, 工作人员 locally with TOTP), password change and logout."""

from __future__ import annotations

import time
from urllib.parse import quote

from litestar import Request, Response, get, post
from litestar.params import FromQuery

from portal import audit
from portal.auth import login as rules
from portal.auth.principal import PUBLIC, staff_guard
from portal.auth.sessions import rotate_csrf, start_session
from portal.auth.staff import change_own_password
from portal.auth.tables import StaffUser
from portal.db import write_transaction
from portal.forms import Form, TextField
from portal.web import client_ip, redirect, render
from portal.webutil import safe_next

STAFF_FIELDS = [
    TextField("username", "用户名", max_len=40),
    TextField("password", "密码", max_len=128),
]
TOTP_FIELDS = [TextField("code", "动态验证码", max_len=10, pattern=r"\s*\d{3}\s?\d{3}\s*", pattern_message="请输入6位数字验证码")]
PASSWORD_FIELDS = [
    TextField("current_password", "当前密码", max_len=128),
    TextField("new_password", "新密码", max_len=128),
    TextField("confirm_password", "确认新密码", max_len=128),
]
BAD_LOGIN = "用户名或密码错误"
LOCKED = "登录失败次数过多，账户已锁定，请15分钟后再试"
# Pages a staff member who must change the password may still reach.
PASSWORD_CHANGE_PATH = "/account/password"  # noqa: S105 (a URL, not a secret)


def _settings(request: Request):
    return request.app.state.settings.security


async def _login_page(request: Request, form: Form, next_path: str, error: str = "") -> Response:
    return await render(
        request, "auth/login.html",
        {"page_title": "登录", "form": form, "next": next_path, "tab": "staff", "error": error,
         "ecard_login": request.app.state.settings.ecard.enabled},
    )


# Why the user was sent to the login page (portal.errors.not_authorized adds `reason`); unknown values show nothing.
LOGIN_REASONS = {
    "timeout": "会话已超时，请重新登录。",
    "ended": "登录状态已失效（账号已停用或授权已撤销、已到期），请重新登录。",
}


@get("/login", name="login", opt=PUBLIC)
async def login_page(
    request: Request, next: FromQuery[str] = "/", tab: FromQuery[str] = "employer", reason: FromQuery[str] = ""
) -> Response:
    form = Form(STAFF_FIELDS, {})
    return await render(
        request,
        "auth/login.html",
        {"page_title": "登录", "form": form, "next": safe_next(next), "tab": tab, "error": "",
         "notice": LOGIN_REASONS.get(reason, ""), "ecard_login": request.app.state.settings.ecard.enabled},
    )


async def complete_login(
    request: Request, user: dict, next_path: str, *, second_factor: bool, method: str = "password"
) -> Response:
    """The staff session starts (new id, new CSRF token), whichever way the user proved who they are."""
    expired = rules.password_expired(user, _settings(request))
    start_session(request, {"kind": "staff", "uid": user["id"], "pw_expired": expired,
                            "pw_at": rules.credential_stamp(user)})
    await rules.login_succeeded(user, client_ip(request), second_factor=second_factor, method=method)
    if expired or user["must_change_password"]:
        next_path = f"{PASSWORD_CHANGE_PATH}?next={quote(next_path, safe='')}"
    response = redirect(request, next_path)
    rotate_csrf(response, request)
    return response


@post("/login/staff", name="login_staff", opt=PUBLIC)
async def login_staff(request: Request) -> Response:
    data = await request.form()
    form = Form(STAFF_FIELDS, data)
    next_path = safe_next(data.get("next"))
    if not await form.validate():
        return await _login_page(request, form, next_path)
    attempt = await rules.check_password(
        request.app.state.passwords, _settings(request), form.cleaned["username"], form.cleaned["password"],
        client_ip(request),
    )
    if not attempt.ok:
        return await _login_page(request, form, next_path, LOCKED if attempt.locked else BAD_LOGIN)
    user = attempt.user
    if not _settings(request).staff_2fa:
        return await complete_login(request, user, next_path, second_factor=False)
    await rules.release_attempt(user["username"])
    # Half-authenticated: the session names the user but holds no Principal until the TOTP step passes.
    start_session(request, {"pending_uid": user["id"], "pending_at": time.time(), "next": next_path,
                            "pw_at": rules.credential_stamp(user)})
    response = redirect(request, request.app.route_reverse("login_totp"))
    rotate_csrf(response, request)
    return response


async def _pending_user(request: Request) -> dict | None:
    session = request.scope.get("session") or {}
    uid = session.get("pending_uid")
    if not isinstance(uid, int) or time.time() - session.get("pending_at", 0) > rules.PENDING_TTL_S:
        return None
    user = await StaffUser.select(
        StaffUser.id, StaffUser.username, StaffUser.active, StaffUser.totp_secret, StaffUser.must_change_password,
        StaffUser.password_changed_at,
    ).where(StaffUser.id == uid).first()
    if not user or not user["active"] or rules.session_predates_password(session, user["password_changed_at"]):
        return None
    return user


async def _totp_page(request: Request, user: dict, form: Form, error: str = "") -> Response:
    ctx = {"page_title": "动态验证码", "form": form, "error": error, "enrol": not user["totp_secret"]}
    if ctx["enrol"]:
        session = request.scope["session"]
        if not session.get("pending_secret"):
            session["pending_secret"] = rules.new_totp_secret()
        ctx["secret"] = session["pending_secret"]
        ctx["qr"] = rules.provisioning_qr(session["pending_secret"], user["username"])
    return await render(request, "auth/totp.html", ctx)


@get("/login/totp", name="login_totp", opt=PUBLIC)
async def totp_page(request: Request) -> Response:
    user = await _pending_user(request)
    if user is None:
        return redirect(request, "/login?tab=staff")
    return await _totp_page(request, user, Form(TOTP_FIELDS, {}))


@post("/login/totp", name="login_totp_submit", opt=PUBLIC)
async def totp_submit(request: Request) -> Response:
    user = await _pending_user(request)
    if user is None:
        request.scope["session"] = {}
        return redirect(request, "/login?tab=staff")
    form = Form(TOTP_FIELDS, await request.form())
    if not await form.validate():
        return await _totp_page(request, user, form)
    session = request.scope["session"]
    settings, ip = _settings(request), client_ip(request)
    secret = user["totp_secret"] or session.get("pending_secret", "")
    # Counted before the code is checked, like the password step: parallel guesses cannot outrun the lockout.
    attempts = await rules.reserve_attempt(user["username"], settings)
    if attempts is None:
        await rules.audit_locked(user["username"], ip)
        request.scope["session"] = {}
        return await _login_page(request, Form(STAFF_FIELDS, {"username": user["username"]}), "/", LOCKED)
    if not await rules.verify_totp(user["id"], secret, form.cleaned["code"]):
        if await rules.record_failure(user["username"], ip, settings, attempts, step="totp"):
            request.scope["session"] = {}
            return await _login_page(request, Form(STAFF_FIELDS, {"username": user["username"]}), "/", LOCKED)
        form.add_error("code", "验证码不正确或已使用，请等待下一个验证码")
        return await _totp_page(request, user, form)
    if not user["totp_secret"]:
        async with write_transaction():
            await StaffUser.update({StaffUser.totp_secret: secret}).where(StaffUser.id == user["id"])
        await audit.record(
            category="login", action="totp_enrol", ip=ip, object_type="staff", object_id=user["id"],
            actor_name=user["username"],
        )
    return await complete_login(request, user, safe_next(session.get("next")), second_factor=True)


@get(PASSWORD_CHANGE_PATH, name="password_change", guards=[staff_guard()])
async def password_page(request: Request, next: FromQuery[str] = "/") -> Response:
    return await _password_page(request, Form(PASSWORD_FIELDS, {}), safe_next(next))


async def _password_page(request: Request, form: Form, next_path: str) -> Response:
    principal = request.user
    forced = principal.must_change_password or bool(request.scope["session"].get("pw_expired"))
    policy = _settings(request).password_policy
    hint = "至少12位，不能使用常见或已泄露的密码" if policy == "asvs" else "至少8位，包含大写字母、小写字母、数字、特殊字符中的至少3类"
    return await render(
        request, "auth/password.html",
        {"page_title": "修改密码", "form": form, "next": next_path, "forced": forced, "hint": hint,
         "max_age": _settings(request).password_max_age_days if policy == "dengbao" else 0},
    )


@post(PASSWORD_CHANGE_PATH, name="password_change_submit", guards=[staff_guard()])
async def password_submit(request: Request) -> Response:
    data = await request.form()
    form = Form(PASSWORD_FIELDS, data)
    next_path = safe_next(data.get("next"))
    if await form.validate():
        if form.cleaned["new_password"] != form.cleaned["confirm_password"]:
            form.add_error("confirm_password", "两次输入的新密码不一致")
        else:
            for name, message in (await change_own_password(
                request.app.state.passwords, _settings(request).password_policy, request.user.account_id,
                form.cleaned["current_password"], form.cleaned["new_password"], client_ip(request),
                actor=request.user,
            )).items():
                form.add_error(name, message)
    if form.errors:
        return await _password_page(request, form, next_path)
    # A privilege change: new session id and CSRF token, and the forced-change marker is gone. This session
    # carries the new password's time; the user's other sessions predate it and end (issue #12 item 2).
    old = request.scope["session"]
    changed = await StaffUser.select(StaffUser.password_changed_at).where(
        StaffUser.id == request.user.account_id).first()
    start_session(request, {**{k: v for k, v in old.items() if k not in {"pw_expired", "auth_at"}},
                            "pw_at": rules.credential_stamp(changed or {})})
    # The absolute timeout still counts from the original login.
    request.scope["session"]["auth_at"] = old.get("auth_at", time.time())
    response = redirect(request, next_path)
    rotate_csrf(response, request)
    return response


@post("/logout", name="logout", opt=PUBLIC)
async def logout(request: Request) -> Response:
    principal = request.scope.get("user")
    if principal is not None:
        await audit.record(category="login", action="logout", actor=principal, ip=client_ip(request))
    request.scope["session"] = {}
    response = redirect(request, "/")
    rotate_csrf(response, request)
    return response


ROUTES = [login_page, login_staff, totp_page, totp_submit, password_page, password_submit, logout]
