"""通知公告管理 (permission admin.notices): list, write, edit, publish and withdraw; each step audited."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromPath

from portal.auth.principal import staff_guard
from portal.dataservices.export import export_url, rows_export_response, wants_export
from portal.forms import Form
from portal.hall import notices
from portal.web import client_ip, redirect, render

PERMISSION = "admin.notices"
GUARD = [staff_guard(PERMISSION)]
EXPORT_COLUMNS = (("标题", "title"), ("状态", "status_label"), ("发布时间", "published_at"), ("最后修改", "updated_at"),
                  ("修改人", "author_name"))


def _crumbs(request: Request, last: str = "") -> list[tuple[str, str | None]]:
    if not last:
        return [("通知公告管理", None)]
    return [("通知公告管理", request.app.route_reverse("admin_notices")), (last, None)]


@get("/admin/notices", name="admin_notices", guards=GUARD)
async def notice_admin_list(request: Request) -> Response:
    rows = await notices.all_notices(10_000)
    for r in rows:
        r["status_label"], r["status_tone"] = notices.STATUS_LABELS.get(r["status"], (r["status"], "neutral"))
    if wants_export(request):
        return await rows_export_response(request, "通知公告", EXPORT_COLUMNS, rows)
    done = {"published": "已发布", "withdrawn": "已撤回", "saved": "已保存"}.get(str(request.query_params.get("done")), "")
    return await render(request, "hall/admin_notices.html", {
        "page_title": "通知公告管理", "breadcrumbs": _crumbs(request), "rows": rows, "done": done,
        "export_url": export_url(request),
    })


async def _form_page(request: Request, form: Form, notice: dict | None, *, status_code: int = 200) -> Response:
    title = f"修改：{notice['title']}" if notice else "新增通知公告"
    return await render(request, "hall/admin_notice_form.html", {
        "page_title": title, "breadcrumbs": _crumbs(request, title), "form": form, "notice": notice,
        "status_labels": notices.STATUS_LABELS,
    }, status_code=status_code)


@get("/admin/notices/new", name="admin_notice_new", guards=GUARD)
async def notice_new(request: Request) -> Response:
    return await _form_page(request, notices.notice_form(), None)


@post("/admin/notices/new", name="admin_notice_create", guards=GUARD)
async def notice_create(request: Request) -> Response:
    form = notices.notice_form(await request.form())
    if await form.validate():
        notice_id = await notices.create(form.cleaned, request.user, client_ip(request))
        return redirect(request, request.app.route_reverse("admin_notice_edit", notice_id=notice_id) + "?done=saved")
    return await _form_page(request, form, None)


@get("/admin/notices/{notice_id:int}", name="admin_notice_edit", guards=GUARD)
async def notice_edit(request: Request, notice_id: FromPath[int]) -> Response:
    notice = await notices.get(notice_id)
    form = notices.notice_form({"title": notice["title"], "body": notice["body"]})
    return await _form_page(request, form, notice)


@post("/admin/notices/{notice_id:int}", name="admin_notice_update", guards=GUARD)
async def notice_update(request: Request, notice_id: FromPath[int]) -> Response:
    notice = await notices.get(notice_id)
    form = notices.notice_form(await request.form())
    if await form.validate():
        await notices.update(notice_id, form.cleaned, request.user, client_ip(request))
        return redirect(request, request.app.route_reverse("admin_notice_edit", notice_id=notice_id) + "?done=saved")
    return await _form_page(request, form, notice)


async def _set_status(request: Request, notice_id: int, status: str) -> Response:
    notice = await notices.get(notice_id)
    form = notices.notice_form({"title": notice["title"], "body": notice["body"]})
    with form.refusals():
        await notices.set_status(notice_id, status, request.user, client_ip(request))
        return redirect(request, request.app.route_reverse("admin_notices") + f"?done={status}")
    return await _form_page(request, form, await notices.get(notice_id))


@post("/admin/notices/{notice_id:int}/publish", name="admin_notice_publish", guards=GUARD)
async def notice_publish(request: Request, notice_id: FromPath[int]) -> Response:
    return await _set_status(request, notice_id, "published")


@post("/admin/notices/{notice_id:int}/withdraw", name="admin_notice_withdraw", guards=GUARD)
async def notice_withdraw(request: Request, notice_id: FromPath[int]) -> Response:
    return await _set_status(request, notice_id, "withdrawn")


ROUTES = [notice_admin_list, notice_new, notice_create, notice_edit, notice_update, notice_publish, notice_withdraw]
