"""The 人员增减员 area (SPEC PC-1 … PC-7): employer pages under /personnel-change; staff review in the workbench."""

from __future__ import annotations

from domains.personnel_change import controllers, matters, reports, sheets
from portal.areas import Area
from portal.auth.principal import employer_guard
from portal.web import NavItem


async def _demo() -> None:
    from domains.personnel_change import demo

    await demo.load()


PERSONNEL_CHANGE = Area(
    name="personnel_change",
    path="/personnel-change",
    handlers=controllers.ROUTES,
    guards=[employer_guard],
    title="人员增减员",
    home="pc_home",
    menu_label="人员异动管理",
    menu=(
        ("增员申报", "pc_enrol"),
        ("批量增员报盘", "pc_enrol_batch"),
        ("增员确认", "pc_enrol_confirm"),
        ("减员申报", "pc_withdraw"),
        ("批量减员报盘", "pc_withdraw_batch"),
        ("减员确认", "pc_withdraw_confirm"),
        ("增减员申报表打印", "pc_reports"),
    ),
    nav=[NavItem("人员增减员", "pc_home", "employer", order=36,
                 description="增员申报、减员申报、批量报盘、增减员确认、申报表打印")],
    permissions=matters.PERMISSIONS,
    sheets=[sheets.ENROL, sheets.WITHDRAW],
    certificate_kinds=reports.CERTIFICATE_KINDS,
    matter_kinds=[matters.ENROL, matters.WITHDRAW],
    guides=(matters.ENROL.code, matters.WITHDRAW.code),
    demo=_demo,
    demo_order=35,  # after social insurance, whose records the demo changes act on
)

AREAS = [PERSONNEL_CHANGE]
