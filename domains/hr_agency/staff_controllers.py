"""Staff-side handlers (HRA-4): 行政许可查看 / 业务备案查看 with the detail on the 机构名称, scoped by the staff
member's division. The 受理 and 审批 themselves happen in the platform's 办件工作台 (/workbench)."""

from __future__ import annotations

import json

from litestar import Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.params import FromPath

from domains.hr_agency import grids
from domains.hr_agency.matters import PERMISSIONS
from domains.hr_agency.tables import Agency, Licence, ServiceFiling
from portal.areas import crumbs
from domains.hr_agency import staff_service, stats
from domains.hr_agency.service import Refused
from portal.auth.principal import division_clause, staff_guard
from portal.core import dictionary
from portal.dataservices.export import grid_response
from portal.web import client_ip, redirect, render

NO_STORE = {"Cache-Control": "no-store"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def hra_staff_guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Staff holding any permission of this domain (受理岗, 审核岗 or 管理)."""
    user = connection.scope.get("user")
    if user is None or not user.is_staff or not (set(PERMISSIONS) & set(user.permissions)):
        raise PermissionDeniedException("您没有访问此页面的权限")


@get("/licences", name="hra_licences")
async def licences(request: Request) -> Response:
    return await grid_response(request, grids.LICENCES, grids.staff_scope(request.user, Licence), "hr_agency/staff_list.html",
                               {"page_title": "行政许可查看", "breadcrumbs": crumbs(request, ("行政许可查看", ""))})


@get("/filings", name="hra_filings")
async def filings(request: Request) -> Response:
    return await grid_response(request, grids.FILINGS, grids.staff_scope(request.user, ServiceFiling),
                               "hr_agency/staff_list.html",
                               {"page_title": "业务备案查看", "breadcrumbs": crumbs(request, ("业务备案查看", ""))})


async def _detail(request: Request, table, row_id: int, title: str, *, errors: dict | None = None,
                  posted: dict | None = None, notice: str = "") -> Response:
    clause = division_clause(request.user, table.division_code)
    row = await table.select().where((table.id == row_id) & clause).first() if clause is not None else None
    if row is None:
        raise NotFoundException()
    agency = await Agency.select().where(Agency.id == row["agency"]).first()
    labels = await dictionary.labels("hra_service")
    return await render(request, "hr_agency/staff_detail.html", {
        "page_title": title, "title": title, "row": row, "agency": agency,
        "services": "、".join(labels.get(c, c) for c in json.loads(row["services"] or "[]")),
        "division_label": await dictionary.label("division", agency["division_code"]),
        "agency_type_label": await dictionary.label("hra_agency_type", agency["agency_type"]),
        "can_revoke": table is Licence and row["status"] == "valid" and request.user.can("hra.manage"),
        "errors": errors or {}, "posted": posted or {}, "notice": notice,
        "breadcrumbs": crumbs(request, (title, "")),
    }, headers=NO_STORE)


@get("/licences/{licence_id:int}", name="hra_licence_detail")
async def licence_detail(request: Request, licence_id: FromPath[int]) -> Response:
    notice = "行政许可已注销，电子许可证同时作废。" if request.query_params.get("done") == "revoked" else ""
    return await _detail(request, Licence, licence_id, "行政许可详情", notice=notice)


@post("/licences/{licence_id:int}/revoke", name="hra_licence_revoke", guards=[staff_guard("hra.manage")])
async def licence_revoke(request: Request, licence_id: FromPath[int]) -> Response:
    """HRA-7 注销单位行政许可: reason and legal basis required; the licence then shows 已注销."""
    form = await request.form()
    posted = {"reason": str(form.get("reason", "")), "basis": str(form.get("basis", ""))}
    try:
        await staff_service.revoke_licence(request.user, licence_id, reason=posted["reason"], basis=posted["basis"],
                                           ip=client_ip(request))
    except Refused as exc:
        return await _detail(request, Licence, licence_id, "行政许可详情", errors={exc.field or "form": exc.message},
                             posted=posted)
    return redirect(request, request.app.route_reverse("hra_licence_detail", licence_id=licence_id) + "?done=revoked")


@get("/filings/{filing_id:int}", name="hra_filing_detail")
async def filing_detail(request: Request, filing_id: FromPath[int]) -> Response:
    return await _detail(request, ServiceFiling, filing_id, "业务备案详情")


@get("/statistics", name="hra_statistics", guards=[staff_guard("hra.manage")])
async def statistics(request: Request) -> Response:
    result = await stats.statistics(request.user)
    if request.query_params.get("export") == "xlsx":
        from portal.dataservices.export import attachment_headers

        return Response(stats.workbook(result), media_type=XLSX,
                        headers=attachment_headers("人力资源服务机构新增注销统计.xlsx"))
    return await render(request, "hr_agency/statistics.html", {
        "page_title": "统计分析", "stats": result, "breadcrumbs": crumbs(request, ("统计分析", "")),
    }, headers=NO_STORE)


ROUTES = [statistics, licences, filings, licence_detail, licence_revoke, filing_detail]
