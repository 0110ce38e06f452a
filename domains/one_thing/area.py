"""The 一件事一次办 area (issue #18): employer pages under /one-thing, for accounts holding BOTH rights it files."""

from __future__ import annotations

from domains.one_thing import controllers
from portal.areas import Area, Service
from portal.auth.principal import AgentRight, agent_right_guard, employer_guard
from portal.web import NavItem


async def _demo() -> None:
    from domains.one_thing import demo

    await demo.load()


# ACC-8: one application files labour-contract business and social-insurance business, so an agent needs both
# rights: the area's own (劳动合同备案) and, as a second guard, 社会保险 (the codes of those areas: shared rights).
SOCIAL_INSURANCE = AgentRight("social_insurance", "社会保险")

_HIRE_GUIDE = (
    "职工入职时一次办理劳动合同新订备案和社会保险增员：输入身份证号查询后，在同一张表中填写职工信息、劳动合同和参保信息，"
    "核对后提交。两件事分别由单位的劳动用工备案审核机构和所属辖区社保经办机构审核，任何一件不符合规定时都不会提交；"
    "进度、审核意见在同一页面查看。参保开始结算期应为合同起始日期所在月份或次月（社会保险法第五十八条：自用工之日起三十日内办理）。"
    "经办人须同时获得“劳动合同备案”和“社会保险”两项授权。"
)
_LEAVE_GUIDE = (
    "职工离职时一次办理劳动合同解除(终止)备案和社会保险减员：输入身份证号查询本单位在职的劳动合同，填写解除(终止)信息和减员信息，"
    "核对后提交，两件事分别审核。解除(终止)备案审核通过后，在进度页面生成并打印解除(终止)证明书（带验证码）。"
    "减员结算期应为解除(终止)时间所在月份或次月。经办人须同时获得“劳动合同备案”和“社会保险”两项授权。"
)

ONE_THING = Area(
    name="one_thing",
    path="/one-thing",
    handlers=controllers.ROUTES,
    guards=[employer_guard, agent_right_guard(SOCIAL_INSURANCE)],
    agent_right=AgentRight("labor_contract", "劳动合同备案"),
    gate=controllers.gate,  # LC-1: as the labour-contract area, nothing before the first filing is approved
    title="一件事一次办",
    home="ot_home",
    menu=(("员工录用一件事", "ot_hire"), ("员工离职一件事", "ot_leave"), ("我的一件事", "ot_home")),
    nav=[
        NavItem(
            "一件事一次办",
            "ot_home",
            "employer",
            order=29,
            description="员工录用、员工离职：劳动合同备案与社保增减员一次办",
        )
    ],
    services=[
        Service(
            "ot_hire",
            "员工录用一件事",
            "ot_hire",
            "employer",
            "一件事一次办",
            order=90,
            guide=_HIRE_GUIDE,
            summary="劳动合同新订备案 + 社会保险增员，一次填写、一次提交",
            keywords="入职 招用 新员工 录用 新订 增员 参保 一件事",
        ),
        Service(
            "ot_leave",
            "员工离职一件事",
            "ot_leave",
            "employer",
            "一件事一次办",
            order=91,
            guide=_LEAVE_GUIDE,
            summary="劳动合同解除(终止)备案 + 社会保险减员 + 解除(终止)证明书",
            keywords="离职 辞职 解除 终止 减员 停保 证明书 一件事",
        ),
    ],
    demo=_demo,
    demo_order=36,  # after labour contracts (10) and personnel changes (35), whose services it files through
)

AREAS = [ONE_THING]
