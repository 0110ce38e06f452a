"""The human-resources service agency areas (人力资源服务机构, SPEC HRA-1…HRA-13), declared once: the agency side
(a legal person signed in through the network), the staff side, and the public 名录 (no guards)."""

from __future__ import annotations

from domains.hr_agency import certificates, controllers, matters, public_controllers, staff_controllers
from portal.areas import Area
from portal.auth.principal import employer_guard
from portal.web import NavItem


async def _demo() -> None:
    from domains.hr_agency import demo

    await demo.load()


HR_AGENCY = Area(
    name="hr_agency",
    path="/hr-agency",
    handlers=controllers.ROUTES,
    guards=[employer_guard],
    title="人力资源服务机构",
    home="hra_home",
    menu=(("机构概况", "hra_home"), ("事项变更", "hra_change"), ("设立分支机构报告", "hra_branch"),
          ("注销申请", "hra_cancel"), ("年度报告", "hra_reports"), ("现场招聘会", "hra_fairs")),
    nav=[NavItem("人力资源服务机构", "hra_home", "employer", order=60,
                 description="人力资源服务许可、业务备案、变更、分支机构、注销、年度报告、现场招聘会")],
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
    handlers=staff_controllers.ROUTES,
    guards=[staff_controllers.hra_staff_guard],
    title="人力资源市场管理",
    home="hra_licences",
    menu=(("行政许可查看", "hra_licences"), ("业务备案查看", "hra_filings"), ("机构管理", "hra_agencies"),
          ("年度报告查阅", "hra_staff_reports"),
          ("现场招聘会查阅", "hra_staff_fairs"), ("统计分析", "hra_statistics"),
          ("办件受理与审批", "workbench")),
    nav=[NavItem("人力资源市场管理", "hra_licences", "staff", permission=matters.MANAGE, order=60,
                 description="行政许可、业务备案的查看；受理与审批在办件工作台")],
)

HR_AGENCY_PUBLIC = Area(
    name="hr_agency_public",
    path="/hr-agencies",
    handlers=public_controllers.ROUTES,
    title="人力资源服务机构名录",
)

AREAS = [HR_AGENCY, HR_AGENCY_STAFF, HR_AGENCY_PUBLIC]
