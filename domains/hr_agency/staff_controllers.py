"""Staff-side handlers (HRA-4): 行政许可查看 / 业务备案查看 with the detail on the 机构名称, scoped by the staff
member's division. The 受理 and 审批 themselves happen in the platform's 办件工作台 (/workbench)."""

from __future__ import annotations

import json

from litestar import Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.params import FromPath

from domains.hr_agency import branches, forms, grids, manage, reports, staff_service, stats
from domains.hr_agency.matters import PERMISSIONS
from domains.hr_agency.rules import FIELD_LABELS
from domains.hr_agency.service import Refused
from domains.hr_agency.tables import Agency, AnnualReport, JobFair, Licence, ServiceFiling
from portal.areas import crumbs
from portal.auth.principal import division_clause, staff_guard
from portal.core import dictionary
from portal.dataservices.export import grid_response
from portal.web import client_ip, redirect, render

NO_STORE = {"Cache-Control": "no-store"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def hra_staff_guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
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


@get("/branches", name="hra_branches")
async def branch_list(request: Request) -> Response:
    return await grid_response(request, grids.BRANCHES, branches.staff_scope(request.user),
                               "hr_agency/staff_list.html",
                               {"page_title": "分支机构查看", "breadcrumbs": crumbs(request, ("分支机构查看", ""))})


@get("/branches/{branch_id:int}", name="hra_branch_detail")
async def branch_detail(request: Request, branch_id: FromPath[int]) -> Response:
    """The branch and what it carries from its parent (继承自总机构): licences and filings as they stand."""
    row = await branches.scoped_branch(request.user, branch_id)
    return await render(request, "hr_agency/staff_branch.html", {
        "page_title": row["name"], "row": row, "inherited": await branches.inherited(row["agency"]),
        "division_label": await dictionary.label("division", row["division_code"]),
        "parent_division_label": await dictionary.label("division", row["parent_division"]),
        "breadcrumbs": crumbs(request, ("分支机构查看", request.app.route_reverse("hra_branches")), (row["name"], "")),
    }, headers=NO_STORE)


@get("/statistics", name="hra_statistics", guards=[staff_guard("hra.manage")])
async def statistics(request: Request) -> Response:
    result = await stats.statistics(request.user)
    if request.query_params.get("export") == "xlsx":
        from portal.dataservices.export import attachment_headers

        return Response(stats.workbook(result), media_type=XLSX,
                        headers=attachment_headers("人力资源服务机构新增注销统计.xlsx"))
    raw = request.query_params.get("year", "")
    year = int(raw) if raw.isdigit() and int(raw) in result.years else None  # the chart's year; None: all summed
    return await render(request, "hr_agency/statistics.html", {
        "page_title": "统计分析", "stats": result, "year": year, "chart": stats.chart(result, year),
        "breadcrumbs": crumbs(request, ("统计分析", "")),
    }, headers=NO_STORE)


@get("/statistics/{region:str}/{year:int}/{what:str}", name="hra_statistics_agencies",
     guards=[staff_guard("hra.manage")])
async def statistics_agencies(request: Request, region: FromPath[str], year: FromPath[int],
                              what: FromPath[str]) -> Response:
    """The drill-down of one count: the licences and filings of a region added or ended in a year (0: all years)."""
    scope = stats.drill_scope(request.user, region, year, what)
    title = await stats.drill_title(region, year, what)
    return await grid_response(request, grids.STATISTICS_AGENCIES, scope, "hr_agency/staff_list.html", {
        "page_title": title, "breadcrumbs": crumbs(request, ("统计分析", request.app.route_reverse("hra_statistics")),
                                                   (title, ""))})


@get("/annual-reports", name="hra_staff_reports")
async def staff_reports(request: Request) -> Response:
    return await grid_response(request, grids.REPORTS, grids.staff_scope(request.user, AnnualReport),
                               "hr_agency/staff_list.html", {
                                   "page_title": "年度报告查阅", "publicity": True,
                                   "breadcrumbs": crumbs(request, ("年度报告查阅", ""))})


async def _report_page(request: Request, report_id: int, *, error: str = "", posted: dict | None = None,
                       notice: str = "") -> Response:
    clause = division_clause(request.user, AnnualReport.division_code)
    row = await AnnualReport.select(AnnualReport.all_columns(), AnnualReport.agency.name.as_alias("agency_name"),
                                    AnnualReport.agency.uscc.as_alias("agency_uscc")).where(
        (AnnualReport.id == report_id) & clause).first() if clause is not None else None
    if row is None:
        raise NotFoundException()
    return await render(request, "hr_agency/staff_report.html", {
        "page_title": "年度报告查阅", "row": row, "status_label": reports.STATUS_LABELS[row["status"]],
        "can_review": request.user.can("hra.manage"), "error": error, "posted": posted or {}, "notice": notice,
        "breadcrumbs": crumbs(request, ("年度报告查阅", request.app.route_reverse("hra_staff_reports")),
                              (row["agency_name"], "")),
    }, headers=NO_STORE)


@get("/annual-reports/{report_id:int}", name="hra_staff_report")
async def staff_report(request: Request, report_id: FromPath[int]) -> Response:
    notice = {"passed": "已查阅通过。", "returned": "已退回，机构可修改后重新提交。"}.get(
        request.query_params.get("done", ""), "")
    return await _report_page(request, report_id, notice=notice)


@post("/annual-reports/{report_id:int}/review", name="hra_staff_report_review", guards=[staff_guard("hra.manage")])
async def staff_report_review(request: Request, report_id: FromPath[int]) -> Response:
    form = await request.form()
    posted = {"action": str(form.get("action", "")), "opinion": str(form.get("opinion", ""))}
    try:
        target = await reports.review_report(request.user, report_id, posted["action"], posted["opinion"],
                                             ip=client_ip(request))
    except Refused as exc:
        return await _report_page(request, report_id, error=exc.message, posted=posted)
    return redirect(request, request.app.route_reverse("hra_staff_report", report_id=report_id) + f"?done={target}")


@get("/annual-reports/publicity.xlsx", name="hra_reports_publicity", guards=[staff_guard("hra.manage")])
async def reports_publicity(request: Request) -> Response:
    """导出公示信息: the passed annual reports of the staff member's region."""
    from portal.dataservices.export import attachment_headers

    rows = await reports.publicity_rows(request.user)
    return Response(reports.publicity_workbook(rows), media_type=XLSX,
                    headers=attachment_headers("人力资源服务机构年度报告公示信息.xlsx"))


@get("/job-fairs", name="hra_staff_fairs")
async def staff_fairs(request: Request) -> Response:
    return await grid_response(request, grids.FAIRS, grids.staff_scope(request.user, JobFair),
                               "hr_agency/staff_list.html",
                               {"page_title": "现场招聘会查阅", "breadcrumbs": crumbs(request, ("现场招聘会查阅", ""))})


MANAGE_GUARD = [staff_guard("hra.manage")]


@get("/agencies", name="hra_agencies", guards=MANAGE_GUARD)
async def agencies(request: Request) -> Response:
    scope = grids.staff_scope(request.user, Agency)
    scope = grids.Scope(f"({scope.sql}) AND hra_agency.status <> 'deleted'", *scope.args)
    notice = "机构已删除。" if request.query_params.get("done") == "deleted" else ""
    return await grid_response(request, grids.AGENCIES, scope, "hr_agency/staff_list.html", {
        "page_title": "机构管理", "add_agency": True, "notice": notice,
        "breadcrumbs": crumbs(request, ("机构管理", ""))})


async def _agency_form_page(request: Request, form, *, agency=None, errors_extra: dict | None = None,
                            notice: str = "", posted: dict | None = None) -> Response:
    return await render(request, "hr_agency/staff_agency.html", {
        "page_title": agency["name"] if agency else "新增机构", "form": form, "agency": agency,
        "history": await manage.history(agency["id"]) if agency else [], "notice": notice,
        "branches": await branches.branches_of(agency["id"]) if agency else [],
        "division_labels": await dictionary.labels("division"),
        "errors": errors_extra or {}, "posted": posted or {},
        "labels": FIELD_LABELS,
        "options": {"agency_type": await dictionary.choices("hra_agency_type"),
                    "division_code": await dictionary.choices("division")},
        "breadcrumbs": crumbs(request, ("机构管理", request.app.route_reverse("hra_agencies")),
                              (agency["name"] if agency else "新增机构", "")),
    }, headers=NO_STORE)


@get("/agencies/new", name="hra_agency_new", guards=MANAGE_GUARD)
async def agency_new(request: Request) -> Response:
    return await _agency_form_page(request, manage.agency_form({}))


@post("/agencies/new", name="hra_agency_add", guards=MANAGE_GUARD)
async def agency_add(request: Request) -> Response:
    form = manage.agency_form(await request.form())
    if not await form.validate():
        return await _agency_form_page(request, form)
    try:
        agency_id = await manage.add(request.user, form.cleaned, ip=client_ip(request))
    except Refused as exc:
        form.add_error(exc.field or "name", exc.message)
        return await _agency_form_page(request, form)
    return redirect(request, request.app.route_reverse("hra_agency_detail", agency_id=agency_id) + "?done=added")


@get("/agencies/{agency_id:int}", name="hra_agency_detail", guards=MANAGE_GUARD)
async def agency_detail(request: Request, agency_id: FromPath[int]) -> Response:
    agency = await manage.scoped_agency(request.user, agency_id)
    notice = {"added": "机构已新增。", "saved": "已保存，变更已记入变更记录。",
              "linked": "已关联单位账号，该单位登录后即可查看本机构并办理事项变更等业务。",
              "unlinked": "已解除关联，该单位登录后不再看到本机构；需要时可重新关联单位账号。",
              "reissued": "已保存，变更已记入变更记录。印有原信息的电子证书已注销，机构下次下载时按新信息换发。"}.get(
        request.query_params.get("done", ""), "")
    return await _agency_form_page(request, manage.agency_form({k: str(agency[k] or "") for k in (
        "name", "uscc", *forms.service_record_keys())}), agency=agency, notice=notice)


@post("/agencies/{agency_id:int}", name="hra_agency_edit", guards=MANAGE_GUARD)
async def agency_edit(request: Request, agency_id: FromPath[int]) -> Response:
    agency = await manage.scoped_agency(request.user, agency_id)
    data = {**dict(await request.form()), "uscc": agency["uscc"]}  # the code identifies the agency: not editable
    form = manage.agency_form(data)
    if not await form.validate():
        return await _agency_form_page(request, form, agency=agency)
    try:
        _, withdrawn = await manage.edit(request.user, agency_id, form.cleaned, ip=client_ip(request))
    except Refused as exc:
        form.add_error(exc.field or "name", exc.message)
        return await _agency_form_page(request, form, agency=agency)
    done = "reissued" if withdrawn else "saved"
    return redirect(request, request.app.route_reverse("hra_agency_detail", agency_id=agency_id) + f"?done={done}")


@post("/agencies/{agency_id:int}/delete", name="hra_agency_delete", guards=MANAGE_GUARD)
async def agency_delete(request: Request, agency_id: FromPath[int]) -> Response:
    agency = await manage.scoped_agency(request.user, agency_id)
    reason = str((await request.form()).get("reason", ""))
    try:
        await manage.delete(request.user, agency_id, reason, ip=client_ip(request))
    except Refused as exc:
        form = manage.agency_form({k: str(agency[k] or "") for k in ("name", "uscc", *forms.service_record_keys())})
        return await _agency_form_page(request, form, agency=agency, errors_extra={"reason": exc.message},
                                       posted={"reason": reason})
    return redirect(request, request.app.route_reverse("hra_agencies") + "?done=deleted")


async def _link_page(request: Request, agency: dict, *, refusal: str | None = None, form=None) -> Response:
    """关联单位账号, or with `form` (its reason) 解除关联: the record, the account, the confirmation or why not."""
    title, target = ("解除关联", manage.unlink_target) if form is not None else ("关联单位账号", manage.link_target)
    account, found = await target(agency)
    return await render(request, f"hr_agency/staff_agency_{'unlink' if form is not None else 'link'}.html", {
        "page_title": title, "agency": agency, "account": account, "refusal": refusal or found, "form": form,
        "breadcrumbs": crumbs(request, ("机构管理", request.app.route_reverse("hra_agencies")),
                              (agency["name"], request.app.route_reverse("hra_agency_detail", agency_id=agency["id"])),
                              (title, "")),
    }, headers=NO_STORE)


@get("/agencies/{agency_id:int}/link", name="hra_agency_link", guards=MANAGE_GUARD)
async def agency_link(request: Request, agency_id: FromPath[int]) -> Response:
    """关联单位账号, the confirmation: the record and the account of its USCC, or why they cannot be linked (a
    deleted record answers here too, so a confirmation overtaken by a deletion says so)."""
    return await _link_page(request, await manage.scoped_agency(request.user, agency_id, deleted=True))


@post("/agencies/{agency_id:int}/link", name="hra_agency_link_save", guards=MANAGE_GUARD)
async def agency_link_save(request: Request, agency_id: FromPath[int]) -> Response:
    try:
        await manage.link(request.user, agency_id, ip=client_ip(request))
    except Refused as exc:
        agency = await manage.scoped_agency(request.user, agency_id, deleted=True)
        return await _link_page(request, agency, refusal=exc.message)
    return redirect(request, request.app.route_reverse("hra_agency_detail", agency_id=agency_id) + "?done=linked")


@get("/agencies/{agency_id:int}/unlink", name="hra_agency_unlink", guards=MANAGE_GUARD)
async def agency_unlink(request: Request, agency_id: FromPath[int]) -> Response:
    """解除关联, the confirmation: the record, the account it is linked to and a reason, or why it cannot be
    unlinked (a deleted record answers here too, as on 关联单位账号)."""
    agency = await manage.scoped_agency(request.user, agency_id, deleted=True)
    return await _link_page(request, agency, form=manage.unlink_form({}))


@post("/agencies/{agency_id:int}/unlink", name="hra_agency_unlink_save", guards=MANAGE_GUARD)
async def agency_unlink_save(request: Request, agency_id: FromPath[int]) -> Response:
    agency = await manage.scoped_agency(request.user, agency_id, deleted=True)
    form = manage.unlink_form(await request.form())
    if await form.validate():
        try:
            await manage.unlink(request.user, agency_id, form.cleaned["reason"], ip=client_ip(request))
            return redirect(request,
                            request.app.route_reverse("hra_agency_detail", agency_id=agency_id) + "?done=unlinked")
        except Refused as exc:
            if exc.field != "reason":  # the record's state: shown as on the confirmation, without the form
                agency = await manage.scoped_agency(request.user, agency_id, deleted=True)
                return await _link_page(request, agency, form=form, refusal=exc.message)
            form.refuse(exc)
    return await _link_page(request, agency, form=form)


ROUTES = [agencies, agency_new, agency_add, agency_detail, agency_edit, agency_delete, agency_link, agency_link_save,
          agency_unlink, agency_unlink_save,
          staff_reports, reports_publicity, staff_report, staff_report_review, staff_fairs, statistics, statistics_agencies, licences, filings, licence_detail, licence_revoke, filing_detail, branch_list, branch_detail]
