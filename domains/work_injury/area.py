"""The work-injury areas (工伤, SPEC WI-1 … WI-3), declared once: the employer side, the reviewers' side and a
person's own 工伤保险单位证明."""

from __future__ import annotations

from domains.work_injury import controllers, grids, matters, proof, staff_controllers
from portal.areas import Area
from portal.auth.principal import AgentRight, employer_guard, person_guard, staff_guard
from portal.web import NavItem


async def _demo() -> None:
    from domains.work_injury import demo

    await demo.load()


WORK_INJURY = Area(
    name="work_injury",
    path="/work-injury",
    handlers=controllers.ROUTES,
    guards=[employer_guard],
    agent_right=AgentRight("work_injury", "工伤保险"),  # ACC-8: an agent needs this service named
    title="工伤",
    home="wi_home",
    menu=(("工伤快报", "wi_report"), ("快报确认", "wi_confirm"), ("工伤保险单位证明", "wi_proof")),
    nav=[NavItem("工伤", "wi_home", "employer", order=40, description="工伤快报、快报确认、工伤保险单位证明打印")],
    permissions=matters.PERMISSIONS,
    matter_kinds=matters.KINDS,
    grids=[grids.REPORTS],  # exports over the inline limit run as jobs that find the grid by name
    certificate_kinds={proof.CERTIFICATE_KIND: proof.TITLE},
    guides=(matters.QUICK_REPORT.code,),
    demo=_demo,
    demo_order=32,  # after social insurance (its insured persons), before personnel changes end some records
)

WI_STAFF = Area(
    name="wi_staff",
    path="/wi-admin",
    handlers=staff_controllers.ROUTES,
    guards=[staff_guard()],  # any staff member; each handler names its permission
    title="工伤经办",
    home="wi_queue",
    grids=[grids.QUEUE],
    menu=(("工伤快报审核", "wi_queue"), ("工伤保险单位证明", "wi_staff_proof"), ("办件工作台", "workbench")),
    nav=[NavItem("工伤快报审核", "wi_queue", "staff", permission=matters.REVIEW, order=62,
                 description="辖区内待审核的工伤快报，临近30日工伤认定申请期限的标出"),
         NavItem("工伤保险单位证明", "wi_staff_proof", "staff", permission=matters.QUERY, order=63)],
)

WI_PERSON = Area(
    name="wi_person",
    path="/person/work-injury",
    handlers=proof.routes("wi_person_proof"),  # the person's own: service.find_subject checks it is them
    guards=[person_guard],
    title="我的工伤保险",
    home="wi_person_proof",
    menu=(("工伤保险证明", "wi_person_proof"),),
    nav=[NavItem("工伤保险证明", "wi_person_proof", "person", order=12, description="打印本人的工伤保险单位证明")],
)

AREAS = [WORK_INJURY, WI_STAFF, WI_PERSON]
