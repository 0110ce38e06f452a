"""The 人员增减员 area (SPEC PC-1 … PC-7): employer pages under /personnel-change; staff review in the workbench."""

from __future__ import annotations

from domains.personnel_change import controllers, matters, reports, sheets
from portal.areas import Area, Service
from portal.auth.principal import AgentRight, employer_guard
from portal.web import NavItem


async def _demo() -> None:
    from domains.personnel_change import demo

    await demo.load()


PERSONNEL_CHANGE = Area(
    name="personnel_change",
    path="/personnel-change",
    handlers=controllers.ROUTES,
    guards=[employer_guard],
    # ACC-8: 人员增减员 is social-insurance business (参保登记): the same right as 社保查询.
    agent_right=AgentRight("social_insurance", "社会保险"),
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
    services=[
        Service("pc_enrol", "社会保险增员申报", "pc_enrol", "employer", "社会保险", kind=matters.ENROL.code, order=320,
                summary="新招用职工参加社会保险的增员申报", keywords="增员 参保 新进人员"),
        Service("pc_enrol_batch", "批量增员报盘", "pc_enrol_batch", "employer", "社会保险", kind=matters.ENROL.code,
                order=321, summary="下载模板，一次上传多名职工的增员", keywords="批量 导入 Excel 增员"),
        Service("pc_withdraw", "社会保险减员申报", "pc_withdraw", "employer", "社会保险", kind=matters.WITHDRAW.code,
                order=322, summary="职工离职等停止参保的减员申报", keywords="减员 停保 离职"),
        Service("pc_withdraw_batch", "批量减员报盘", "pc_withdraw_batch", "employer", "社会保险",
                kind=matters.WITHDRAW.code, order=323, summary="下载模板，一次上传多名职工的减员",
                keywords="批量 导入 Excel 减员"),
        Service("pc_reports", "增减员申报表打印", "pc_reports", "employer", "社会保险", order=324,
                summary="打印带验证码的增减员申报表", keywords="申报表 打印",
                guide="增减员审核通过后，可在此生成并打印增减员申报表（PDF，带验证码）。"),
    ],
    permissions=matters.PERMISSIONS,
    sheets=[sheets.ENROL, sheets.WITHDRAW],
    importers=[sheets.ENROL_IMPORT, sheets.WITHDRAW_IMPORT],
    certificate_kinds=reports.CERTIFICATE_KINDS,
    matter_kinds=[matters.ENROL, matters.WITHDRAW],
    guides=(matters.ENROL.code, matters.WITHDRAW.code),
    demo=_demo,
    demo_order=35,  # after social insurance, whose records the demo changes act on
)

AREAS = [PERSONNEL_CHANGE]
