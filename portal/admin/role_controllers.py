"""业务角色管理: roles as sets of the registered permission codes."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from portal.auth import staff as service
from portal.auth.permissions import PERMISSIONS
from portal.auth.principal import staff_guard
from portal.dataservices.export import export_url, rows_export_response, wants_export
from portal.forms import Form, TextField
from portal.web import client_ip, redirect, render

GUARD = [staff_guard("admin.roles")]
FIELDS = [
    TextField("code", "角色代码", max_len=40, pattern=r"[a-z][a-z0-9_]{1,39}",
              pattern_message="角色代码为2至40位小写字母、数字或下划线，以字母开头"),
    TextField("name", "角色名称", max_len=60),
]


def _breadcrumbs(*extra: tuple[str, str]) -> list[tuple[str, str]]:
    return [("业务角色管理", "/admin/roles" if extra else ""), *extra]


def _permission_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """Permissions grouped by their prefix (admin., lc., ins. …) so the form reads by module."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for code, label in sorted(PERMISSIONS.items()):
        groups.setdefault(code.split(".", 1)[0], []).append((code, label))
    return sorted(groups.items())


ROLE_COLUMNS = (("角色代码", "code"), ("角色名称", "name"), ("内置", "builtin"), ("权限", "labels"), ("人数", "users"))


@get("/admin/roles", name="admin_roles", guards=GUARD)
async def role_list(request: Request) -> Response:
    roles = await service.list_roles()
    if wants_export(request):
        return await rows_export_response(request, "业务角色", ROLE_COLUMNS,
                                          [r | {"labels": "、".join(r["labels"])} for r in roles])
    return await render(
        request, "admin/role_list.html",
        {"page_title": "业务角色管理", "breadcrumbs": _breadcrumbs(), "roles": roles, "export_url": export_url(request)},
    )


@get("/admin/roles/new", name="admin_role_new", guards=GUARD)
async def role_new(request: Request) -> Response:
    return await _page(request, None, Form(FIELDS, {}), [])


@post("/admin/roles/new", name="admin_role_create", guards=GUARD)
async def role_create(request: Request) -> Response:
    return await _save(request, None)


@get("/admin/roles/{rid:int}", name="admin_role_edit", guards=GUARD)
async def role_edit(request: Request, rid: FromPath[int]) -> Response:
    role = await _load(rid)
    return await _page(request, role, Form(FIELDS, {"code": role["code"], "name": role["name"]}), role["permissions"])


@post("/admin/roles/{rid:int}", name="admin_role_update", guards=GUARD)
async def role_update(request: Request, rid: FromPath[int]) -> Response:
    return await _save(request, await _load(rid))


async def _load(rid: int) -> dict[str, Any]:
    role = await service.get_role(rid)
    if role is None:
        raise NotFoundException()
    return role


async def _save(request: Request, role: dict[str, Any] | None) -> Response:
    data = await request.form()
    form = Form(FIELDS, data)
    chosen = [p for p in data.getall("permissions", []) if p]
    await form.validate()
    if any(p not in PERMISSIONS for p in chosen):
        form.add_error("permissions", "请从列表中选择权限")
    if not form.errors:
        with form.refusals():
            rid = await service.save_role(
                request.user, client_ip(request), role["id"] if role else None,
                code=form.cleaned["code"], name=form.cleaned["name"], permissions=chosen,
            )
            return redirect(request, request.app.route_reverse("admin_role_edit", rid=rid) + "?saved=1")
    return await _page(request, role, form, chosen)


async def _page(request: Request, role: dict[str, Any] | None, form: Form, chosen: list[str]) -> Response:
    title = f"编辑角色：{role['name']}" if role else "新增角色"
    return await render(
        request, "admin/role_edit.html",
        {"page_title": title, "breadcrumbs": _breadcrumbs((title, "")), "role": role, "form": form,
         "chosen": chosen, "groups": _permission_groups(),
         "flash": "已保存" if request.query_params.get("saved") == "1" and not form.errors else ""},
    )


ROUTES = [role_list, role_new, role_create, role_edit, role_update]
