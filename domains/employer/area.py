"""The employer areas: 单位信息, 信息完善 (ACC-3, EMP-1), EMP-2, 经办人授权 (ACC-2) and the public 经办人 confirmation."""

from __future__ import annotations

from domains.employer import controllers, matters, service
from portal.areas import Area, Service
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
    services=[
        Service("employer_filing", "用工备案单位信息登记", "employer_filing", "employer", "劳动关系", order=90,
                kind=matters.EMPLOYER_FILING_KIND, summary="办理劳动用工备案前，登记并变更单位基本信息",
                keywords="初次备案 单位信息变更 送审机构 营业执照"),
        Service("employer_profile", "单位信息", "employer_profile", "employer", "账户与授权", order=700,
                summary="查看单位基本信息", guide="查看单位在本厅登记的基本信息；首次登录时须先完善单位信息。"),
        Service("employer_agents", "经办人授权", "employer_agents", "employer", "账户与授权", order=710,
                summary="法定代表人授权、撤销单位经办人", keywords="经办人 授权 代办",
                guide="法定代表人可授权经办人代表单位办理业务；经办人下次通过政务服务网“经办人登录”时确认后生效。"
                      "法定代表人或经办人本人均可随时撤销。"),
    ],
    principal_loaders={"employer": service.load_employer_principal},
    profile_completion="employer_profile_complete",
    permissions=matters.PERMISSIONS,
    matter_kinds=[matters.EMPLOYER_FILING],  # EMP-2, which the labour-contract area's LC-1 gate waits for
)

# The 经办人 confirms an authorisation before having a session (ACC-2): a public page, so an Area of its own.
EMPLOYER_AGENT_SIGN_IN = Area(
    name="employer_agent_sign_in", path="/employer/agent", handlers=controllers.SIGN_IN_ROUTES,
)

AREAS = [EMPLOYER, EMPLOYER_AGENT_SIGN_IN]
