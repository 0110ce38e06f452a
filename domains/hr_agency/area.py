"""The human-resources service agency areas (人力资源服务机构, SPEC HRA-1…HRA-13), declared once: the agency side
(a legal person signed in through the network), the staff side, and the public 名录 (no guards)."""

from __future__ import annotations

from domains.hr_agency import (
    certificates,
    controllers,
    grids,
    history,
    history_controllers,
    matters,
    public_controllers,
    staff_controllers,
)
from portal.areas import Area, Service
from portal.auth.principal import AgentRight, employer_guard
from portal.web import NavItem


async def _demo() -> None:
    from domains.hr_agency import demo

    await demo.load()


HR_AGENCY = Area(
    name="hr_agency",
    path="/hr-agency",
    handlers=controllers.ROUTES,
    guards=[employer_guard],
    agent_right=AgentRight("hr_agency", "人力资源服务机构"),  # ACC-8
    title="人力资源服务机构",
    home="hra_home",
    menu=(("机构概况", "hra_home"), ("事项变更", "hra_change"), ("设立分支机构报告", "hra_branch"),
          ("注销申请", "hra_cancel"), ("年度报告", "hra_reports"), ("现场招聘会", "hra_fairs")),
    nav=[NavItem("人力资源服务机构", "hra_home", "employer", order=60,
                 description="人力资源服务许可、业务备案、变更、分支机构、注销、年度报告、现场招聘会")],
    services=[
        Service("hra_licence", "人力资源服务许可", "hra_apply", "employer", "人力资源服务", kind=matters.LICENCE.code,
                params=(("slug", "licence"),), summary="从事职业中介活动的机构申请人力资源服务许可", order=500,
                keywords="职业中介 行政许可 许可证"),
        Service("hra_filing", "人力资源服务业务备案", "hra_apply", "employer", "人力资源服务", kind=matters.FILING.code,
                params=(("slug", "filing"),), summary="开展职业中介以外人力资源服务的机构办理业务备案", order=501,
                keywords="备案凭证"),
        Service("hra_change", "人力资源服务机构事项变更", "hra_change", "employer", "人力资源服务", kind=matters.CHANGE.code,
                summary="机构名称、法定代表人、办公地址、机构类型、许可事项、备案事项变更", order=502),
        Service("hra_branch", "设立分支机构报告", "hra_branch", "employer", "人力资源服务", kind=matters.BRANCH.code,
                summary="设立分支机构后书面报告", order=503),
        Service("hra_cancel", "人力资源服务机构注销", "hra_cancel", "employer", "人力资源服务", kind=matters.CANCEL.code,
                summary="终止经营或不再从事人力资源服务的，注销许可或备案", order=504),
        Service("hra_reports", "人力资源服务机构年度报告", "hra_reports", "employer", "人力资源服务", order=505,
                summary="每年报送上一年度的经营情况", keywords="年报",
                guide="依据《人力资源市场暂行条例》，人力资源服务机构应当按照规定报送年度报告。"),
        Service("hra_fairs", "现场招聘会举办报告", "hra_fairs", "employer", "人力资源服务", order=506,
                summary="举办现场招聘会的，向人力资源社会保障部门报告", keywords="招聘会",
                guide="举办现场招聘会的，应当制定组织实施办法、应急预案和安全保卫工作方案，核实参加招聘会的单位及其招聘简章，"
                      "并报告举办地人力资源社会保障部门。"),
    ],
    permissions=matters.PERMISSIONS,
    matter_kinds=matters.KINDS,
    certificate_kinds=certificates.KINDS,
    certificate_withdrawn={"hra_licence": "注销", "hra_filing": "注销"},
    demo=_demo,
    demo_order=60,  # after sso's loader (the agency's legal person is a network account)
)

HR_AGENCY_STAFF = Area(
    name="hr_agency_staff",
    path="/hr-agency-admin",
    handlers=[*staff_controllers.ROUTES, *history_controllers.ROUTES],
    guards=[staff_controllers.hra_staff_guard],
    title="人力资源市场管理",
    home="hra_licences",
    menu=(("行政许可查看", "hra_licences"), ("业务备案查看", "hra_filings"), ("分支机构查看", "hra_branches"),
          ("机构管理", "hra_agencies"), ("历史数据采集", "hra_history"), ("年度报告查阅", "hra_staff_reports"),
          ("现场招聘会查阅", "hra_staff_fairs"), ("统计分析", "hra_statistics"),
          ("办件受理与审批", "workbench")),
    nav=[NavItem("人力资源市场管理", "hra_licences", "staff", permission=matters.MANAGE, order=60,
                 description="行政许可、业务备案的查看；受理与审批在办件工作台")],
    grids=[grids.LICENCES, grids.FILINGS, grids.REPORTS, grids.FAIRS, grids.AGENCIES, grids.HISTORY,
           grids.STATISTICS_AGENCIES, grids.BRANCHES],
    sheets=[history.HISTORY],
    importers=[history.HISTORY_IMPORT],
)

HR_AGENCY_PUBLIC = Area(
    name="hr_agency_public",
    path="/hr-agencies",
    handlers=public_controllers.ROUTES,
    title="人力资源服务机构名录",
    services=[Service("hra_register", "人力资源服务机构名录查询", "hra_register", "person", "就业与人才", public=True,
                      order=400, summary="查询依法取得许可或备案的人力资源服务机构", keywords="职业中介 找工作 中介机构",
                      guide="公开取得人力资源服务许可或备案的机构名单，求职前可核实中介机构是否合法。无需登录。")],
)

AREAS = [HR_AGENCY, HR_AGENCY_STAFF, HR_AGENCY_PUBLIC]
