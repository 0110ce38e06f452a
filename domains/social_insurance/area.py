"""The social-insurance areas (社保查询, SPEC SI-1 … SI-7): staff 核定, employer and person queries, declared once."""

from __future__ import annotations

from domains.social_insurance import (
    controllers,
    grids,
    person_controllers,
    reference_controllers,
    service,
    sheets,
    staff_controllers,
    year_end_controllers,
)
from domains.social_insurance.pages import this_period
from portal.areas import Area, Service
from portal.auth.principal import AgentRight, employer_guard, person_guard, staff_guard
from portal.dataservices.grid import GridSource
from portal.web import NavItem


async def _demo() -> None:
    from domains.social_insurance import demo

    await demo.load()


SI_STAFF = Area(
    name="si_staff",
    path="/si-admin",
    handlers=staff_controllers.ROUTES + reference_controllers.ROUTES + year_end_controllers.ROUTES,
    guards=[staff_guard()],  # any staff member; each handler names its permission
    title="社保经办",
    home="si_assess",
    menu=(("月度核定", "si_assess"), ("到账导入", "si_payments"), ("个人综合查询", "si_staff_persons"),
          ("单位综合查询", "si_staff_employers"), ("费率与基数", "si_reference"), ("养老账户年度结算", "si_year_end")),
    nav=[NavItem("社保月度核定", "si_assess", "staff", permission=service.ASSESS_PERMISSION, order=60),
         NavItem("社保综合查询", "si_staff_persons", "staff", permission=service.QUERY_PERMISSION, order=61),
         NavItem("社保费率与基数", "si_reference", "staff", permission=service.REFERENCE_PERMISSION, order=62),
         NavItem("养老账户年度结算", "si_year_end", "staff", permission=service.SETTLE_PERMISSION, order=63)],
    permissions=service.PERMISSIONS,
    sheets=[sheets.PAYMENTS],
    importers=[sheets.PAYMENTS_IMPORT],
    grids=[*grids.FEE_GRIDS.values(), GridSource("si_roster", lambda: grids.roster(this_period()))],
)

SOCIAL_INSURANCE = Area(
    name="social_insurance",
    path="/social-insurance",
    handlers=controllers.ROUTES,
    guards=[employer_guard],
    agent_right=AgentRight("social_insurance", "社会保险"),  # ACC-8
    title="社保查询",
    home="si_home",
    menu_label="社保查询",
    menu=(
        ("参保职工名单", "si_roster"),
        ("社保应付信息查询", "si_payable"),
        ("养老支付明细", "si_benefits_pension"),
        ("生育支付明细", "si_benefits_maternity"),
        ("工伤支付明细", "si_benefits_injury"),
        ("个人养老账户查询", "si_pension_accounts"),
        ("单位综合查询", "si_employer_overview"),
    ),
    nav=[NavItem("社保查询", "si_home", "employer", order=35,
                 description="参保职工名单、社保应付信息、待遇支付明细、个人养老账户、单位综合查询")],
    services=[Service(code, name, route, "employer", "社会保险", summary=summary, keywords=keywords, order=order)
              for order, (code, name, route, summary, keywords) in enumerate((
        ("si_roster", "参保职工名单查询", "si_roster", "查询本单位参保职工及其参保险种、缴费基数", "参保 职工 花名册"),
        ("si_payable", "社保应付信息查询", "si_payable", "按月查询本单位各险种应缴、实缴和欠缴金额", "缴费 欠费 核定"),
        ("si_benefits", "待遇支付明细查询", "si_benefits_pension", "查询本单位职工养老、生育、工伤待遇的支付明细",
         "养老金 生育津贴 工伤待遇"),
        ("si_pension_accounts", "职工养老账户查询", "si_pension_accounts", "查询本单位职工的个人养老账户累计", "个人账户"),
        ("si_employer_overview", "单位社保综合查询", "si_employer_overview", "本单位参保、缴费、待遇的综合情况", "综合"),
    ), start=300)],
    demo=_demo,
    demo_order=30,  # after the labour-contract demo, which creates the demo employers
)

SI_PERSON = Area(
    name="si_person",
    path="/person/insurance",
    handlers=person_controllers.ROUTES,
    guards=[person_guard],
    title="我的社保",
    home="si_my",
    menu=(("我的参保信息", "si_my"), ("缴费记录", "si_my_contributions"), ("我的养老账户", "si_my_pension"),
          ("参保证明", "si_my_certificate")),
    nav=[NavItem("我的社保", "si_my", "person", order=10, description="参保信息、缴费记录、养老账户、参保证明")],
    services=[Service(code, name, route, "person", "社会保险", summary=summary, keywords=keywords, order=order)
              for order, (code, name, route, summary, keywords) in enumerate((
        ("si_my", "个人参保信息查询", "si_my", "查询本人参保单位、险种和参保状态", "参保 社保"),
        ("si_my_contributions", "个人缴费记录查询", "si_my_contributions", "按年月查询本人的社会保险缴费记录", "缴费 社保"),
        ("si_my_pension", "个人养老账户查询", "si_my_pension", "查询本人养老保险个人账户的累计储存额", "养老 个人账户"),
        ("si_my_certificate", "参保证明打印", "si_my_certificate", "开具带验证码的社会保险参保证明（PDF）",
         "参保证明 打印 开具 社保证明"),
    ), start=300)],
    certificate_kinds={person_controllers.CERTIFICATE_KIND: "社会保险参保证明"},
)

AREAS = [SOCIAL_INSURANCE, SI_PERSON, SI_STAFF]
