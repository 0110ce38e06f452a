"""The 劳动保障监察 areas (SPEC INS-1 … INS-4, INS-6): employer pages under /labor-inspection (legal persons only:
the employer guard refuses natural-person accounts), the squads' staff pages under /ins-admin."""

from __future__ import annotations

from domains.labor_inspection import (
    compliance,
    compliance_controllers,
    controllers,
    grade_controllers,
    matters,
    sheets,
    staff_controllers,
)
from portal.areas import Area
from portal.auth.principal import AgentRight, employer_guard, staff_guard
from portal.web import NavItem


async def _demo() -> None:
    from domains.labor_inspection import demo

    await demo.load()
    await demo.load_grades()
    await demo.load_compliance()


LABOR_INSPECTION = Area(
    name="labor_inspection",
    path="/labor-inspection",
    handlers=[*controllers.ROUTES, *grade_controllers.ROUTES, *compliance_controllers.ROUTES],
    guards=[employer_guard],
    agent_right=AgentRight("labor_inspection", "劳动保障监察"),  # ACC-8: an agent acts only with this service
    title="劳动保障监察",
    home="ins_home",
    menu=(("网上书审申报", "ins_home"), ("网上书审办事进度查询", "ins_progress"),
          ("信用等级申报", "ins_grade"), ("信用等级申报办件进度查询", "ins_grade_progress"),
          ("信用等级申诉", "ins_grade_appeals"), ("信用等级申诉结果查询", "ins_grade_appeal_results"),
          ("合规证明登记", "ins_cert_apply"), ("合规证明办事进度查询", "ins_cert_progress")),
    nav=[NavItem("劳动保障监察", "ins_home", "employer", order=45,
                 description="网上书审申报、信用等级申报与申诉、合规证明登记")],
    permissions=matters.PERMISSIONS,
    sheets=[sheets.STAFF],
    importers=[sheets.STAFF_IMPORT],
    matter_kinds=[matters.REVIEW, matters.GRADE, matters.COMPLIANCE],
    certificate_kinds={compliance.CERTIFICATE_KIND: compliance.TITLE},
    guides=(matters.REVIEW.code, matters.GRADE.code, matters.COMPLIANCE.code),
    demo=_demo,
    demo_order=40,  # after labour contracts and social insurance, whose records the cross-check reads
)

INS_STAFF = Area(
    name="ins_staff",
    path="/ins-admin",
    handlers=staff_controllers.ROUTES,
    guards=[staff_guard()],  # any staff member; each handler names its permission
    title="劳动保障监察",
    home="workbench",
)

AREAS = [LABOR_INSPECTION, INS_STAFF]
