"""Declared query grids of the domain: 劳动合同综合查询 (LC-2) and the pick lists for 续订 and 解除(终止)."""

from __future__ import annotations

from domains.labor_contract import rules
from portal.auth.principal import Principal
from portal.dataservices.grid import Column, Filter, Grid, Scope

BASE = "/labor-contract/contracts"

STATE_BADGES = {"new": ("新订", "info"), "renew": ("续订", "info"), "terminate": ("解除(终止)", "warning"),
                "void": ("作废", "neutral")}
REVIEW_BADGES = {"pending": ("未审核", "warning"), "approved": ("审核通过", "success"),
                 "rejected": ("审核不通过", "danger"), "returned": ("退回补正", "warning")}
YES_NO = "CASE WHEN {0} THEN '是' ELSE '否' END"


def _columns(*extra: Column) -> tuple[Column, ...]:
    return (
        Column("worker_name", "姓名", link=lambda r: f"{BASE}/{r['_id']}"),
        Column("id_number", "身份证号", kind="id_number"),
        Column("gender", "性别"),
        Column("employment_form", "用工形式", category="employment_form"),
        Column("contract_type", "合同类别", category="contract_type"),
        Column("start_date", "合同起始日期", kind="date"),
        Column("end_date", "合同结束日期", kind="date"),
        Column("state", "合同状态", kind="badge", badges=STATE_BADGES),
        Column("review_state", "审核状态", kind="badge", badges=REVIEW_BADGES),
        Column("in_roster", "是否生成名册", sql=YES_NO.format("in_roster")),
        Column("employed", "是否在职", sql=YES_NO.format("employed")),
        Column("created_at", "经办时间", kind="datetime", sortable=True),
        *extra,
    )


FILTERS = (
    Filter("state", "合同状态", kind="choice", choices=tuple(rules.STATE_LABELS.items())),
    Filter("review_state", "审核状态", kind="choice", choices=tuple(rules.REVIEW_LABELS.items())),
    Filter("in_roster", "是否生成名册", kind="bool"),
    Filter("employed", "是否在职", kind="bool"),
    Filter("id_number", "身份证号", kind="exact", normalise=True),
    Filter("worker_name", "姓名", kind="contains"),
)

QUERY = Grid(
    name="lc_contracts", title="劳动合同综合查询", source="contract", columns=_columns(), filters=FILTERS,
    default_sort="-created_at", empty_text="没有符合条件的备案信息",
)

RENEWABLE = Grid(
    name="lc_renewable", title="可续订的劳动合同", source="contract",
    columns=_columns(Column("renew", "操作", kind="link", sql="'续订'", export=False,
                            link=lambda r: f"{BASE}/{r['_id']}/renew")),
    filters=FILTERS[4:], default_sort="-created_at", empty_text="没有可以续订的合同（须审核通过并已生成名册）",
)

TERMINABLE = Grid(
    name="lc_terminable", title="可解除(终止)的劳动合同", source="contract",
    columns=_columns(Column("terminate", "操作", kind="link", sql="'解除(终止)'", export=False,
                            link=lambda r: f"{BASE}/{r['_id']}/terminate")),
    filters=FILTERS[4:], default_sort="-created_at", empty_text="没有可以解除(终止)的合同（须完成新订或续订流程）",
)


def employer_scope(principal: Principal) -> Scope:
    """Every row of these grids belongs to the logged-in employer: the scope is part of the SQL."""
    return Scope("employer = {}", principal.employer_id)


def completed_scope(principal: Principal) -> Scope:
    """LC-4 / LC-5: 新订 or 续订, 审核通过, in a roster, still the current contract."""
    return Scope(
        "employer = {} AND state IN ('new', 'renew') AND review_state = 'approved' AND in_roster = {} AND employed = {}",
        principal.employer_id, True, True,
    )
