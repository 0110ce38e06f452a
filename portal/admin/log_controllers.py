"""审计日志 and 登录日志 pages: filter, page through, export, and verify the hash chain."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.params import FromQuery

from portal import audit
from portal.admin import auditlog
from portal.auth.principal import staff_guard
from portal.forms import DateField, Form, TextField
from portal.web import client_ip, render

GUARD = [staff_guard("admin.audit")]
PER_PAGE = 50
FILTER_FIELDS = [
    DateField("date_from", "开始日期", required=False),
    DateField("date_to", "结束日期", required=False),
    TextField("actor", "操作人", required=False, max_len=40),
    TextField("category", "类别", required=False, max_len=20),
    TextField("action", "操作", required=False, max_len=60),
]


async def _filter(request: Request, *, login_only: bool) -> tuple[Form, auditlog.AuditFilter]:
    data = {k: v for k, v in request.query_params.items()}
    if login_only:
        data["category"] = "login"
    form = Form(FILTER_FIELDS, data)
    await form.validate()
    if form.cleaned.get("category") and form.cleaned["category"] not in auditlog.CATEGORIES:
        form.add_error("category", "请从列表中选择类别")
    c = {k: v for k, v in form.cleaned.items() if k not in form.errors}
    if c.get("date_from") and c.get("date_to") and c["date_from"] > c["date_to"]:
        form.add_error("date_to", "结束日期不能早于开始日期")
        c.pop("date_to")
    flt = auditlog.AuditFilter(
        date_from=c.get("date_from"), date_to=c.get("date_to"), actor=c.get("actor") or "",
        category=c.get("category") or "" if "category" not in form.errors else "", action=c.get("action") or "",
    )
    return form, flt


def _query(flt: auditlog.AuditFilter, **extra: Any) -> str:
    params = {
        "date_from": flt.date_from.isoformat() if isinstance(flt.date_from, date) else "",
        "date_to": flt.date_to.isoformat() if isinstance(flt.date_to, date) else "",
        "actor": flt.actor, "category": flt.category, "action": flt.action, **extra,
    }
    return urlencode({k: v for k, v in params.items() if v not in ("", None)})


async def _page(request: Request, *, login_only: bool, page: int, verify: tuple[bool, int | None] | None = None):
    form, flt = await _filter(request, login_only=login_only)
    page = max(page, 1)
    rows, total = await auditlog.search(flt, page=page, per_page=PER_PAGE)
    name = "admin_login_log" if login_only else "admin_audit"
    base = request.app.route_reverse(name)
    title = "登录日志" if login_only else "审计日志"
    pages = {
        "number": page, "total": total, "has_prev": page > 1, "has_next": page * PER_PAGE < total,
        "prev_url": f"{base}?{_query(flt, page=page - 1)}", "next_url": f"{base}?{_query(flt, page=page + 1)}",
    }
    return await render(
        request, "admin/audit_log.html",
        {"page_title": title, "breadcrumbs": [(title, "")], "form": form, "rows": rows, "pages": pages,
         "login_only": login_only, "list_route": name, "categories": auditlog.CATEGORIES,
         "export_query": _query(flt), "verify": verify},
        block="results",
    )


@get("/admin/audit", name="admin_audit", guards=GUARD)
async def audit_page(request: Request, page: FromQuery[int] = 1) -> Response:
    return await _page(request, login_only=False, page=page)


@get("/admin/login-log", name="admin_login_log", guards=GUARD)
async def login_log_page(request: Request, page: FromQuery[int] = 1) -> Response:
    return await _page(request, login_only=True, page=page)


@get("/admin/audit/export", name="admin_audit_export", guards=GUARD)
async def audit_export(request: Request, format: FromQuery[str] = "xlsx") -> Response:
    _, flt = await _filter(request, login_only=False)
    rows = await auditlog.rows_for_export(flt)
    await audit.record(
        category="admin", action="audit_export", actor=request.user, ip=client_ip(request),
        detail={"format": format, "rows": len(rows), "filter": _query(flt)},
    )
    stamp = date.today().strftime("%Y%m%d")
    if format == "csv":
        body, media = auditlog.to_csv(rows), "text/csv; charset=utf-8"
    else:
        format = "xlsx"
        body, media = auditlog.to_xlsx(rows), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        content=body, media_type=media,
        headers={"Content-Disposition": f'attachment; filename="audit-log-{stamp}.{format}"'},
    )


@post("/admin/audit/verify", name="admin_audit_verify", guards=GUARD)
async def audit_verify(request: Request) -> Response:
    result = await audit.verify_chain()
    await audit.record(
        category="admin", action="audit_verify", actor=request.user, ip=client_ip(request),
        result="ok" if result[0] else "failed", detail={"first_bad_id": result[1]},
    )
    return await _page(request, login_only=False, page=1, verify=result)


ROUTES = [audit_page, login_log_page, audit_export, audit_verify]
