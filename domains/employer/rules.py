"""Pure rules of the employer domain: agent authorisation validity, the 信息完善 requirement, what a filing holds."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

# An authorisation longer than this is refused: the legal representative renews it instead.
MAX_AGENT_VALIDITY_DAYS = 3 * 365

# The record as the guide's 单位基本信息 page files it (EMP-2); 统一社会信用代码 is the account key and is not filed.
FILED_KEYS = (
    "name", "nature", "affiliation", "legal_rep", "economic_type", "industry", "division_code",
    "address", "contact_name", "contact_phone", "landline", "postcode", "agent_name", "agent_phone",
    "agent_id_number", "review_agency",
)

AGENT_STATUS_LABELS = {"pending": "待经办人确认", "active": "已生效", "revoked": "已撤销", "expired": "已过期"}


ALL_SERVICES = "*"


def parse_services(stored: str) -> frozenset[str] | None:
    """The services an authorisation names (ACC-8); None means every service (rows from before ACC-8)."""
    stored = (stored or "").strip()
    if stored == ALL_SERVICES:
        return None
    return frozenset(code for code in stored.split(",") if code)


def format_services(codes: list[str]) -> str:
    return ",".join(sorted(set(codes)))


def service_errors(chosen: list[str], offered: list[str]) -> dict[str, str]:
    """At least one service, each one the portal offers (a forged code is refused, not ignored)."""
    if not chosen:
        return {"services": "请至少选择一项授权业务"}
    if any(code not in offered for code in chosen):
        return {"services": "请从列表中选择授权业务"}
    return {}


def legal_rep_change_refusal(acting_role: str, current: dict[str, Any], submitted: dict[str, Any]) -> dict[str, str]:
    """Issue 14 §19: only the legal representative changes the 法定代表人 (name or ID number); an agent's filing
    must carry the record's values unchanged. Empty current values (a record not yet completed) are not a change."""
    if acting_role != "agent":
        return {}
    errors = {}
    for key, label in (("legal_rep", "法定代表人"), ("legal_rep_id_number", "法定代表人身份证号")):
        if key in submitted and current.get(key) and (submitted[key] or "") != current[key]:
            errors[key] = f"经办人不能变更{label}，须由法定代表人本人登录办理"
    return errors


def agent_status(row: dict[str, Any], today: date) -> str:
    """What the authorisation is today: pending, active, revoked or expired (expiry is computed, not stored)."""
    if row["status"] == "revoked":
        return "revoked"
    if row["valid_until"] < today:
        return "expired"
    return row["status"]


def agent_may_act(row: dict[str, Any] | None, today: date) -> bool:
    """An agent acts only with a confirmed authorisation inside its validity period."""
    return row is not None and agent_status(row, today) == "active" and row["valid_from"] <= today


def agent_starts_later(row: dict[str, Any] | None, today: date) -> bool:
    """A pending or confirmed authorisation whose period has not begun yet (the agent is told when it starts)."""
    return row is not None and agent_status(row, today) in {"pending", "active"} and row["valid_from"] > today


def not_started_message(row: dict[str, Any]) -> str:
    start = row["valid_from"]
    return f"您的经办人授权自{start.year}年{start.month}月{start.day}日起生效，请届时再登录。"


def agent_may_confirm(row: dict[str, Any] | None, today: date) -> bool:
    return row is not None and agent_status(row, today) == "pending"


def validity_errors(valid_from: date, valid_until: date, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if valid_from < today:
        errors["valid_from"] = "授权开始日期不能早于今天"
    if valid_until < valid_from:
        errors["valid_until"] = "授权截止日期不能早于开始日期"
    elif valid_until - valid_from > timedelta(days=MAX_AGENT_VALIDITY_DAYS):
        errors["valid_until"] = "授权期限最长3年"
    return errors


PROFILE_FIELDS = (
    "name", "nature", "uscc", "org_code", "affiliation", "legal_rep", "legal_rep_id_number", "economic_type",
    "industry", "division_code", "address", "contact_name", "contact_phone", "agent_name", "agent_id_number",
    "agent_phone", "review_agency",
)


# What 信息完善 saves: the fields above, and the guide's 单位固定电话 and 邮政编码, which came later (issue 14 §18):
# a record completed before them is not made incomplete by their absence.
PROFILE_SAVED = (*PROFILE_FIELDS, "landline", "postcode")


def profile_missing(row: dict[str, Any]) -> list[str]:
    """EMP-1 fields still empty; the record is complete when this is empty."""
    return [f for f in PROFILE_FIELDS if not str(row.get(f) or "").strip()]
