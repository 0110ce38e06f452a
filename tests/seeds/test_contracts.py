"""Generated contract chains obey the domain's own rules, cover every state, and carry consistent matters."""

from __future__ import annotations

import random
from collections import defaultdict

from domains.labor_contract import matters as _registers_kinds  # noqa: F401
from domains.labor_contract import rules
from portal.workflow.kinds import get_kind
from seeds.scale import FALLBACK_DIVISIONS, TODAY, generate_employers, generate_persons
from seeds.scale_contracts import CONTRACT_KIND, FILING_KIND, ContractFactory, employer_filing, matter_events


def _generate(seed: int = 4, persons: int = 4000):
    employers = [
        (e["id"], e["name"], e["division_code"], e["address"], e["review_agency"])
        for e in generate_employers(80, seed, FALLBACK_DIVISIONS)
    ]
    factory = ContractFactory(seed, employers, first_contract=1, first_matter=1)
    contracts, matters = [], []
    for p in generate_persons(persons, seed, FALLBACK_DIVISIONS):
        cs, ms = factory.for_person(p)
        contracts += cs
        matters += ms
    return contracts, matters


def test_new_and_renew_filings_pass_the_contract_rules():
    contracts, _ = _generate()
    for c in contracts:
        if c["filing_kind"] != "terminate":
            assert rules.contract_field_errors(c) == {}, c
            assert 2 <= len(c["worker_name"]) <= 4
        else:
            assert rules.termination_date_refusal(c["start_date"], c["termination_date"], TODAY) is None, c
            assert c["compensation"] is None or c["compensation"] >= 0


def test_chains_follow_the_filing_order_and_one_contract_is_current():
    contracts, _ = _generate()
    by_id = {c["id"]: c for c in contracts}
    per_worker = defaultdict(list)
    for c in contracts:
        per_worker[c["id_number"]].append(c)
        if c["filing_kind"] == "new":
            assert c["previous"] is None
        else:
            # 续订 and 解除 start from a completed (approved, rostered) 新订/续订 of the same worker and employer.
            prev = by_id[c["previous"]]
            assert (
                prev["state"] in ("new", "renew") and prev["review_state"] == "approved" and prev["in_roster"]
            )
            assert (prev["id_number"], prev["employer"]) == (c["id_number"], c["employer"])
    for chain in per_worker.values():
        assert sum(c["employed"] for c in chain) <= 1
        assert (
            sum(c["review_state"] != "approved" for c in chain) <= 1
        )  # at most one unreviewed/rejected filing
        ended = [c for c in chain if c["filing_kind"] == "terminate" and c["review_state"] == "approved"]
        if ended:
            assert not any(c["employed"] for c in chain)


def test_every_state_is_present_and_matters_agree_with_the_registered_kind():
    contracts, matters = _generate()
    seen = {(c["state"], c["review_state"]) for c in contracts}
    for kind in ("new", "renew", "terminate"):
        for review in ("pending", "approved", "rejected"):
            assert (kind, review) in seen
    assert ("void", "pending") in seen and ("void", "rejected") in seen
    kind = get_kind(CONTRACT_KIND)
    by_id = {m["id"]: m for m in matters}
    assert {m["state"] for m in matters} == {"submitted", "approved", "rejected", "voided"}
    for c in contracts:
        m = by_id[c["matter_id"]]
        kind.state(m["state"])  # raises for a state the workflow does not know
        expected = (
            "voided"
            if c["state"] == "void"
            else {"pending": "submitted"}.get(c["review_state"], c["review_state"])
        )
        assert m["state"] == expected
        assert m["agency_code"] and m["number"].split("-")[2] == "LC"
    assert len({m["number"] for m in matters}) == len(matters)


def test_employer_filings_cover_their_kind_and_events_tell_the_story():
    kind = get_kind(FILING_KIND)
    rng = random.Random(1)
    matters = []
    for i, e in enumerate(generate_employers(2000, 4, FALLBACK_DIVISIONS)):
        filing, matter = employer_filing(rng, e, i + 1, i + 1)
        kind.state(matter["state"])
        assert (filing["review_state"] == "approved") == e["filing_approved"]
        matters.append(matter)
    assert {m["state"] for m in matters} == {"draft", "submitted", "rejected", "approved"}
    events = list(matter_events(matters, 1))
    by_matter = defaultdict(list)
    for ev in events:
        by_matter[ev["matter"]].append(ev)
    for m in matters:
        trail = by_matter[m["id"]]
        assert trail[0]["action"] == "create" and trail[-1]["to_state"] == m["state"]
        assert all(a["to_state"] == b["from_state"] for a, b in zip(trail, trail[1:], strict=False))


def test_contract_generation_is_deterministic():
    assert _generate(seed=9, persons=500) == _generate(seed=9, persons=500)
