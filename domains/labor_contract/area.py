"""The labour-contract area (劳动用工备案, SPEC LC-1…LC-8): everything the domain brings, declared once."""

from __future__ import annotations

from domains.labor_contract import controllers, grids, matters, privacy, rosters, sheets
from domains.labor_contract.pages import gate
from portal.areas import Area, Service
from portal.auth.principal import AgentRight, employer_guard
from portal.web import NavItem


async def _demo() -> None:
    from domains.labor_contract import demo

    await demo.load()


LABOR_CONTRACT = Area(
    name="labor_contract",
    path="/labor-contract",
    handlers=controllers.ROUTES,
    guards=[employer_guard],
    agent_right=AgentRight("labor_contract", "劳动合同备案"),  # ACC-8
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
    services=[Service(code, name, route, "employer", "劳动关系", summary=summary, kind=matters.CONTRACT_KIND, guide=guide,
                      keywords=keywords, order=order) for order, (code, name, route, summary, guide, keywords) in enumerate((
        ("lc_new", "劳动合同新订备案", "lc_new", "与劳动者订立劳动合同后办理新订（新签）备案",
         "劳动者第一次进入劳动用工备案系统，一定要以新签（新订）的形式进入。填写职工和合同信息后提交，送审机构审核通过后，"
         "通过实时名册打印生成新签备案名册。", "新签 劳动合同备案 用工备案"),
        ("lc_renew", "劳动合同续订备案", "lc_renew_list", "续订（续签）已备案的劳动合同",
         "必须是新签审核通过并且生成过新签备案名册的合同才能续订。查询合同状态为新订或续订、审核通过、已生成名册的合同，"
         "选中后续订。", "续签"),
        ("lc_terminate", "劳动合同解除(终止)备案", "lc_terminate_list", "解除或终止劳动合同后办理备案，生成解除(终止)证明书",
         "必须完成过新签流程或续签流程的合同才能解除(终止)。审核通过后，通过实时名册打印生成解除(终止)证明书和备案名册。",
         "解除 终止 离职 证明书"),
        ("lc_batch_new_renew", "合同新订(续订)备案批量", "lc_batch_new_renew", "下载模板，一次上传多名职工的新订或续订备案",
         "先下载模板，新签和续签最好分两个模板分别上传；未通过校验的行可下载失败数据，修改后重新上传。",
         "批量 导入 Excel 模板"),
        ("lc_batch_terminate", "合同解除(终止)备案批量", "lc_batch_terminate", "下载模板，一次上传多名职工的解除(终止)备案",
         "先下载模板，每行填写一名职工的解除(终止)时间和原因；只有完成过新订或续订流程的合同才能解除(终止)。",
         "批量 导入 Excel 模板 离职"),
        ("lc_query", "劳动合同综合查询", "lc_query", "按职工、合同状态、审核状态等条件查询本单位的劳动合同备案，导出Excel",
         "", "查询 导出"),
        ("lc_void", "劳动合同申报作废", "lc_void_list", "作废尚未审核的备案申报", "选中未审核的备案数据，点击作废即可。", "撤销"),
        ("lc_roster_pick", "实时名册打印", "lc_roster_pick", "审核通过的备案生成新签、续签、解除(终止)备案名册和证明书",
         "所有审核通过的信息都需要通过实时名册打印生成名册：查出审核通过的备案，勾选后生成对应的名册。", "名册 打印 证明书"),
        ("lc_rosters", "已办业务名册查询", "lc_rosters", "查询、下载已生成的备案名册", "生成并保存名册后，可在此查询和下载。",
         "名册 下载"),
    ), start=100)],
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
