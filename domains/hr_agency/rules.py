"""Pure rules of the agency domain (no database): tested table-driven in tests/hr_agency/test_rules.py."""

from __future__ import annotations

from datetime import date, timedelta

# The agency record as the application states it (统一社会信用代码 comes from the signed-in account).
RECORD_KEYS = ("name", "legal_rep", "address", "division_code", "agency_type", "contact_name", "contact_phone")

# Provincial practice: a 人力资源服务许可证 is valid five years (the 条例 leaves the term to the provinces).
LICENCE_YEARS = 5


def issuing_division(division_code: str) -> str:
    """The county-level division that issues the number: the first six digits of the agency's division."""
    return (division_code or "000000")[:6].ljust(6, "0")


def licence_valid_until(issued_on: date) -> date:
    try:
        end = issued_on.replace(year=issued_on.year + LICENCE_YEARS)
    except ValueError:  # 29 February
        end = issued_on.replace(year=issued_on.year + LICENCE_YEARS, day=28)
    return end - timedelta(days=1)


def services_refusal(kind: str, services: list[str], licensed: set[str], all_codes: set[str]) -> str | None:
    """行政许可 covers 职业中介 services only; 业务备案 the others (条例 第18、26条)."""
    if not services:
        return "请至少选择一项服务事项"
    if set(services) - all_codes:
        return "服务事项不在可选范围内"
    if kind == "hra_licence" and set(services) - licensed:
        return "行政许可只能申请职业中介活动事项，其他服务事项请办理业务备案"
    if kind == "hra_filing" and set(services) & licensed:
        return "职业中介活动事项须申请行政许可，不能备案"
    return None


def open_application_refusal(open_kinds: list[str], kind: str) -> str | None:
    if kind in open_kinds:
        return "已有一件同类申请正在办理中，请在“我的办件”中查看，办结后再申请"
    return None


# A first application whose USCC already has a record that staff entered (机构管理) or imported (历史数据采集): a
# second record would split the agency's licences and history, so the bureau links the record to the account.
# The record may also be one the bureau unlinked from this account (解除关联): the bureau is asked either way.
RECORD_EXISTS = ("本单位的统一社会信用代码在人社部门已有人力资源服务机构记录（由人社部门录入、历史数据导入，或已解除与本单位账号的"
                 "关联），不能重复申请。请联系所在地人社部门核实，将该机构记录关联到本单位账号；已取得的许可或备案需要变更的，"
                 "关联后办理“事项变更”。")


# 关联单位账号 (机构管理): a record without an account is linked to the registered account of its own USCC.
LINK_FIELD = "employer"


def link_refusal(*, deleted: bool, linked: bool, account_found: bool, account_has_agency: bool) -> str | None:
    """Why 机构管理 may not link this record to the account of its USCC; one account is one agency (agency_of)."""
    if deleted:
        return "该机构已被删除，不能关联单位账号"
    if linked:
        return "该机构已关联单位账号，无需再次关联"
    if not account_found:
        return ("没有统一社会信用代码与该机构相同的单位账号。请该单位先以法人身份登录本网站（首次登录即注册单位账号），"
                "再办理关联")
    if account_has_agency:
        return "该单位账号已有人力资源服务机构记录，一个单位账号只能对应一个机构，不能再关联"
    return None


def unlink_refusal(*, deleted: bool, linked: bool, in_progress: int) -> str | None:
    """Why 机构管理 may not unlink this record from its account: an application under way (`in_progress` matters not
    ended, drafts included) is the account's and would be decided for a record it no longer holds."""
    if deleted:
        return "该机构已被删除，不能解除关联"
    if not linked:
        return "该机构未关联单位账号，无需解除关联"
    if in_progress:
        return (f"该单位账号还有{in_progress}件未办结的人力资源服务机构办件（含未提交的草稿），"
                "须办结或由单位撤回后才能解除关联")
    return None


def licence_refusal(has_valid_licence: bool) -> str | None:
    return "本机构已取得有效的人力资源服务许可，如需变更请办理事项变更" if has_valid_licence else None


FIELD_LABELS = {"name": "机构名称", "legal_rep": "法定代表人", "address": "办公地址", "division_code": "所在地区",
                "agency_type": "机构类型", "contact_name": "联系人", "contact_phone": "联系电话"}


def record_changes(current: dict, proposed: dict) -> dict[str, list[str]]:
    """{field: [before, after]} for every record field the change application alters."""
    return {k: [str(current.get(k) or ""), str(proposed[k])] for k in RECORD_KEYS
            if k in proposed and str(current.get(k) or "") != str(proposed[k])}


def changes_label(changes: dict[str, list[str]], labels: dict[str, dict[str, str]] | None = None) -> str:
    """"机构名称：旧 → 新；…" with coded fields (地区, 机构类型) shown by their labels."""
    labels = labels or {}
    parts = []
    for key, (before, after) in changes.items():
        names = labels.get(key, {})
        parts.append(f"{FIELD_LABELS.get(key, key)}：{names.get(before, before) or '（空）'} → {names.get(after, after)}")
    return "；".join(parts)


# 事项变更 其他: the services of a licence (许可事项) or a filing (备案事项), keyed by target "licence:ID" / "filing:ID".
SERVICE_FIELDS = {"licence": ("licence_services", "许可事项"), "filing": ("filing_services", "备案事项")}
FIELD_LABELS.update({field: label for field, label in SERVICE_FIELDS.values()})
FIELD_LABELS[LINK_FIELD] = "关联单位账号"  # the history row of a link


def service_changes(current: dict[str, list[str]], proposed: dict[str, list[str]]) -> dict[str, list[list[str]]]:
    """{target: [before, after]} for every registration whose set of services the application alters; a target
    the agency does not hold (validly) is ignored."""
    return {t: [list(current[t]), list(after)] for t, after in proposed.items()
            if t in current and set(current[t]) != set(after)}


def services_change_label(changes: dict[str, list[list[str]]], numbers: dict[str, str],
                          labels: dict[str, str]) -> str:
    """"许可事项（编号）：甲、乙 → 甲、丙；…"."""
    def names(codes: list[str]) -> str:
        return "、".join(labels.get(c, c) for c in codes) or "（空）"

    return "；".join(f"{SERVICE_FIELDS[t.partition(':')[0]][1]}（{numbers.get(t, t)}）：{names(b)} → {names(a)}"
                    for t, (b, a) in changes.items())
