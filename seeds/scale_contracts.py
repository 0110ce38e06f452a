"""Contract filing chains (新订 → 续订 → 解除/终止) in every state, each with the matter (办件) that reviews it."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from domains.labor_contract import rules
from portal.validators import mask_id_number
from seeds.scale import NOW, TODAY

POSTS = (
    "销售代表",
    "收银员",
    "客房服务员",
    "厨师",
    "司机",
    "会计",
    "出纳",
    "行政专员",
    "软件工程师",
    "施工员",
    "保安员",
    "保洁员",
    "仓库管理员",
    "前台接待",
    "导游",
    "护士",
    "教师",
    "电工",
    "业务经理",
    "技术员",
)
REJECT_OPINIONS = (
    "合同期限填写有误，请核对后重新提交",
    "劳动合同编号缺失",
    "月工资低于海南省最低工资标准",
    "试用期约定不符合劳动合同法第十九条",
    "身份证复印件不清晰",
)
REVIEW_STATE_FOR_MATTER = {"pending": "submitted", "approved": "approved", "rejected": "rejected"}
# Kind codes and number codes as domains/labor_contract/matters.py registers them.
CONTRACT_KIND, CONTRACT_NUMBER_CODE = "lc_contract", "LC"
FILING_KIND, FILING_NUMBER_CODE = "lc_employer_filing", "EF"
STATE_LABEL = {"new": "新订", "renew": "续订", "terminate": "解除(终止)"}


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class ContractFactory:
    """Contract filing chains (新订 → 续订 … → 解除/终止) per worker, each filing with its reviewing matter."""

    def __init__(
        self,
        seed: int,
        employers: Sequence[tuple[int, str, str, str, str]],
        first_contract: int,
        first_matter: int,
    ) -> None:
        self.rng = random.Random(f"{seed}:contracts")
        self.employers = employers  # (id, name, division_code, address, review_agency)
        # Heavy-tailed sizes: most employers have a handful of staff, a few have thousands.
        size_rng = random.Random(f"{seed}:sizes")
        weights = [size_rng.paretovariate(1.2) for _ in employers]
        self.cum = list(_accumulate(weights))
        self.next_contract, self.next_matter = first_contract, first_matter
        self.terminate_reasons = [f"{i:02d}" for i in range(1, 13)]

    def for_person(self, person: dict[str, Any]) -> tuple[list[dict], list[dict]]:
        rng = self.rng
        if rng.random() < 0.15:
            return [], []
        employer = rng.choices(self.employers, cum_weights=self.cum)[0]
        adult = date(
            person["birth_date"].year + 18, person["birth_date"].month, min(person["birth_date"].day, 28)
        )
        earliest = max(adult, TODAY - timedelta(days=3650))
        if earliest >= TODAY - timedelta(days=30):
            return [], []
        start = earliest + timedelta(days=rng.randrange((TODAY - timedelta(days=30) - earliest).days))
        steps = rng.choices((1, 2, 3), weights=(55, 30, 15))[0]
        contracts, matters, previous = [], [], None
        for step in range(steps):
            last = step == steps - 1
            if step == 0:
                kind = "new"
            else:
                kind = "terminate" if last and rng.random() < 0.45 else "renew"
            if last:
                review = rng.choices(("approved", "pending", "rejected"), weights=(75, 15, 10))[0]
            else:
                review = "approved"
            c = self._filing(rng, person, employer, kind, review, start, previous)
            contracts.append(c)
            previous = c
            # A chain goes on only from an approved 新订/续订 whose term has already run out.
            if (
                kind == "terminate"
                or c["review_state"] != "approved"
                or c["end_date"] is None
                or c["end_date"] >= TODAY
            ):
                break
            start = c["end_date"] + timedelta(days=1)
        last = contracts[-1]
        if last["review_state"] != "approved" and rng.random() < 0.3:
            last["state"] = "void"
        # 是否在职: the newest approved 新订/续订, unless an approved 解除 followed it.
        for c in reversed(contracts):
            if c["review_state"] == "approved":
                c["employed"] = c["filing_kind"] != "terminate"
                break
        for c in contracts:
            matters.append(self._matter(c, employer))
            del c["submitted"]
        return contracts, matters

    def _filing(self, rng, person, employer, kind, review, start, previous) -> dict[str, Any]:
        cid = self.next_contract
        self.next_contract += 1
        if kind == "terminate":
            base = dict(previous)
            ended = min(
                TODAY - timedelta(days=1),
                (previous["end_date"] or TODAY)
                if rng.random() < 0.5
                else previous["start_date"] + timedelta(days=rng.randrange(30, 700)),
            )
            submitted = datetime.combine(
                max(ended, previous["start_date"]), datetime.min.time(), UTC
            ) + timedelta(hours=2)
            base.update(
                termination_date=max(ended, previous["start_date"]),
                termination_reason=rng.choice(self.terminate_reasons),
                compensation=rng.choice((None, rng.randrange(0, 6_000_000))),
            )
        else:
            ctype = rng.choices(("1", "2", "3"), weights=(82, 14, 4))[0]
            form = rng.choices(("01", "02", "03"), weights=(90, 4, 6))[0]
            years = rng.choice((1, 2, 3, 3, 5))
            end = _years_later(start, years) - timedelta(days=1) if ctype == "1" else None
            if ctype == "3":
                end = start + timedelta(days=rng.randrange(60, 500))
            # 劳动合同法 第十九条 caps the probation; the domain's own rule says by how much.
            probation = min(rng.choice((0, 1, 2, 3, 6)), rules.max_probation_months(ctype, form, start, end))
            template = "model" if rng.random() < 0.7 else "own"
            submitted = datetime.combine(
                max(start - timedelta(days=rng.randrange(0, 20)), start - timedelta(days=400)),
                datetime.min.time(),
                UTC,
            ) + timedelta(hours=rng.randrange(8, 18))
            submitted = min(submitted, NOW - timedelta(hours=1))
            base = {
                "employer": employer[0],
                "worker_name": person["name"],
                "id_number": person["id_number"],
                "gender": person["gender"],
                "birth_date": person["birth_date"],
                "employment_form": form,
                "contract_type": ctype,
                "contract_template": template,
                "contract_number": f"HN{start:%Y}{cid:09d}" if template == "model" else "",
                "start_date": start,
                "end_date": end,
                "probation_months": probation,
                "post": rng.choice(POSTS),
                "workplace": employer[3],
                "monthly_wage": rng.randrange(2010, 15000) * 100
                if form != "02"
                else rng.randrange(1000, 4000) * 100,
                "pay_day": rng.choice((5, 10, 15, 20, 25)),
                "work_hours_system": rng.choices("123", weights=(85, 10, 5))[0],
                "termination_date": None,
                "termination_reason": "",
                "compensation": None,
            }
        reviewed = submitted + timedelta(days=rng.randrange(1, 8), hours=rng.randrange(0, 6))
        if review == "pending" or reviewed > NOW:
            review, reviewed = "pending", None
        base.update(
            id=cid,
            filing_kind=kind,
            state=kind,
            review_state=review,
            review_opinion=rng.choice(REJECT_OPINIONS)
            if review == "rejected"
            else ("同意备案" if review == "approved" else ""),
            reviewed_at=reviewed,
            in_roster=review == "approved" and rng.random() < 0.8,
            employed=False,
            previous=previous["id"] if previous else None,
            created_at=submitted,
            updated_at=reviewed or submitted,
            submitted=submitted,
        )
        if previous is not None:
            previous["in_roster"] = True  # 续订 / 解除 require a completed, rostered filing before them
        base["matter_id"] = self.next_matter
        self.next_matter += 1
        return base

    def _matter(self, c: dict[str, Any], employer: tuple[int, str, str, str, str]) -> dict[str, Any]:
        mid = c["matter_id"]
        state = "voided" if c["state"] == "void" else REVIEW_STATE_FOR_MATTER[c["review_state"]]
        finished = (
            c["reviewed_at"] if state == "approved" else (c["updated_at"] if state == "voided" else None)
        )
        label = STATE_LABEL[c["filing_kind"]]
        payload = (
            f'{{"filing_kind": "{c["filing_kind"]}", "filing_kind_label": "{label}", '
            f'"worker_name": "{c["worker_name"]}", "id_number_masked": "{mask_id_number(c["id_number"])}", '
            f'"contract_number": "{c["contract_number"]}", "start_date": "{c["start_date"]}", '
            f'"contract_id": {c["id"]}}}'
        )
        return matter_row(
            mid,
            CONTRACT_KIND,
            CONTRACT_NUMBER_CODE,
            state,
            employer,
            c["submitted"],
            finished,
            c["updated_at"],
            f"{label}备案：{c['worker_name']}",
            payload,
        )


def matter_row(
    mid: int,
    kind: str,
    number_code: str,
    state: str,
    employer: tuple[int, str, str, str, str],
    submitted: datetime | None,
    finished: datetime | None,
    updated: datetime,
    title: str,
    payload: str,
) -> dict[str, Any]:
    """A Matter row as portal.workflow.engine writes it; the 7-digit sequence never meets the engine's 4-digit one."""
    created = submitted or updated
    return {
        "id": mid,
        "number": f"{employer[2]}-{created:%Y%m%d}-{number_code}-{mid:07d}",
        "kind": kind,
        "state": state,
        "version": 1 if state == "draft" else (2 if state == "submitted" else 3),
        "applicant_kind": "employer",
        "employer": employer[0],
        "applicant_name": employer[1],
        "acting_name": "经办人",
        "division_code": employer[2],
        "agency_code": employer[4],
        "title": title,
        "payload": payload,
        "result": "{}",
        "legal_deadline": (submitted + timedelta(days=21)).date() if submitted else None,
        "promised_deadline": (submitted + timedelta(days=7)).date() if submitted else None,
        "submitted_at": submitted,
        "clock_started_at": submitted,
        "finished_at": finished,
        "created_at": created,
        "updated_at": updated,
    }


def employer_filing(
    rng: random.Random, e: dict[str, Any], filing_id: int, matter_id: int
) -> tuple[dict, dict]:
    """The employer's first filing (EMP-2) and its matter: approved for most, the rest in every other state."""
    if e["filing_approved"]:
        review, state = "approved", "approved"
    else:
        review, state = rng.choice((("pending", "submitted"), ("rejected", "rejected"), ("draft", "draft")))
    submitted = None if state == "draft" else e["created_at"] + timedelta(days=rng.randrange(1, 10))
    reviewed = submitted + timedelta(days=rng.randrange(1, 6)) if state in ("approved", "rejected") else None
    updated = reviewed or submitted or e["created_at"]
    employer = (e["id"], e["name"], e["division_code"], e["address"], e["review_agency"])
    filing = {
        "id": filing_id,
        "employer": e["id"],
        "is_first": True,
        "payload": "{}",
        "review_agency": e["review_agency"],
        "review_state": review,
        "review_opinion": {"approved": "同意备案", "rejected": "营业执照照片不清晰，请重新上传"}.get(
            review, ""
        ),
        "matter_id": matter_id,
        "created_at": e["created_at"],
        "updated_at": updated,
        "reviewed_at": reviewed,
    }
    matter = matter_row(
        matter_id,
        FILING_KIND,
        FILING_NUMBER_CODE,
        state,
        employer,
        submitted,
        reviewed if state == "approved" else None,
        updated,
        f"单位基本信息初次备案：{e['name']}",
        f'{{"name": "{e["name"]}", "uscc": "{e["uscc"]}", "legal_rep": "{e["legal_rep"]}"}}',
    )
    return filing, matter


def _accumulate(values: Iterable[float]) -> Iterator[float]:
    total = 0.0
    for v in values:
        total += v
        yield total


_ACTION = {
    "approved": ("approve", "审核通过", "staff"),
    "rejected": ("reject", "审核不通过", "staff"),
    "voided": ("void", "申报作废", "applicant"),
}


def matter_events(matters: Iterable[dict[str, Any]], first_id: int) -> Iterator[dict[str, Any]]:
    """The timeline the workflow engine would have written: create, submit, then the decision."""
    next_id = first_id
    for m in matters:
        steps = [("employer", "经办人", "applicant", "", "create", "新建", "", "draft", "", m["created_at"])]
        if m["submitted_at"] is not None:
            steps.append(
                (
                    "employer",
                    "经办人",
                    "applicant",
                    "",
                    "submit",
                    "提交",
                    "draft",
                    "submitted",
                    "",
                    m["submitted_at"],
                )
            )
        if m["state"] in _ACTION:
            action, label, role = _ACTION[m["state"]]
            staff = role == "staff"
            steps.append(
                (
                    "staff" if staff else "employer",
                    "审核员" if staff else "经办人",
                    role,
                    "review" if staff else "",
                    action,
                    label,
                    "submitted",
                    m["state"],
                    "同意备案" if m["state"] == "approved" else ("请按要求补正后重新提交" if staff else ""),
                    m["finished_at"] or m["updated_at"],
                )
            )
        for actor_kind, actor_name, role, stage, action, label, from_state, to_state, opinion, at in steps:
            yield {
                "id": next_id,
                "matter": m["id"],
                "actor_kind": actor_kind,
                "actor_id": None,
                "actor_name": actor_name,
                "role": role,
                "stage": stage,
                "action": action,
                "action_label": label,
                "from_state": from_state,
                "to_state": to_state,
                "opinion": opinion,
                "at": at,
            }
            next_id += 1
