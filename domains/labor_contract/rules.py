"""Pure rules of labour-contract filing (吉林 操作指南, 劳动合同法): no I/O, each returns a Chinese reason or None."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from portal.validators import id_birth_date, id_gender, id_number_error

# The 办件 kind of a contract filing, declared in matters.py; service.py files under it without importing matters.
CONTRACT_KIND = "lc_contract"

STATE_LABELS = {"new": "新订", "renew": "续订", "terminate": "解除(终止)", "void": "作废"}
REVIEW_LABELS = {"pending": "未审核", "approved": "审核通过", "rejected": "审核不通过", "returned": "退回补正"}
CORRECTABLE = ("rejected", "returned")  # the employer changes the filing and sends it again
ROSTER_KIND_LABELS = {
    "new_roster": "新签备案名册",
    "renew_roster": "续签备案名册",
    "termination_certificate": "解除(终止)证明书",
    "termination_roster": "解除(终止)备案名册",
}
ROSTER_PREFIX = {"new_roster": "XQ", "renew_roster": "XD", "termination_certificate": "JZ", "termination_roster": "JM"}
# 使用合同模板: the bureau's model text (范本) is numbered, so a contract number is mandatory with it.
TEMPLATE_LABELS = {"model": "劳动合同范本（备案试运行文本）", "own": "单位自拟文本"}

# Dictionary codes this domain relies on (seeds/reference/*.csv).
FIXED_TERM, OPEN_ENDED, TASK_BASED = "1", "2", "3"
PART_TIME = "02"  # 非全日制用工
MIN_WORKING_AGE = 16  # 劳动法 第十五条
MAX_NAME_LEN = 10  # the termination template: 10个汉字以内
_NAME = re.compile(rf"^[\u4e00-\u9fff·]{{1,{MAX_NAME_LEN}}}$")


@dataclass(frozen=True)
class PendingFiling:
    """An unreviewed filing of the same person somewhere (for the one-unreviewed-filing rule)."""

    employer_name: str
    employment_form_label: str
    state: str
    employer_id: int | None = None
    # At the employer asking: only then may the message name the employer and the filing.
    own: bool = False


def derive_from_id(id_number: str) -> tuple[str, date]:
    """Gender and birth date come from the 身份证号, never from the form."""
    return id_gender(id_number), id_birth_date(id_number)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def term_months(start: date, end: date) -> int:
    """Whole months from start to end (the day before the anniversary counts as a full period)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day + 1 < start.day:
        months -= 1
    return max(months, 0)


def max_probation_months(contract_type: str, employment_form: str, start: date | None, end: date | None) -> int:
    """劳动合同法 第十九、七十条: the longest probation the contract allows."""
    if employment_form == PART_TIME or contract_type == TASK_BASED:
        return 0
    if contract_type == OPEN_ENDED:
        return 6
    if start is None or end is None:
        return 0
    months = term_months(start, end)
    if months < 3:
        return 0
    if months < 12:
        return 1
    if months < 36:
        return 2
    return 6


def contract_field_errors(v: Mapping[str, Any]) -> dict[str, str]:
    """Rules across fields of a 新订/续订 filing; keys are form field names."""
    errors: dict[str, str] = {}
    ctype, start, end = v.get("contract_type"), v.get("start_date"), v.get("end_date")
    if ctype == FIXED_TERM:
        if end is None:
            errors["end_date"] = "固定期限劳动合同必须填写合同结束日期"
        elif start is not None and end <= start:
            errors["end_date"] = "合同结束日期应晚于合同起始日期"
    elif ctype == OPEN_ENDED and end is not None:
        errors["end_date"] = "无固定期限劳动合同不填写合同结束日期"
    elif ctype == TASK_BASED and end is not None and start is not None and end <= start:
        errors["end_date"] = "合同结束日期应晚于合同起始日期"
    # The probation limit needs both the contract type and the form (absent while either is invalid).
    if "end_date" not in errors and ctype and v.get("employment_form"):
        probation = v.get("probation_months") or 0
        limit = max_probation_months(ctype or "", v.get("employment_form") or "", start, end)
        if probation > limit:
            errors["probation_months"] = (
                "该合同不得约定试用期" if limit == 0 else f"该合同的试用期不得超过{limit}个月（劳动合同法第十九条）"
            )
    pay_day = v.get("pay_day")
    if pay_day is not None and not 1 <= pay_day <= 31:
        errors["pay_day"] = "发工资日期填写每月的几号，应为1到31之间的数字"
    if v.get("contract_template") == "model" and not v.get("contract_number"):
        errors["contract_number"] = "使用合同模板没有劳动合同号，请填写劳动合同编号"
    id_number = v.get("id_number")
    if start is not None and id_number and id_number_error(id_number) is None:
        if age_on(id_birth_date(id_number), start) < MIN_WORKING_AGE:
            errors["id_number"] = "劳动者在合同起始日期未满十六周岁，不得招用"
    return errors


def first_filing_refusal(filing_kind: str, has_contract_here: bool) -> str | None:
    """A worker's first filing with an employer must be 新订 (guide 1.1)."""
    if filing_kind != "new" and not has_contract_here:
        return "此人在本单位没有已完成的新订备案，首次备案必须以新订的形式进入"
    return None


def new_filing_refusal(employed_here: bool) -> str | None:
    if employed_here:
        return "此人在本单位已有在职的劳动合同，请办理续订或解除(终止)备案"
    return None


OTHER_EMPLOYER_PENDING = "此人在其他单位存在未审核的备案，待其审核完成后再办理"


def unreviewed_refusal(pending: Iterable[PendingFiling]) -> str | None:
    """At most one unreviewed filing per person across all employers (the guide's upload reason).

    The guide's wording names the employer; for a filing at another employer that would tell anyone who types
    an ID number where the person is being hired (issue #12 item 7), so only the fact is said.
    """
    pending = list(pending)
    for p in pending:
        if p.own:
            return (
                f"此人存在未审核的备案信息：此人在单位【{p.employer_name}】已存在{p.employment_form_label}"
                f"劳动合同{STATE_LABELS.get(p.state, p.state)}备案，尚未审核"
            )
    return OTHER_EMPLOYER_PENDING if pending else None


def blocking_pending(
    pending: Iterable[PendingFiling], filing_kind: str, employer_id: int | None
) -> list[PendingFiling]:
    """The unreviewed filings that stop this filing. Another employer's pending 新订 does not stop the current
    employer's 续订 or 解除(终止): the person may leave, and the old contract must still be ended or renewed
    (issue 14 §15); everything else still counts (the guide: 包括在其他单位)."""
    if filing_kind not in ("renew", "terminate") or employer_id is None:
        return list(pending)
    return [p for p in pending if not (p.state == "new" and p.employer_id is not None and p.employer_id != employer_id)]


def current_elsewhere_warning(employer_names: Iterable[str]) -> str | None:
    """A 新订 for someone whose contract with another employer is still current is allowed, with a warning."""
    if any(True for _ in employer_names):
        return ("此人在其他单位仍有在职的劳动合同备案。请确认其已与原单位解除(终止)劳动合同"
                "（劳动合同法第九十一条：招用与其他用人单位尚未解除劳动合同的劳动者，造成损失的应承担连带赔偿责任）")
    return None


# 续订: the renewal continues the renewed contract, so it starts the day after that one ends. A renewal signed
# late (a gap) is accepted for up to a month — the month 劳动合同法 第十条 and 实施条例 第五条 allow for putting a
# contract in writing; a later start is a new employment relationship, not a renewal.
RENEWAL_GAP_DAYS = 31


def renewal_start_error(previous_start: date | None, previous_end: date | None, start: date | None) -> str | None:
    """A 续订 starts after the contract it renews: from the day after its end, at most RENEWAL_GAP_DAYS later."""
    if start is None:
        return None
    if previous_end is None:  # an open-ended or task-based contract: after its start at least
        if previous_start is not None and start <= previous_start:
            return f"续订合同的起始日期应晚于原合同起始日期（{previous_start:%Y-%m-%d}）"
        return None
    first = previous_end + timedelta(days=1)
    if start < first:
        return f"续订合同的起始日期应为原合同结束日期（{previous_end:%Y-%m-%d}）的次日（{first:%Y-%m-%d}）或之后"
    if (start - first).days > RENEWAL_GAP_DAYS:
        return (f"续订合同应自原合同结束日期的次日（{first:%Y-%m-%d}）起计算，"
                f"最迟不超过其后{RENEWAL_GAP_DAYS}日；间隔更久请先解除(终止)原合同再办理新订")
    return None


def termination_earliest(start: date | None, previous_start: date | None, today: date) -> date | None:
    """The earliest 解除(终止)时间 of a contract. A renewal that has not started yet may be ended before its start
    (the worker leaves during the renewed contract): then the renewed contract's start is the bound (issue 14 §14)."""
    if start is not None and start > today and previous_start is not None:
        return min(start, previous_start)
    return start


def may_modify(c: Mapping[str, Any]) -> str | None:
    """LC-3: only a filing that was 审核不通过 may be changed (and resubmitted)."""
    if c["state"] == "void":
        return "已作废的备案不能修改"
    if c["review_state"] not in CORRECTABLE:
        return "只有审核状态为审核不通过或退回补正的备案才可以修改"
    return None


def _completed(c: Mapping[str, Any]) -> bool:
    return (
        c["state"] in ("new", "renew")
        and c["review_state"] == "approved"
        and bool(c["in_roster"])
        and bool(c["employed"])
    )


def may_renew(c: Mapping[str, Any]) -> str | None:
    """LC-4: a 新订 or 续订 contract, 审核通过, already in a roster, and still the current one."""
    if c["state"] not in ("new", "renew"):
        return "只有合同状态为新订或续订的合同才可以续订"
    if c["review_state"] != "approved":
        return "只有审核通过的合同才可以续订"
    if not c["in_roster"]:
        return "请先通过实时名册打印生成名册后再办理续订"
    if not c["employed"]:
        return "该合同已续订或已解除(终止)，不能再次续订"
    return None


def may_terminate(c: Mapping[str, Any]) -> str | None:
    """LC-5: only a completed 新订 or 续订 (审核通过 and in a roster) may be ended."""
    if not _completed(c):
        if c["state"] not in ("new", "renew"):
            return "只有合同状态为新订或续订的合同才可以解除(终止)"
        if c["review_state"] != "approved" or not c["in_roster"]:
            return "只有完成新订或续订流程（审核通过并已生成名册）的合同才可以解除(终止)"
        return "该合同已续订或已解除(终止)"
    return None


def may_void(c: Mapping[str, Any]) -> str | None:
    """LC-8: only 未审核 or 审核不通过 filings may be voided."""
    if c["state"] == "void":
        return "该备案已作废"
    if c["review_state"] not in ("pending", *CORRECTABLE):
        return "只有未审核、审核不通过和退回补正的备案可以作废"
    return None


def termination_date_refusal(contract_start: date | None, ended: date, today: date) -> str | None:
    if contract_start is not None and ended < contract_start:
        return "解除(终止)时间不能早于合同起始日期"
    if (ended - today).days > 31:
        return "解除(终止)时间不能晚于当前日期一个月以上"
    return None


def worker_name_error(name: str) -> str | None:
    """The termination template: 姓名 10个汉字以内."""
    if not name:
        return "请填写姓名"
    if not _NAME.fullmatch(name):
        return "姓名应为10个汉字以内"
    return None


def roster_refusal(kind: str, c: Mapping[str, Any], on_kinds: set[str]) -> str | None:
    """LC-9: which approved filings may go on which roster; `on_kinds` are the roster kinds it is already on."""
    name = c.get("worker_name", "")
    if c["review_state"] != "approved":
        return f"{name}：只有审核通过的备案才能生成名册"
    wanted = {"new_roster": "new", "renew_roster": "renew"}.get(kind, "terminate")
    if c["state"] != wanted:
        return f"{name}：{ROSTER_KIND_LABELS[kind]}只能选择合同状态为{STATE_LABELS[wanted]}的备案"
    if kind in on_kinds:
        return f"{name}：已生成过{ROSTER_KIND_LABELS[kind]}"
    return None


def approval_updates(c: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Field updates when staff approve a filing: (this filing, the filing it renews or ends)."""
    if c["state"] == "terminate":
        return {"review_state": "approved", "employed": False}, {"employed": False}
    return {"review_state": "approved", "employed": True}, {"employed": False}


def worker_notice(contract: Mapping[str, Any], employer_name: str) -> tuple[str, str]:
    """(title, text) of the message telling the worker that an employer's filing for them is on record."""
    kind = contract["filing_kind"]
    label = STATE_LABELS.get(kind, kind)
    if kind == "terminate":
        ended = contract.get("termination_date")
        detail = f"解除(终止)日期{ended.isoformat()}" if ended else ""
    else:
        start, end = contract.get("start_date"), contract.get("end_date")
        detail = (f"合同期限{start.isoformat()}至{end.isoformat()}" if start and end
                  else f"合同期限自{start.isoformat()}起，无固定期限" if start else "")
    text = f"{employer_name}为您办理的劳动合同{label}备案已审核通过" + (f"，{detail}" if detail else "") + "。"
    return f"劳动合同{label}备案", text + "如与事实不符，请与用人单位或劳动保障部门联系。"


def roster_number(kind: str, day: date, sequence: int) -> str:
    return f"{ROSTER_PREFIX[kind]}{day:%Y%m%d}{sequence:04d}"
