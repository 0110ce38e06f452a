"""Staff pages of 网上书审 (INS-6) beside the workbench: the imported 劳动用工信息 of a review, as a grid and export.

The review itself (questionnaire, differences, 审查通过 / 责令整改) is the workbench's matter panel with
`labor_inspection/_review_detail.html`; the squad scope is the workflow's (`scope_where` on `squad_code`).
"""

from __future__ import annotations

from litestar import Request, Response, get
from litestar.params import FromPath

from domains.labor_inspection import service
from portal.areas import crumbs
from portal.auth.principal import staff_guard
from portal.dataservices.export import grid_response
from portal.dataservices.grid import Column, Filter, Grid, Scope

YES_NO_BADGES = {"是": ("是", "success"), "否": ("否", "danger")}

STAFF_GRID = Grid(
    name="ins_review_staff", title="劳动用工信息",
    source="ins_review_staff s", id_sql="s.id", default_sort="row",
    columns=(
        Column("row", "记录编号", kind="int", sql="s.id", sortable=True),  # import order; ids, not 1…n
        Column("name", "姓名", sql="s.name"),
        Column("id_number", "身份证号", kind="id_number", sql="s.id_number"),
        Column("post", "工作岗位", sql="s.post"),
        Column("hired_on", "入职日期", kind="date", sql="s.hired_on"),
        Column("contract_signed", "签订劳动合同", kind="badge", sql="s.contract_signed", badges=YES_NO_BADGES),
        Column("contract_end", "合同终止日期", kind="date", sql="s.contract_end"),
        Column("insured", "参加社会保险", kind="badge", sql="s.insured", badges=YES_NO_BADGES),
        Column("monthly_wage", "月工资（元）", kind="money", sql="s.monthly_wage"),
    ),
    filters=(
        Filter("name", "姓名", sql="s.name"),
        Filter("contract_signed", "签订劳动合同", kind="choice", choices=(("是", "是"), ("否", "否")),
               sql="s.contract_signed"),
        Filter("insured", "参加社会保险", kind="choice", choices=(("是", "是"), ("否", "否")), sql="s.insured"),
    ),
)


@get("/reviews/{matter_id:int}/staff", name="ins_staff_list", guards=[staff_guard(service.REVIEW_PERMISSION)])
async def staff_list(request: Request, matter_id: FromPath[int]) -> Response:
    matter = await service.staff_review(request.user, matter_id)
    review_id = matter["payload"].get("review_id")
    return await grid_response(request, STAFF_GRID, Scope("s.review = {}", review_id),
                               "labor_inspection/staff_list.html", {
                                   "page_title": f"劳动用工信息：{matter['applicant_name']}", "matter": matter,
                                   "breadcrumbs": crumbs(request, ("劳动用工信息", "")),
                               })


ROUTES = [staff_list]
