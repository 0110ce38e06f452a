"""The 办件 kinds of human-resources service agencies (HRA-1…HRA-6): the platform's accept-then-approve shape,
relabelled with the manual's own outcome names. 受理岗 (hra.accept) and 审核岗 (hra.approve) are separate
permissions; the engine's stage check keeps one person from doing both stages of a matter."""

from __future__ import annotations

from dataclasses import replace

from domains.hr_agency import effects
from portal.workflow.kinds import MaterialSpec, MatterKind, accept_approve_flow, register_kind

ACCEPT = "hra.accept"
APPROVE = "hra.approve"
MANAGE = "hra.manage"

PERMISSIONS = {
    ACCEPT: "人力资源服务机构 受理岗（行政许可、业务备案、变更、分支机构、注销的受理）",
    APPROVE: "人力资源服务机构 审核岗（行政许可审批、业务备案核查、变更/分支机构/注销审批）",
    MANAGE: "人力资源服务机构 管理（许可/备案查看、注销许可、机构管理、年度报告、招聘会、统计）",
}

# 受理 stage, the same for every kind in the manual: 受理 → 待审核; 退回 (editable); 不通过 (closed).
_ACCEPT_STATES = {"submitted": "待受理", "accepted": "待审核", "returned": "退回", "refused": "不通过"}
_ACCEPT_TRANSITIONS = {"accept": "受理", "return": "退回", "refuse": "不通过", "resubmit": "修改后重新提交"}
_OPINIONS = {"return": "退回原因", "refuse": "不通过原因"}


def _manual_kind(code: str, name: str, *, approve: tuple[str, str], deny: tuple[str, str], **options) -> MatterKind:
    """approve/deny: (button label, resulting state label), e.g. ("准予许可", "通过")."""
    kind = accept_approve_flow(code, name, accept_permission=ACCEPT, approve_permission=APPROVE,
                               approve_label=approve[0], deny_label=deny[0], **options)
    states = {**_ACCEPT_STATES, "approved": approve[1], "denied": deny[1]}
    transitions = {**_ACCEPT_TRANSITIONS, "approve": approve[0], "deny": deny[0]}
    return replace(
        kind,
        states=tuple(replace(s, label=states.get(s.code, s.label)) for s in kind.states),
        transitions=tuple(
            replace(t, label=transitions.get(t.name, t.label),
                    opinion_label=_OPINIONS.get(t.name, f"{deny[0]}理由" if t.name == "deny" else t.opinion_label))
            for t in kind.transitions
        ),
    )


AGENCY_LABELS = (
    ("name", "机构名称"), ("uscc", "统一社会信用代码"), ("legal_rep", "法定代表人"), ("address", "办公地址"),
    ("division_label", "所在地区"), ("agency_type_label", "机构类型"), ("contact_name", "联系人"),
    ("contact_phone", "联系电话"), ("services_label", "服务事项"),
)

_GUIDE = "依据《人力资源市场暂行条例》（2018）：{}。受理岗受理后提交审核岗审核；退回的申请修改后重新提交，不通过的申请结束，须重新申请。"

LICENCE = register_kind(_manual_kind(
    "hra_licence", "人力资源服务许可（行政许可）", approve=("准予许可", "通过"), deny=("不予许可", "不通过"),
    approve_effect=effects.licence_approved, number_code="HRL", legal_days=20, promised_days=10,
    edit_route="hra_edit", payload_labels=AGENCY_LABELS,
    guide_text=_GUIDE.format("从事职业中介活动须取得人力资源服务许可；法定办结时限20个工作日，承诺10个工作日"),
    materials=(
        MaterialSpec("business_licence", "营业执照"),
        MaterialSpec("premises", "经营场所使用证明"),
        MaterialSpec("staff_qualification", "专职工作人员名单及资质证明"),
        MaterialSpec("rules", "服务规章制度", required=False),
    ),
))

FILING = register_kind(_manual_kind(
    "hra_filing", "人力资源服务业务备案", approve=("核查通过", "核查通过"), deny=("核查不通过", "核查不通过"),
    approve_effect=effects.filing_approved, number_code="HRB", legal_days=15, promised_days=5,
    edit_route="hra_edit", payload_labels=AGENCY_LABELS,
    guide_text=_GUIDE.format("开展职业中介以外的人力资源服务，应自开展业务之日起15日内备案；承诺5个工作日"),
    materials=(MaterialSpec("business_licence", "营业执照"),),
))

CHANGE = register_kind(_manual_kind(
    "hra_change", "人力资源服务机构事项变更", approve=("准予变更", "审核通过"), deny=("不予变更", "审核不通过"),
    approve_effect=effects.change_approved, number_code="HRC", legal_days=20, promised_days=10,
    edit_route="hra_change_edit", payload_labels=(("agency_name", "机构名称"), ("changes_label", "变更内容"),
                                                  ("reason", "变更原因")),
    guide_text=_GUIDE.format("机构名称、法定代表人、办公地址及其他事项（机构类型、许可事项、备案事项）变更的，应自变更之日起15日内"
                           "申请变更；准予变更后电子许可证、备案凭证换发"),
    materials=(MaterialSpec("change_proof", "变更证明材料（如变更后的营业执照）"),),
))

BRANCH = register_kind(_manual_kind(
    "hra_branch", "设立分支机构报告", approve=("审核通过", "审核通过"), deny=("审核不通过", "审核不通过"),
    approve_effect=effects.branch_approved, number_code="HRF", legal_days=20, promised_days=10,
    edit_route="hra_branch_edit",
    payload_labels=(("agency_name", "上级机构"), ("name", "分支机构名称"), ("address", "分支机构地址"),
                    ("division_label", "所在地区"), ("leader", "负责人")),
    guide_text=_GUIDE.format("设立分支机构的，应自工商登记办理完毕之日起15日内书面报告；审核通过后分支机构取得上级机构的许可和备案事项"),
    materials=(MaterialSpec("branch_licence", "分支机构营业执照"),),
))

CANCEL = register_kind(_manual_kind(
    "hra_cancel", "人力资源服务机构注销", approve=("通过", "已通过"), deny=("不通过", "不通过"),
    approve_effect=effects.cancel_approved, number_code="HRX", legal_days=20, promised_days=10,
    edit_route="hra_cancel_edit",
    payload_labels=(("agency_name", "机构名称"), ("target_label", "注销事项"), ("reason", "注销原因")),
    guide_text=_GUIDE.format("机构终止经营或不再从事人力资源服务的，申请注销行政许可或业务备案"),
    materials=(MaterialSpec("cancel_request", "注销申请书"),),
))

KINDS = [LICENCE, FILING, CHANGE, BRANCH, CANCEL]
KIND_CODES = frozenset(k.code for k in KINDS)
