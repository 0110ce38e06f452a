"""The employer area (the applicant layer for units): 单位信息, 信息完善 (ACC-3, EMP-1), 经办人授权 (ACC-2), EMP-2."""

from __future__ import annotations

from domains.employer import controllers, service
from portal.areas import Area
from portal.auth.principal import employer_guard
from portal.web import NavItem

EMPLOYER = Area(
    name="employer",
    path="/employer",
    handlers=controllers.ROUTES,
    guards=[employer_guard],  # 信息完善 itself stays reachable: its handlers declare PROFILE_EXEMPT
    title="单位信息",
    home="employer_profile",
    nav=[
        NavItem("单位信息", "employer_profile", "employer", order=5, description="查看单位基本信息"),
        NavItem("经办人授权", "employer_agents", "employer", order=90, description="授权、确认和撤销单位经办人"),
    ],
    principal_loaders={"employer": service.load_employer_principal},
)

AREAS = [EMPLOYER]
