"""A small `scale` run through the bulk loader, on the suite's engine (SQLite or PostgreSQL)."""

from __future__ import annotations

from datetime import date

from domains.employer import matters as _registers_filing_kind  # noqa: F401
from domains.employer.tables import Employer, EmployerFiling
from domains.labor_contract import matters as _registers_kinds  # noqa: F401
from domains.labor_contract.tables import Contract
from domains.labor_inspection.tables import InsReview
from domains.person.tables import Person
from domains.personnel_change import matters as _registers_pc_kinds  # noqa: F401
from domains.personnel_change.tables import PcChange
from portal.validators import id_number_error, uscc_error
from portal.workflow.kinds import get_kind
from portal.workflow.tables import Matter, MatterEvent
from seeds.scale import TODAY, load_scale
from seeds.scale_contracts import CONTRACT_KIND
from tests.support.db import clean_database
from tests.support.factories import make_person


async def test_small_scale_run_loads_valid_rows_readable_by_the_orm():
    stats = await load_scale(employers=200, persons=1000, seed=99, chunk=300, quiet=True)
    assert stats["employers"] == 200 and stats["persons"] == 1000
    assert await Employer.count() == 200
    assert await Person.count() == 1000
    people = await Person.select().order_by(Person.id)
    assert len({p["id_number"] for p in people}) == 1000
    for p in people:
        assert id_number_error(p["id_number"], today=TODAY) is None
        assert isinstance(p["birth_date"], date)
    employers = await Employer.select(Employer.uscc, Employer.profile_complete, Employer.created_at)
    assert all(uscc_error(e["uscc"]) is None for e in employers)
    assert all(e["profile_complete"] is True and e["created_at"].tzinfo is not None for e in employers)
    # Contracts and their matters, in the states the registered kinds know.
    contracts = await Contract.select(Contract.matter_id, Contract.state, Contract.review_state)
    assert len(contracts) == stats["contracts"] > 500
    matters = {
        m["id"]: m for m in await Matter.select(Matter.id, Matter.kind, Matter.state, Matter.agency_code)
    }
    # 网上书审 of a share of the employers, each routed to a squad (issue #20's queue); no timeline of their own
    reviews = await InsReview.select(InsReview.matter_id, InsReview.squad_code)
    assert len(reviews) == stats["ins_reviews"] > 0
    for r in reviews:
        m = await Matter.select(Matter.kind, Matter.state, Matter.squad_code).where(Matter.id == r["matter_id"]).first()
        assert m["kind"] == "ins_review" and m["squad_code"] == r["squad_code"] != ""
        get_kind(m["kind"]).state(m["state"])
    changes = await PcChange.select(PcChange.matter_id, PcChange.employer, PcChange.settled_at)
    applications = {c["matter_id"] for c in changes}
    assert len(changes) == stats["pc_changes"] and len(applications) > 40
    assert len(matters) == stats["matters"] == stats["contracts"] + 200 + stats["ins_reviews"] + len(applications)
    # 人员增减员: each application's 办件 of its kind, in every state of the confirm flow; approved ones settled
    seen = set()
    for c in changes:
        m = matters[c["matter_id"]]
        assert m["kind"] in ("pc_enrol", "pc_withdraw")
        get_kind(m["kind"]).state(m["state"])
        assert (c["settled_at"] is not None) == (m["state"] == "approved")
        seen.add(m["state"])
    assert seen == {"draft", "submitted", "approved", "rejected"}
    for c in contracts:
        m = matters[c["matter_id"]]
        assert m["kind"] == CONTRACT_KIND and m["agency_code"]
        get_kind(m["kind"]).state(m["state"])
    assert await EmployerFiling.count() == 200
    assert await MatterEvent.count() == stats["matter_events"] > 2 * (len(matters) - len(reviews))
    # Explicit ids were given: the next ORM insert still gets a fresh id (the PostgreSQL sequence was moved).
    added = await make_person()
    assert added["id"] > max(p["id"] for p in people)


async def test_loading_the_same_seed_twice_is_skipped_and_another_seed_adds_to_it():
    await load_scale(employers=50, persons=100, seed=5, quiet=True)
    again = await load_scale(employers=50, persons=100, seed=5, quiet=True)
    assert again.get("skipped") is True
    assert await Person.count() == 100
    other = await load_scale(employers=50, persons=100, seed=6, quiet=True)
    assert other["persons"] == 100
    assert await Employer.count() == 100 and await Person.count() == 200


async def test_the_data_is_the_same_for_a_seed_whatever_the_database_held_before():
    await load_scale(employers=30, persons=200, seed=8, quiet=True)
    first = await Person.select(Person.id_number, Person.name).order_by(Person.id)
    await clean_database()
    await load_scale(employers=30, persons=200, seed=8, quiet=True)
    second = await Person.select(Person.id_number, Person.name).order_by(Person.id)
    assert first == second


async def test_persons_only_run_leaves_contracts_out():
    stats = await load_scale(employers=20, persons=300, seed=12, quiet=True, with_contracts=False)
    assert stats["persons"] == 300 and stats["contracts"] == 0
    # The persons' phase is reported; its value is a timing (a fast run rounds it to 0.0), so not asserted.
    assert "persons_only_s" in stats
    assert await Contract.count() == 0 and await Person.count() == 300
    assert not await Matter.exists().where(Matter.kind == CONTRACT_KIND)
    assert await PcChange.count() == 0


async def _index_names() -> set[str]:
    from portal.db import current_engine, fetch, is_sqlite

    tables = ("employer", "person", "contract", "employer_filing", "matter", "matter_event")
    marks = ", ".join("{}" for _ in tables)
    if is_sqlite(current_engine()):
        rows = await fetch(f"SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ({marks})", *tables)
    else:
        rows = await fetch(f"SELECT indexname AS name FROM pg_indexes WHERE tablename IN ({marks})", *tables)
    return {r["name"] for r in rows}


async def test_indexes_dropped_for_the_load_are_all_back_afterwards():
    before = await _index_names()
    assert any("contract" in n for n in before)
    await load_scale(employers=20, persons=200, seed=13, quiet=True)
    assert await _index_names() == before
