"""The social-insurance areas (社保查询, SPEC SI-1 … SI-7): staff 核定, employer and person queries, declared once."""

from __future__ import annotations

from domains.social_insurance import service, staff_controllers
from portal.areas import Area
from portal.auth.principal import staff_guard
from portal.web import NavItem


async def _demo() -> None:
    from domains.social_insurance import demo

    await demo.load()


SI_STAFF = Area(
    name="si_staff",
    path="/si-admin",
    handlers=staff_controllers.ROUTES,
    guards=[staff_guard()],  # any staff member; each handler names its permission
    title="社保经办",
    home="si_assess",
    menu=(("月度核定", "si_assess"),),
    nav=[NavItem("社保月度核定", "si_assess", "staff", permission=service.ASSESS_PERMISSION, order=60)],
    permissions=service.PERMISSIONS,
    demo=_demo,
    demo_order=30,  # after the labour-contract demo, which creates the demo employers
)

AREAS = [SI_STAFF]
