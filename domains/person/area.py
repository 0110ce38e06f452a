"""The person area (the applicant layer for natural persons): 我的 (ACC-4)."""

from __future__ import annotations

from domains.person import controllers, service
from portal.areas import Area
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
    principal_loaders={"person": service.load_person_principal},
)

AREAS = [PERSON]
