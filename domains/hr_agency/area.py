"""The human-resources service agency area (人力资源服务机构, SPEC HRA-1…HRA-13), declared once."""

from __future__ import annotations

from domains.hr_agency import certificates, controllers, matters
from portal.areas import Area
from portal.auth.principal import employer_guard
from portal.web import NavItem

HR_AGENCY = Area(
    name="hr_agency",
    path="/hr-agency",
    handlers=controllers.ROUTES,
    guards=[employer_guard],
    title="人力资源服务机构",
    home="hra_home",
    menu=(
        ("机构概况", "hra_home"),
    ),
    nav=[NavItem("人力资源服务机构", "hra_home", "employer", order=60,
                 description="人力资源服务许可、业务备案、变更、分支机构、注销、年度报告、现场招聘会")],
    permissions=matters.PERMISSIONS,
    matter_kinds=matters.KINDS,
    certificate_kinds=certificates.KINDS,
)

AREAS = [HR_AGENCY]
