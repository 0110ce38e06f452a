"""人员增减员 on the scale set: 增员 / 减员 applications (pending, confirmed, approved, rejected), each with its
pc_change rows (one per insurance) and the 办件 that reviews it, for the confirm lists' benchmark."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from domains.personnel_change import rules
from seeds.scale import NOW, TODAY
from seeds.scale_contracts import _accumulate, matter_row

SHARE = 0.08  # persons with an application (1M persons → ~80,000 applications)
STATES = (("draft", 20), ("submitted", 20), ("approved", 45), ("rejected", 15))
REJECT_OPINIONS = ("缴费基数低于下限，请核对后修改", "参保开始结算期填写有误", "减员原因与减员类型不符")
KIND_CODES = {"enrol": ("pc_enrol", "PCE"), "withdraw": ("pc_withdraw", "PCW")}


class ChangeFactory:
    """One application per chosen person, at an employer drawn from the same heavy tail as the contracts' (so
    the biggest employers have thousands); its rows, its 办件 and the timeline's confirm/decision events."""

    def __init__(self, seed: int, employers: Sequence[tuple[int, str, str, str, str]], first_change: int,
                 first_matter: int) -> None:
        self.rng = random.Random(f"{seed}:changes")
        self.employers = employers
        size_rng = random.Random(f"{seed}:sizes")
        self.cum = list(_accumulate(size_rng.paretovariate(1.2) for _ in employers))
        self.next_change, self.next_matter = first_change, first_matter

    def for_person(self, person: dict[str, Any]) -> tuple[list[dict], list[dict]]:
        rng = self.rng
        if rng.random() >= SHARE:
            return [], []
        employer = rng.choices(self.employers, cum_weights=self.cum)[0]
        direction = "enrol" if rng.random() < 0.7 else "withdraw"
        state = rng.choices([s for s, _ in STATES], weights=[w for _, w in STATES])[0]
        period = 202600 + rng.randrange(1, 13)
        insurances = [i for i in rules.INSURANCES if rng.random() < 0.75] or ["pension"]
        if direction == "enrol":
            kind = rng.choices(("new", "resume", "transfer"), weights=(60, 15, 25))[0]
        else:
            kind = rng.choices(("suspend", "terminate", "retire"), weights=(20, 70, 10))[0]
        saved = datetime.combine(TODAY - timedelta(days=rng.randrange(1, 330)), datetime.min.time(), UTC) + \
            timedelta(hours=rng.randrange(8, 18))
        confirmed = None if state == "draft" else saved + timedelta(hours=rng.randrange(1, 72))
        decided = confirmed + timedelta(days=rng.randrange(1, 6)) if state in ("approved", "rejected") else None
        if decided is not None and decided > NOW:
            state, decided = "submitted", None
        mid = self.next_matter
        self.next_matter += 1
        changes = []
        for insurance in insurances:
            changes.append({
                "id": self.next_change, "employer": employer[0], "matter_id": mid, "direction": direction,
                "kind": kind, "id_number": person["id_number"], "name": person["name"], "insurance": insurance,
                "identity": "11" if direction == "enrol" else "",
                "base": rng.randrange(4000, 20000) * 100 if direction == "enrol" else 0, "period": period,
                "reason": {"retire": "21", "suspend": "31"}.get(kind, "11") if direction == "withdraw" else "",
                "from_enrolment": None, "from_employer": None,
                "settled_at": decided if state == "approved" else None,
                "approved_at": decided if state == "approved" else None, "created_at": saved,
            })
            self.next_change += 1
        labels = "、".join(rules.insurance_label(i) for i in insurances)
        payload = json.dumps({
            "direction": direction, "id_number": person["id_number"], "name": person["name"],
            "gender": person["gender"], "birth_date": person["birth_date"].isoformat(),
            "period": rules.period_text(period), "insurances_label": labels, "kinds_label": rules.KIND_LABELS[kind],
            "outcomes": [rules.outcome(kind, i, period) for i in insurances],
        }, ensure_ascii=False)
        code, number_code = KIND_CODES[direction]
        title = f"{'增员' if direction == 'enrol' else '减员'}：{person['name']}（{rules.KIND_LABELS[kind]}）"
        matter = matter_row(mid, code, number_code, state, employer, confirmed,
                            decided if state == "approved" else None, decided or confirmed or saved, title, payload)
        matter["created_at"] = saved
        if state == "rejected":
            matter["_opinion"] = rng.choice(REJECT_OPINIONS)
        return changes, [matter]


def events(matters: list[dict[str, Any]], first_id: int) -> list[dict[str, Any]]:
    """The timeline the engine writes for these kinds: 新建, 确认通过, then 审核通过 / 审核不通过 (with its opinion)."""
    out = []
    for m in matters:
        steps = [("employer", "经办人", "applicant", "", "create", "新建", "", "draft", "", m["created_at"])]
        if m["submitted_at"] is not None:
            steps.append(("employer", "经办人", "applicant", "", "confirm", "确认通过", "draft", "submitted", "",
                          m["submitted_at"]))
        if m["state"] in ("approved", "rejected"):
            approve = m["state"] == "approved"
            steps.append(("staff", "审核员", "staff", "review", "approve" if approve else "reject",
                          "审核通过" if approve else "审核不通过", "submitted", m["state"],
                          "" if approve else m.get("_opinion", ""), m["updated_at"]))
        for actor_kind, actor_name, role, stage, action, label, before, after, opinion, at in steps:
            out.append({"id": first_id + len(out), "matter": m["id"], "actor_kind": actor_kind, "actor_id": None,
                        "actor_name": actor_name, "role": role, "stage": stage, "action": action,
                        "action_label": label, "from_state": before, "to_state": after, "opinion": opinion,
                        "at": at})
        m.pop("_opinion", None)
    return out
