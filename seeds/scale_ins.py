"""网上书审 办件 for the scale set (issue #20's squad-queue target): a share of the employers with this year's 书审,
submitted to the 监察中队 of the employer's division, in the states a squad's queue holds. Rows as the domain and
the workflow engine write them (ins_review + its matter; no timeline: the queue never reads it)."""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from seeds.scale_contracts import matter_row

SHARE = 0.08  # ~4,000 on the 50,000-employer set: "a few thousand across squads"
STATES = (("submitted", 50), ("rejected", 15), ("approved", 35))
KIND, NUMBER_CODE = "ins_review", "INSR"


async def squad_map(divisions: Iterable[str]) -> dict[str, str]:
    """Division code → the 监察中队 that receives its employers' 书审 (dictionary.squad_for)."""
    from portal.core import dictionary

    out = {}
    for code in sorted(set(divisions)):
        squad = await dictionary.squad_for(code)
        out[code] = squad.code if squad else ""
    return out


def ins_reviews(rng: random.Random, employers: Iterable[tuple[int, str, str, str, str]], squads: dict[str, str],
                first_review_id: int, first_matter_id: int, year: int, now) -> tuple[list[dict], list[dict]]:
    """(ins_review rows, matter rows) for about SHARE of `employers` (id, name, division, address, agency)."""
    states, weights = zip(*STATES, strict=True)
    reviews: list[dict[str, Any]] = []
    matters: list[dict[str, Any]] = []
    for e in employers:
        squad = squads.get(e[2], "")
        if not squad or rng.random() >= SHARE:
            continue
        state = rng.choices(states, weights=weights)[0]
        submitted = now - timedelta(days=rng.randrange(1, 40), seconds=rng.randrange(86400))
        finished = submitted + timedelta(days=rng.randrange(1, 10)) if state == "approved" else None
        review_id, matter_id = first_review_id + len(reviews), first_matter_id + len(matters)
        staff = rng.randrange(3, 300)
        payload = {"year": year, "answers": {}, "answer_rows": [], "findings": [], "differences": [],
                   "staff_count": staff, "division_code": e[2], "squad_code": squad, "review_id": review_id}
        m = matter_row(matter_id, KIND, NUMBER_CODE, state, e, submitted, finished, finished or submitted,
                       f"{year}年度网上书审", json.dumps(payload, ensure_ascii=False))
        m["squad_code"] = squad
        matters.append(m)
        reviews.append({"id": review_id, "employer": e[0], "year": year, "answers": "{}", "answered_at": submitted,
                        "staff_count": staff, "imported_at": submitted, "division_code": e[2], "squad_code": squad,
                        "matter_id": matter_id, "created_at": submitted, "updated_at": finished or submitted})
    return reviews, matters
