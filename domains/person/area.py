"""The person area (the applicant layer for natural persons): 我的 (ACC-4)."""

from __future__ import annotations

from domains.person import controllers, service
from portal.areas import Area, Service
from portal.auth.principal import person_guard
from portal.web import NavItem

PERSON = Area(
    name="person",
    path="/person",
    handlers=controllers.ROUTES,
    guards=[person_guard],
    title="我的",
    home="person_me",
    nav=[NavItem("我的", "person_me", "person", order=5, description="查看本人基本信息")],
    services=[Service("person_me", "个人基本信息", "person_me", "person", "个人信息", order=700,
                      summary="查看本人在本厅登记的基本信息", keywords="我的 个人信息",
                      guide="通过省政务服务网个人账号登录后，查看本人的姓名、证件号码（部分隐藏）和联系方式。")],
    principal_loaders={"person": service.load_person_principal},
)

AREAS = [PERSON]
