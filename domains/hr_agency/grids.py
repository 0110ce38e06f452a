"""Lists of the agency domain: the public 名录 (HRA-13) and the staff 行政许可查看 / 业务备案查看 (HRA-4)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from portal.auth.principal import Principal, division_clause
from portal.core import dictionary
from portal.dataservices.grid import Column, Filter, Grid, Scope
from portal.db import current_engine, is_sqlite

# PostgreSQL serves ORDER BY name LIMIT 21 by walking the (name, uid) index and filtering as it goes, expecting the
# matches spread evenly through the order. A fragment like 海口椰 matches ~200 names that sort together (海口…),
# after 11,788 others: 16–47 ms of LIKE on the walk, against 4.6 ms to fetch the matches by the trigram index and
# sort them (bench/README.md, issue #21). So a 名称/服务事项 search of 3+ characters whose count is small (the
# page's 共 N 条, counted anyway and cached) sorts by an expression no index serves; a common fragment (人力资源:
# 5,679 matches, found within the first 21 of the walk) keeps the walk. SQLite has no trigram index and its walk stays ~2 ms.
SORT_MATCHES_UP_TO = 1_000


def register_scope() -> Scope:
    """Every row of hra_register is listed (register.py writes only active agencies with a valid licence or filing,
    and their branches): the public has no narrower scope."""
    return Scope("1 = 1")


async def register_grid(params: Mapping[str, str]) -> Grid:
    """The 名录 grid for this query string; its 地区 choices are the province's cities (and 省直辖县级行政单位 as one
    region), read from the dictionary on each request so an administrator's edit shows without a restart."""
    regions = [(c, label) for c, label in await dictionary.choices("division")
               if len(c) == 6 and c.endswith("00") and not c.endswith("0000")]
    grid = _register_grid(regions, "hra_register.name")
    # Three characters at least: a shorter fragment gives the trigram index nothing to look up, and sorting would
    # then read every row (42 ms for 地区 + 培训 against 2 ms on the (region, name) walk).
    if is_sqlite(current_engine()) or not any(len((params.get(k) or "").strip()) >= 3 for k in ("name", "service")):
        return grid
    query = await grid.parse(params)
    if query.errors or await grid.shown_count(register_scope(), query) > SORT_MATCHES_UP_TO:
        return grid
    return _register_grid(regions, "(hra_register.name || '')")  # the same order, read without the name index


# One row per agency or branch (register.py): the holder's valid licence and its first valid filing. Nothing
# personal: no 法定代表人, no contact person or phone. Indexes (name, uid) and (region, name, uid) serve the order and
# the region; on PostgreSQL trigram indexes serve 名称 and 服务事项 contains.
def _register_grid(regions: list[tuple[str, str]], name_sql: str) -> Grid:
    return Grid(
        name="hra_register", title="人力资源服务机构名录", default_sort="name", id_sql="hra_register.uid",
        source="hra_register",
        columns=[
            Column("name", "机构名称", sql=name_sql, sortable=True),
            Column("division", "所在地区", sql="hra_register.division_code", category="division"),
            Column("licence_no", "许可证编号", sql="hra_register.licence_no"),
            Column("valid_until", "许可有效期至", kind="date", sql="hra_register.valid_until"),
            Column("filing_no", "备案编号", sql="hra_register.filing_no"),
            Column("address", "办公地址", sql="hra_register.address"),
            Column("services", "服务事项", sql="hra_register.services_label"),
        ],
        filters=[
            Filter("name", "机构名称", sql="hra_register.name"),
            # The agency's city: its code's first four digits (460105 → 460100, 469001 → 469000).
            Filter("region", "所在地区", kind="choice", choices=regions, sql="hra_register.region"),
            Filter("service", "服务事项", sql="hra_register.services_label", placeholder="如：招聘、培训"),
        ],
        empty_text="没有找到符合条件的人力资源服务机构", exportable=False,
    )

STAFF_BASE = "/hr-agency-admin"


LICENCES = Grid(
    name="hra_licences", title="行政许可查看", default_sort="-issued_on", id_sql="hra_licence.id",
    source="hra_licence JOIN hra_agency ON hra_agency.id = hra_licence.agency",
    columns=[
        Column("name", "机构名称", sql="hra_agency.name", link=lambda r: f"{STAFF_BASE}/licences/{r['_id']}"),
        Column("licence_no", "许可证编号", sql="hra_licence.licence_no"),
        Column("doc_no", "文号", sql="hra_licence.doc_no"),
        Column("division", "发证地区", sql="hra_licence.division_code", category="division"),
        Column("issued_on", "发证日期", kind="date", sql="hra_licence.issued_on", sortable=True),
        Column("valid_until", "有效期至", kind="date", sql="hra_licence.valid_until"),
        Column("status", "状态", kind="badge", sql="hra_licence.status",
               badges={"valid": ("有效", "success"), "revoked": ("已注销", "danger")}),
    ],
    filters=[Filter("name", "机构名称", sql="hra_agency.name"), Filter("licence_no", "许可证编号", kind="exact",
                                                                  sql="hra_licence.licence_no")],
)

FILINGS = Grid(
    name="hra_filings", title="业务备案查看", default_sort="-filed_on", id_sql="hra_filing.id",
    source="hra_filing JOIN hra_agency ON hra_agency.id = hra_filing.agency",
    columns=[
        Column("name", "机构名称", sql="hra_agency.name", link=lambda r: f"{STAFF_BASE}/filings/{r['_id']}"),
        Column("filing_no", "备案编号", sql="hra_filing.filing_no"),
        Column("division", "备案地区", sql="hra_filing.division_code", category="division"),
        Column("filed_on", "备案日期", kind="date", sql="hra_filing.filed_on", sortable=True),
        Column("status", "状态", kind="badge", sql="hra_filing.status",
               badges={"valid": ("有效", "success"), "revoked": ("已注销", "danger")}),
    ],
    filters=[Filter("name", "机构名称", sql="hra_agency.name"), Filter("filing_no", "备案编号", kind="exact",
                                                                  sql="hra_filing.filing_no")],
)


def staff_scope(principal: Principal, table: Any) -> Scope:
    """Records whose division lies under one of the staff member's division scopes; nothing without one."""
    clause = division_clause(principal, table.division_code)
    return Scope.where(clause) if clause is not None else Scope("1 = 0")


REPORTS = Grid(
    name="hra_reports", title="年度报告查阅", default_sort="-year", id_sql="hra_annual_report.id",
    source="hra_annual_report JOIN hra_agency ON hra_agency.id = hra_annual_report.agency",
    columns=[
        Column("name", "机构名称", sql="hra_agency.name", link=lambda r: f"{STAFF_BASE}/annual-reports/{r['_id']}"),
        Column("year", "报告年度", kind="int", sql="hra_annual_report.year", sortable=True),
        Column("service_count", "服务人次", kind="int", sql="hra_annual_report.service_count"),
        Column("revenue", "营业收入（元）", kind="money", sql="hra_annual_report.revenue_fen"),
        Column("status", "状态", kind="badge", sql="hra_annual_report.status", badges={
            "submitted": ("待查阅", "info"), "passed": ("通过", "success"), "returned": ("退回重填", "warning")}),
    ],
    filters=[Filter("name", "机构名称", sql="hra_agency.name"),
             Filter("status", "状态", kind="choice", sql="hra_annual_report.status",
                    choices=(("submitted", "待查阅"), ("passed", "通过"), ("returned", "退回重填")))],
)

FAIRS = Grid(
    name="hra_fairs", title="现场招聘会查阅", default_sort="-held_on", id_sql="hra_job_fair.id",
    source="hra_job_fair JOIN hra_agency ON hra_agency.id = hra_job_fair.agency",
    columns=[
        Column("fair", "招聘会名称", sql="hra_job_fair.name"),
        Column("name", "举办机构", sql="hra_agency.name"),
        Column("held_on", "举办时间", kind="date", sql="hra_job_fair.held_on", sortable=True),
        Column("place", "举办地点", sql="hra_job_fair.place"),
        Column("scale", "规模", sql="hra_job_fair.scale"),
        Column("employer_count", "参会单位数", kind="int", sql="hra_job_fair.employer_count"),
        Column("post_count", "岗位数", kind="int", sql="hra_job_fair.post_count"),
    ],
    filters=[Filter("fair", "招聘会名称", sql="hra_job_fair.name"), Filter("name", "举办机构", sql="hra_agency.name"),
             Filter("held_on", "举办时间", kind="date_range", sql="hra_job_fair.held_on")],
)


AGENCIES = Grid(
    name="hra_agencies", title="机构管理", default_sort="name", id_sql="hra_agency.id",
    source="hra_agency",
    columns=[
        Column("name", "机构名称", sql="hra_agency.name", sortable=True,
               link=lambda r: f"{STAFF_BASE}/agencies/{r['_id']}"),
        Column("uscc", "统一社会信用代码", sql="hra_agency.uscc"),
        Column("division", "所在地区", sql="hra_agency.division_code", category="division"),
        Column("agency_type", "机构类型", sql="hra_agency.agency_type", category="hra_agency_type"),
        Column("source", "来源", kind="badge", sql="hra_agency.source", badges={
            "online": ("网上申请", "info"), "staff": ("经办录入", "neutral"), "history": ("历史导入", "neutral")}),
        Column("status", "状态", kind="badge", sql="hra_agency.status", badges={
            "active": ("正常", "success"), "deregistered": ("已注销", "danger")}),
    ],
    filters=[Filter("name", "机构名称", sql="hra_agency.name"),
             Filter("uscc", "统一社会信用代码", kind="exact", sql="hra_agency.uscc", normalise=True)],
)


# 历史数据采集 (HRA-12): the imported agencies; each opens in 机构管理 (修改、删除).
HISTORY = Grid(
    name="hra_history", title="历史数据采集", default_sort="-created_at", id_sql="hra_agency.id",
    source="hra_agency",
    columns=[
        Column("name", "机构名称", sql="hra_agency.name", link=lambda r: f"{STAFF_BASE}/agencies/{r['_id']}"),
        Column("uscc", "统一社会信用代码", sql="hra_agency.uscc"),
        Column("division", "所在地区", sql="hra_agency.division_code", category="division"),
        Column("status", "状态", kind="badge", sql="hra_agency.status", badges={
            "active": ("正常", "success"), "deregistered": ("已注销", "danger")}),
        Column("created_at", "导入时间", kind="datetime", sql="hra_agency.created_at", sortable=True),
    ],
    filters=[Filter("name", "机构名称", sql="hra_agency.name"),
             Filter("uscc", "统一社会信用代码", kind="exact", sql="hra_agency.uscc", normalise=True)],
)


def _registration_link(row: dict) -> str:
    uid = int(row["_id"])
    return f"{STAFF_BASE}/{'filings' if uid % 2 else 'licences'}/{uid // 2}"


# 统计分析's drill-down (HRA-11): licences and filings as one list; `uid` (2·id, 2·id + 1) keeps their ids apart
# for paging and links. The scope (stats.drill_scope) names the region, the year and new or ended.
STATISTICS_AGENCIES = Grid(
    name="hra_statistics_agencies", title="统计明细", default_sort="-day", id_sql="reg.uid",
    source="(SELECT id * 2 AS uid, agency, licence_no AS no, division_code, issued_on AS day, revoked_on, status, "
           "'licence' AS kind FROM hra_licence UNION ALL SELECT id * 2 + 1, agency, filing_no, division_code, filed_on, "
           "revoked_on, status, 'filing' FROM hra_filing) AS reg JOIN hra_agency ON hra_agency.id = reg.agency",
    columns=[
        Column("name", "机构名称", sql="hra_agency.name", sortable=True, link=_registration_link),
        Column("kind", "类型", kind="badge", sql="reg.kind",
               badges={"licence": ("行政许可", "info"), "filing": ("业务备案", "neutral")}),
        Column("no", "许可证编号/备案编号", sql="reg.no"),
        Column("division", "所在地区", sql="reg.division_code", category="division"),
        Column("day", "许可/备案日期", kind="date", sql="reg.day", sortable=True),
        Column("revoked_on", "注销日期", kind="date", sql="reg.revoked_on"),
        Column("status", "状态", kind="badge", sql="reg.status",
               badges={"valid": ("有效", "success"), "revoked": ("已注销", "danger")}),
    ],
    filters=[Filter("name", "机构名称", sql="hra_agency.name")],
    empty_text="没有符合条件的机构",
)


BRANCHES = Grid(
    name="hra_branches", title="分支机构查看", default_sort="-created_at", id_sql="hra_branch.id",
    source="hra_branch JOIN hra_agency ON hra_agency.id = hra_branch.agency",
    columns=[
        Column("name", "分支机构名称", sql="hra_branch.name", link=lambda r: f"{STAFF_BASE}/branches/{r['_id']}"),
        Column("parent", "总机构", sql="hra_agency.name"),
        Column("division", "所在地区", sql="hra_branch.division_code", category="division"),
        Column("address", "地址", sql="hra_branch.address"),
        Column("leader", "负责人", sql="hra_branch.leader"),
        Column("created_at", "设立报告通过时间", kind="datetime", sql="hra_branch.created_at", sortable=True),
    ],
    filters=[Filter("name", "分支机构名称", sql="hra_branch.name"), Filter("parent", "总机构", sql="hra_agency.name")],
    empty_text="本辖区暂无分支机构",
)
