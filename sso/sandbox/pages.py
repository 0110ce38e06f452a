"""The sandbox network's own pages: login (法人 / 个人 / 经办人), registration, password reset and the SMS outbox."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import quote

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from portal.auth.passwords import password_problems
from portal.db import write_transaction
from portal.forms import Field, Form, IdNumberField, MobileField, TextField, UsccField
from sso.sandbox import store
from sso.sandbox.tables import NetSms, NetUser

COOKIE = "sbx_session"
TABS = {"legal": "法人登录", "natural": "个人登录", "agent": "经办人登录"}
_RESUME_PREFIXES = ("/oauth2/authorize?", "/ticket/login?")


def safe_resume(value: Any) -> str:
    """Only the network's own authorisation steps may be resumed after login (never an outside URL)."""
    value = str(value or "")
    return value if value.startswith(_RESUME_PREFIXES) and "\\" not in value and "//" not in value else ""


def page(request: Request, name: str, status: int = 200, **ctx: Any) -> Template:
    cfg = request.app.state.config
    return Template(template_name=name, context={"base": cfg.prefix, **ctx}, status_code=status)


def go(request: Request, path: str) -> Redirect:
    return Redirect(path=request.app.state.config.prefix + path, status_code=303)


async def current_login(request: Request) -> dict[str, Any] | None:
    """The network session of this browser: user (and agent) rows, or None."""
    sess = await store.session_for(request.cookies.get(COOKIE))
    if sess is None:
        return None
    user = await store.get_user(sess["user"])
    return {"session": sess, "user": user, "agent": await store.get_user(sess["agent"])} if user else None


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    cfg = request.app.state.config
    response.set_cookie(COOKIE, token, path=cfg.prefix or "/", httponly=True, samesite="lax", secure=cfg.https)


@get("/", name="sbx_home")
async def home(request: Request) -> Template:
    return page(request, "home.html", login=await current_login(request), title="统一身份认证")


def _login_fields(tab: str) -> list[Field]:
    if tab == "legal":
        return [UsccField("login_name", "统一社会信用代码"), TextField("password", "密码", max_len=128)]
    fields: list[Field] = [IdNumberField("login_name", "身份证号"), TextField("password", "密码", max_len=128)]
    if tab == "agent":
        fields.insert(0, UsccField("uscc", "单位统一社会信用代码"))
    return fields


@get("/login", name="sbx_login")
async def login_page(request: Request, tab: FromQuery[str] = "legal", resume: FromQuery[str] = "") -> Template:
    tab = tab if tab in TABS else "legal"
    return page(request, "login.html", tab=tab, tabs=TABS, form=Form(_login_fields(tab), {}),
                resume=safe_resume(resume), error="", title=TABS[tab])


@post("/login", name="sbx_login_post")
async def login(request: Request) -> Response:
    data = await request.form()
    tab = data.get("tab") if data.get("tab") in TABS else "legal"
    resume = safe_resume(data.get("resume"))
    form = Form(_login_fields(tab), data)
    error = ""
    if await form.validate():
        kind = "legal" if tab == "legal" else "natural"
        user = await store.find_user(kind, form.cleaned["login_name"])
        ok = await request.app.state.passwords.verify(user["password_hash"] if user else None, form.cleaned["password"])
        employer = None
        if ok and tab == "agent":
            employer = await store.find_user("legal", form.cleaned["uscc"])
            if employer is None:
                ok, error = False, "该统一社会信用代码尚未注册法人账号"
        if ok and user:
            principal, agent = (employer, user) if employer else (user, None)
            token = await store.start_session(principal["id"], agent["id"] if agent else None,
                                              "agent" if agent else "password")
            response = go(request, resume or "/")
            set_session_cookie(request, response, token)
            return response
        error = error or "账号或密码错误"
    return page(request, "login.html", tab=tab, tabs=TABS, form=form, resume=resume, error=error, title=TABS[tab])


def _password_check(cleaned: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if problems := password_problems(cleaned["password"], "dengbao"):
        errors["password"] = "；".join(problems)
    elif cleaned["password"] != cleaned["password2"]:
        errors["password2"] = "两次输入的密码不一致"
    return errors


_PASSWORDS = [TextField("password", "密码", max_len=128, help="至少8位，含大写字母、小写字母、数字、特殊字符中的3类"),
              TextField("password2", "确认密码", max_len=128)]
REGISTER_FIELDS = {
    "legal": [UsccField("login_name", "统一社会信用代码"), TextField("name", "单位名称", max_len=100),
              TextField("legal_rep", "法定代表人", max_len=40), IdNumberField("legal_rep_id_number", "法定代表人身份证号"),
              MobileField("mobile", "联系手机"), *_PASSWORDS],
    "natural": [IdNumberField("login_name", "身份证号"), TextField("name", "姓名", max_len=40),
                MobileField("mobile", "手机号码"), *_PASSWORDS],
}


@get("/register/{kind:str}", name="sbx_register")
async def register_page(request: Request, kind: FromPath[str], resume: FromQuery[str] = "") -> Template:
    if kind not in REGISTER_FIELDS:
        kind = "legal"
    return page(request, "register.html", kind=kind, form=Form(REGISTER_FIELDS[kind], {}), resume=safe_resume(resume),
                title="法人注册" if kind == "legal" else "个人注册")


@post("/register/{kind:str}", name="sbx_register_post")
async def register(request: Request, kind: FromPath[str]) -> Response:
    if kind not in REGISTER_FIELDS:
        kind = "legal"
    data = await request.form()
    resume = safe_resume(data.get("resume"))
    form = Form(REGISTER_FIELDS[kind], data, checks=[_password_check])
    if await form.validate():
        if await NetUser.exists().where(NetUser.login_name == form.cleaned["login_name"]):
            form.add_error("login_name", "该号码已注册，请直接登录或找回密码")
        else:
            c = form.cleaned
            password_hash = await request.app.state.passwords.hash(c["password"])  # not inside the write lock
            async with write_transaction():
                await NetUser.insert(NetUser(
                    subject=store.new_subject(), kind=kind, login_name=c["login_name"], name=c["name"],
                    password_hash=password_hash,
                    legal_rep=c.get("legal_rep") or "", legal_rep_id_number=c.get("legal_rep_id_number") or "",
                    mobile=c["mobile"], realname_level="L2", created_at=store.now(),
                ))
            tab = "legal" if kind == "legal" else "natural"
            return go(request, f"/login?tab={tab}&registered=1&resume={quote(resume, safe='')}")
    return page(request, "register.html", kind=kind, form=form, resume=resume,
                title="法人注册" if kind == "legal" else "个人注册")


RESET_FIELDS = [TextField("login_name", "统一社会信用代码或身份证号", max_len=18)]
CONFIRM_FIELDS = [TextField("login_name", "统一社会信用代码或身份证号", max_len=18),
                  TextField("code", "短信验证码", pattern=r"\d{6}", pattern_message="验证码为6位数字"), *_PASSWORDS]


@get("/reset", name="sbx_reset")
async def reset_page(request: Request) -> Template:
    return page(request, "reset.html", form=Form(RESET_FIELDS, {}), sent=False, title="找回密码")


@post("/reset", name="sbx_reset_post")
async def reset_request(request: Request) -> Template:
    data = await request.form()
    form = Form(RESET_FIELDS, data)
    if not await form.validate():
        return page(request, "reset.html", form=form, sent=False, title="找回密码")
    login_name = form.cleaned["login_name"].upper()
    user = await NetUser.select(NetUser.id, NetUser.mobile).where(NetUser.login_name == login_name).first()
    if user:
        code = f"{secrets.randbelow(1_000_000):06d}"
        await store.issue_grant("reset", user["id"], ttl_s=store.RESET_TTL_S, nonce=store.digest(code),
                                prefix=f"{login_name}:")
        await store.send_sms(user["mobile"], f"【政务服务网】您正在找回密码，验证码{code}，10分钟内有效。如非本人操作请忽略。")
    # The same answer whether or not the account exists: the page does not reveal who is registered.
    confirm = Form(CONFIRM_FIELDS, {"login_name": login_name})
    return page(request, "reset.html", form=confirm, sent=True, title="找回密码")


@post("/reset/confirm", name="sbx_reset_confirm")
async def reset_confirm(request: Request) -> Response:
    data = await request.form()
    form = Form(CONFIRM_FIELDS, data, checks=[_password_check])
    if await form.validate():
        login_name = form.cleaned["login_name"].upper()
        user = await NetUser.select(NetUser.id).where(NetUser.login_name == login_name).first()
        outcome = await store.redeem_reset(user["id"], form.cleaned["code"]) if user else "bad"
        if outcome == "ok":
            new_hash = await request.app.state.passwords.hash(form.cleaned["password"])
            async with write_transaction():
                await NetUser.update({NetUser.password_hash: new_hash}).where(NetUser.id == user["id"])
            return go(request, "/login?reset=1")
        form.add_error("code", "错误次数过多，请重新获取验证码" if outcome == "locked" else "验证码不正确或已过期")
    return page(request, "reset.html", form=form, sent=True, title="找回密码")


@get("/sms", name="sbx_sms")
async def sms_outbox(request: Request) -> Template:
    rows = await NetSms.select().order_by(NetSms.id, ascending=False).limit(20)
    return page(request, "sms.html", messages=rows, title="短信发件箱")


ROUTES = [home, login_page, login, register_page, register, reset_page, reset_request, reset_confirm, sms_outbox]
