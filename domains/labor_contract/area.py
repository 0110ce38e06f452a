"""The labour-contract area (劳动用工备案, SPEC LC-1…LC-8): everything the domain brings, declared once."""

from __future__ import annotations

from domains.labor_contract import controllers, grids, matters, privacy, rosters, sheets
from domains.labor_contract.pages import gate
from portal.areas import Area
from portal.auth.principal import employer_guard
from portal.web import NavItem


async def _demo() -> None:
    from domains.labor_contract import demo

    await demo.load()


LABOR_CONTRACT = Area(
    name="labor_contract",
    path="/labor-contract",
    handlers=controllers.ROUTES,
    guards=[employer_guard],
    gate=gate,  # LC-1: nothing of the area before the employer's first filing is approved
    title="劳动用工备案",
    home="lc_home",
    menu_label="用工备案管理",
    guides=(matters.CONTRACT_KIND,),
    menu=(
        ("单位基本信息", "employer_filing"),
        ("劳动合同综合查询", "lc_query"),
        ("劳动合同新订备案", "lc_new"),
        ("劳动合同续订备案", "lc_renew_list"),
        ("劳动合同解除(终止)备案", "lc_terminate_list"),
        ("合同新订(续订)备案批量", "lc_batch_new_renew"),
        ("合同解除(终止)备案批量", "lc_batch_terminate"),
        ("劳动合同申报作废", "lc_void_list"),
        ("已办业务名册查询", "lc_rosters"),
        ("实时名册打印", "lc_roster_pick"),
    ),
    nav=[
        NavItem("劳动用工备案", "lc_home", "employer", order=30,
                description="劳动合同新订、续订、解除(终止)备案，批量备案，名册打印"),
    ],
    permissions=matters.PERMISSIONS,
    matter_kinds=[matters.CONTRACT_FILING],
    sheets=[sheets.NEW_RENEW, sheets.TERMINATE],
    importers=[sheets.NEW_RENEW_IMPORT, sheets.TERMINATE_IMPORT],
    grids=[grids.QUERY, grids.RENEWABLE, grids.TERMINABLE],
    certificate_kinds=rosters.CERTIFICATE_KINDS,
    reveals=privacy.REVEALS,
    # Stored 名册 PDFs hold whole ID numbers: among staff only LC reviewers (in the roster's division) open them.
    document_kinds={"roster": matters.REVIEW_PERMISSION},
    demo=_demo,
    demo_order=10,  # first: it creates the demo employers the network's demo agent is authorised for
)

AREAS = [LABOR_CONTRACT]
