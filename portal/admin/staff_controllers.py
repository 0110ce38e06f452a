"""工作人员管理: list with htmx search, create, edit (roles, jurisdiction, active), password and 2FA resets."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery

from portal.auth import ecard
from portal.auth import staff as service
from portal.auth.login import is_locked
from portal.auth.principal import staff_guard
from portal.core import dictionary
from portal.dataservices.export import INLINE_MAX_ROWS, export_url, rows_export_response, wants_export
from portal.forms import BoolField, Form, MobileField, TextField
from portal.validators import mask_phone
from portal.web import client_ip, redirect, render

GUARD = [staff_guard("admin.staff")]
PER_PAGE = 20
CREATE_FIELDS = [
    TextField("username", "用户名", max_len=40, pattern=r"[A-Za-z0-9_.\-]{3,40}",
              pattern_message="用户名为3至40位字母、数字、下划线、点或连字符"),
    TextField("display_name", "姓名", max_len=40),
    MobileField("mobile", "手机号码", required=False),
]
EDIT_FIELDS = [CREATE_FIELDS[1], CREATE_FIELDS[2], BoolField("active", "账户启用")]
# ACC-9: the card's 身份证号 is checked by portal.auth.ecard.bind (an empty value unbinds).
ECARD_FIELDS = [TextField("ecard_id_number", "持卡人身份证号", required=False, max_len=18)]


async def _options() -> dict[str, Any]:
    roles = await service.list_roles()
    return {
        "role_options": [(str(r["id"]), r["name"]) for r in roles],
        "scope_options": {
            kind: await dictionary.choices(category) for kind, category in service.SCOPE_CATEGORIES.items()
        },
        "scope_labels": service.SCOPE_KINDS,
    }


async def _links_from(data: Any, form: Form, options: dict[str, Any]) -> tuple[list[int], dict[str, list[str]]]:
    """Roles and scopes are multi-valued: read every value, keep only known ones, complain about the rest."""
    valid_roles = {code for code, _ in options["role_options"]}
    chosen_roles = [v for v in data.getall("roles", []) if v]
    if any(v not in valid_roles for v in chosen_roles):
        form.add_error("roles", "请从列表中选择角色")
    scopes: dict[str, list[str]] = {}
    for kind in service.SCOPE_KINDS:
        valid = {code for code, _ in options["scope_options"][kind]}
        chosen = [v for v in data.getall(f"scope_{kind}", []) if v]
        if any(v not in valid for v in chosen):
            form.add_error(f"scope_{kind}", f"请从列表中选择{service.SCOPE_KINDS[kind]}")
        scopes[kind] = sorted(set(chosen) & valid)
    return sorted({int(v) for v in chosen_roles if v in valid_roles}), scopes


def _selected(data: Any) -> dict[str, list[str]]:
    """What the user ticked, to redisplay it after an error (X-11)."""
    out = {"roles": list(data.getall("roles", []))}
    for kind in service.SCOPE_KINDS:
        out[f"scope_{kind}"] = list(data.getall(f"scope_{kind}", []))
    return out


def _breadcrumbs(*extra: tuple[str, str]) -> list[tuple[str, str]]:
    # The list page is the last crumb (no link to itself); sub-pages link back to it.
    return [("工作人员管理", "/admin/staff" if extra else ""), *extra]


STAFF_COLUMNS = (("用户名", "username"), ("姓名", "display_name"), ("手机号码", "mobile"), ("角色", "roles"),
                 ("双因素", "has_totp"), ("状态", "active"), ("最近登录", "last_login_at"))


@get("/admin/staff", name="admin_staff", guards=GUARD)
async def staff_list(request: Request, q: FromQuery[str] = "", page: FromQuery[int] = 1) -> Response:
    q = q.strip()[:40]
    page = max(page, 1)
    if wants_export(request):  # every matching user, phones masked as on the page
        rows, _ = await service.list_staff(q, page=1, per_page=INLINE_MAX_ROWS)
        return await rows_export_response(request, "工作人员", STAFF_COLUMNS, [r | {
            "mobile": mask_phone(r["mobile"] or ""), "roles": "、".join(r["roles"]),
            "has_totp": "已绑定" if r["has_totp"] else "未绑定", "active": "启用" if r["active"] else "停用",
        } for r in rows])
    rows, total = await service.list_staff(q, page=page, per_page=PER_PAGE)
    base = request.app.route_reverse("admin_staff")
    pages = {
        "number": page, "total": total, "has_prev": page > 1, "has_next": page * PER_PAGE < total,
        "prev_url": _page_url(base, q, page - 1), "next_url": _page_url(base, q, page + 1),
    }
    return await render(
        request, "admin/staff_list.html",
        {"page_title": "工作人员管理", "breadcrumbs": _breadcrumbs(), "rows": rows, "q": q, "pages": pages,
         "export_url": export_url(request)},
        block="results",
    )


def _page_url(base: str, q: str, page: int) -> str:
    from urllib.parse import urlencode

    return f"{base}?{urlencode({'q': q, 'page': page})}"


@get("/admin/staff/new", name="admin_staff_new", guards=GUARD)
async def staff_new(request: Request) -> Response:
    return await _edit_page(request, None, Form(CREATE_FIELDS, {}), {"roles": [], **{
        f"scope_{k}": [] for k in service.SCOPE_KINDS}})


@post("/admin/staff/new", name="admin_staff_create", guards=GUARD)
async def staff_create(request: Request) -> Response:
    data = await request.form()
    form = Form(CREATE_FIELDS, data)
    options = await _options()
    await form.validate()
    role_ids, scopes = await _links_from(data, form, options)
    if not form.errors:
        with form.refusals():
            uid, temp = await service.create_staff(
                request.app.state.passwords, request.user, client_ip(request),
                username=form.cleaned["username"], display_name=form.cleaned["display_name"],
                mobile=form.cleaned["mobile"] or "", role_ids=role_ids, scopes=scopes,
            )
            return await _temporary_password_page(request, uid, form.cleaned["username"], temp, created=True)
    return await _edit_page(request, None, form, _selected(data), options)


async def _load(uid: int) -> dict[str, Any]:
    user = await service.get_staff(uid)
    if user is None:
        raise NotFoundException()
    return user


def _stored(user: dict[str, Any]) -> tuple[Form, dict[str, list[str]]]:
    """The edit form and the ticked roles/scopes as stored."""
    data = {"display_name": user["display_name"], "mobile": user["mobile"], "active": "1" if user["active"] else ""}
    selected = {"roles": [str(r) for r in user["role_ids"]],
                **{f"scope_{k}": v for k, v in user["scopes"].items()}}
    return Form(EDIT_FIELDS, data), selected


@get("/admin/staff/{uid:int}", name="admin_staff_edit", guards=GUARD)
async def staff_edit(request: Request, uid: FromPath[int]) -> Response:
    user = await _load(uid)
    return await _edit_page(request, user, *_stored(user))


@post("/admin/staff/{uid:int}", name="admin_staff_update", guards=GUARD)
async def staff_update(request: Request, uid: FromPath[int]) -> Response:
    user = await _load(uid)
    data = await request.form()
    form = Form(EDIT_FIELDS, data)
    options = await _options()
    await form.validate()
    role_ids, scopes = await _links_from(data, form, options)
    if not form.errors:
        with form.refusals():
            await service.update_staff(
                request.user, client_ip(request), uid, display_name=form.cleaned["display_name"],
                mobile=form.cleaned["mobile"] or "", active=form.cleaned["active"], role_ids=role_ids, scopes=scopes,
            )
            return redirect(request, request.app.route_reverse("admin_staff_edit", uid=uid) + "?saved=1")
    return await _edit_page(request, user, form, _selected(data), options)


async def _edit_page(
    request: Request, user: dict[str, Any] | None, form: Form, selected: dict[str, list[str]],
    options: dict[str, Any] | None = None, ecard_form: Form | None = None,
) -> Response:
    title = f"编辑工作人员：{user['display_name']}" if user else "新增工作人员"
    if user:
        user["locked"] = await is_locked(user["username"], request.app.state.settings.security)
    flash = ""
    if not form.errors and request.query_params.get("saved") == "1":
        flash = "已保存"
    elif not form.errors and request.query_params.get("unlocked") == "1":
        flash = "账户已解锁"
    elif not form.errors and request.query_params.get("ecard") in {"bound", "unbound"}:
        flash = "已绑定电子社保卡" if request.query_params["ecard"] == "bound" else "已解除电子社保卡绑定"
    return await render(
        request, "admin/staff_edit.html",
        {"page_title": title, "breadcrumbs": _breadcrumbs((title, "")), "staff": user, "form": form,
         "selected": selected, "is_self": bool(user and user["id"] == request.user.account_id),
         "flash": flash, "ecard_login": request.app.state.settings.ecard.enabled,
         "ecard_form": ecard_form or Form(ECARD_FIELDS, {}),
         **(options or await _options())},
    )


async def _temporary_password_page(request: Request, uid: int, username: str, temp: str, *, created: bool) -> Response:
    # Shown once, in the response to the POST; never stored in clear, never in a URL.
    return await render(
        request, "admin/staff_password.html",
        {"page_title": "临时密码", "breadcrumbs": _breadcrumbs(("临时密码", "")), "uid": uid,
         "username": username, "temp": temp, "created": created},
    )


@post("/admin/staff/{uid:int}/reset-password", name="admin_staff_reset_password", guards=GUARD)
async def staff_reset_password(request: Request, uid: FromPath[int]) -> Response:
    user = await _load(uid)
    temp = await service.reset_password(request.app.state.passwords, request.user, client_ip(request), uid)
    return await _temporary_password_page(request, uid, user["username"], temp, created=False)


@post("/admin/staff/{uid:int}/reset-totp", name="admin_staff_reset_totp", guards=GUARD)
async def staff_reset_totp(request: Request, uid: FromPath[int]) -> Response:
    await _load(uid)
    await service.reset_totp(request.user, client_ip(request), uid)
    return redirect(request, request.app.route_reverse("admin_staff_edit", uid=uid) + "?saved=1")


@post("/admin/staff/{uid:int}/unlock", name="admin_staff_unlock", guards=GUARD)
async def staff_unlock(request: Request, uid: FromPath[int]) -> Response:
    await _load(uid)
    await service.unlock(request.app.state.settings.security, request.user, client_ip(request), uid)
    return redirect(request, request.app.route_reverse("admin_staff_edit", uid=uid) + "?unlocked=1")


@post("/admin/staff/{uid:int}/ecard", name="admin_staff_ecard", guards=GUARD)
async def staff_ecard(request: Request, uid: FromPath[int]) -> Response:
    """Bind (or, with 解除绑定, unbind) the 电子社保卡 the user signs in with (ACC-9)."""
    user = await _load(uid)
    data = await request.form()
    form = Form(ECARD_FIELDS, data)
    unbind = data.get("action") == "unbind"
    if await form.validate() and not unbind and not form.cleaned["ecard_id_number"]:
        form.add_error("ecard_id_number", "请填写持卡人身份证号")
    if not form.errors:
        with form.refusals():
            await ecard.bind(request.user, client_ip(request), uid, "" if unbind else form.cleaned["ecard_id_number"])
            return redirect(request, request.app.route_reverse("admin_staff_edit", uid=uid)
                            + f"?ecard={'unbound' if unbind else 'bound'}")
    return await _edit_page(request, user, *_stored(user), ecard_form=form)


ROUTES = [staff_list, staff_new, staff_create, staff_edit, staff_update, staff_reset_password, staff_reset_totp,
          staff_unlock, staff_ecard]
