"""Contract filing chains (新订 → 续订 → 解除/终止) in every state, each with the matter (办件) that reviews it."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

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
# Kind codes of the labour-contract matters; replaced by the registered ones when the domain provides them.
LC_KINDS = {"new": "lc_new", "renew": "lc_renew", "terminate": "lc_terminate"}
TITLE_WORD = {"new": "新订", "renew": "续订", "terminate": "解除(终止)"}


def _months_later(day: date, months: int) -> date:
    y, m = divmod(day.month - 1 + months, 12)
    return date(day.year + y, m + 1, min(day.day, 28))


class ContractFactory:
    """Contract filing chains (新订 → 续订 … → 解除/终止) per worker, each filing with its reviewing matter."""

    def __init__(
        self,
        seed: int,
        employers: Sequence[tuple[int, str, str, str]],
        first_contract: int,
        first_matter: int,
        kinds: dict[str, str],
    ) -> None:
        self.rng = random.Random(f"{seed}:contracts")
        self.employers = employers  # (id, name, division_code, address)
        # Heavy-tailed sizes: most employers have a handful of staff, a few have thousands.
        size_rng = random.Random(f"{seed}:sizes")
        weights = [size_rng.paretovariate(1.2) for _ in employers]
        self.cum = list(_accumulate(weights))
        self.next_contract, self.next_matter = first_contract, first_matter
        self.kinds = kinds
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
            end = _months_later(start, 12 * years) - timedelta(days=1) if ctype == "1" else None
            if ctype == "3":
                end = start + timedelta(days=rng.randrange(60, 500))
            probation = 0
            if form != "02" and ctype == "1":
                probation = min(rng.choice((0, 1, 2, 3, 6)), {1: 1, 2: 2}.get(years, 6))
            elif form != "02" and ctype == "2":
                probation = rng.choice((0, 3, 6))
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
        return base

    def _matter(self, c: dict[str, Any], employer: tuple[int, str, str, str]) -> dict[str, Any]:
        mid = self.next_matter
        self.next_matter += 1
        state = "withdrawn" if c["state"] == "void" else REVIEW_STATE_FOR_MATTER[c["review_state"]]
        submitted = c["submitted"]
        kind = self.kinds[c["filing_kind"]]
        return {
            "id": mid,
            "number": f"{employer[2]}{submitted:%Y%m%d}{kind.upper()}{mid:07d}",
            "kind": kind,
            "state": state,
            "version": 2 if state == "submitted" else 3,
            "applicant_kind": "employer",
            "employer": employer[0],
            "applicant_name": employer[1],
            "acting_name": "经办人",
            "division_code": employer[2],
            "agency_code": employer[2],
            "title": f"劳动合同{TITLE_WORD[c['filing_kind']]}备案：{c['worker_name']}",
            "payload": f'{{"contract_id": {c["id"]}}}',
            "legal_deadline": (submitted + timedelta(days=28)).date(),
            "promised_deadline": (submitted + timedelta(days=14)).date(),
            "submitted_at": submitted,
            "clock_started_at": submitted,
            "finished_at": c["reviewed_at"]
            if state in ("approved",)
            else (c["updated_at"] if state == "withdrawn" else None),
            "created_at": submitted,
            "updated_at": c["updated_at"],
        }


def _accumulate(values: Iterable[float]) -> Iterator[float]:
    total = 0.0
    for v in values:
        total += v
        yield total
