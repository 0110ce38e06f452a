"""Property tests: random actions by random roles never reach an undefined state nor skip a stage."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.exceptions import NotFoundException

from portal.workflow import engine
from portal.workflow.tables import Matter, MatterEvent
from tests.support.factories import make_employer, make_uscc
from tests.workflow.kinds import ALL, ALL_PERMISSIONS
from tests.workflow.support import employer_principal, staff_principal

# Hypothesis reseeds the global `random` per example: factories need their own source of distinct USCCs.
_RNG = __import__("random").Random()

ACTORS = ("owner", "stranger", "staff_all", "staff_a", "staff_b", "staff_far", "staff_none")
ACTION_NAMES = sorted({t.name for k in ALL for t in k.transitions} | {"nonsense"})


def _principals(owner, stranger):
    return {
        "owner": employer_principal(owner),
        "stranger": employer_principal(stranger),
        "staff_all": staff_principal(9001, ALL_PERMISSIONS),
        "staff_a": staff_principal(9002, ALL_PERMISSIONS),
        "staff_b": staff_principal(9003, ALL_PERMISSIONS),
        "staff_far": staff_principal(9004, ALL_PERMISSIONS, division="460200"),
        "staff_none": staff_principal(9005, []),
    }


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=st.sampled_from(ALL),
    steps=st.lists(st.tuples(st.sampled_from(ACTORS), st.sampled_from(ACTION_NAMES), st.booleans()), max_size=14),
)
async def test_random_actions_follow_the_state_machine(app, kind, steps):
    owner = await make_employer(division_code="460105", uscc=make_uscc(rng=_RNG))
    stranger = await make_employer(division_code="460105", uscc=make_uscc(rng=_RNG))
    who = _principals(owner, stranger)
    matter = await engine.create_matter(who["owner"], kind, payload={}, title="性质测试")
    states = {s.code for s in kind.states}
    fired: list[tuple[str, str, str, str]] = []
    for actor, action, with_opinion in steps:
        principal = who[actor]
        row = await Matter.select(Matter.state, Matter.version).where(Matter.id == matter["id"]).first()
        try:
            after = await engine.fire(
                principal, matter["id"], action, expected_version=row["version"],
                opinion="意见" if with_opinion else "", values={"grade": "A"},
            )
        except (engine.WorkflowError, NotFoundException):
            continue
        t = kind.transition(action)
        # Only a defined arrow out of the current state, fired by the right side, ever succeeds.
        assert t is not None and row["state"] in t.from_states and after["state"] == t.to_state
        assert (t.actor == "staff") == principal.is_staff, f"{actor} fired {action}"
        assert actor not in {"stranger", "staff_far", "staff_none"}
        assert not t.requires_opinion or with_opinion
        assert after["version"] == row["version"] + 1
        fired.append((actor, t.stage, row["state"], after["state"]))
    final = await Matter.select(Matter.state, Matter.version).where(Matter.id == matter["id"]).first()
    assert final["state"] in states
    assert final["version"] == 1 + len(fired)
    events = await MatterEvent.select().where(MatterEvent.matter == matter["id"]).order_by(MatterEvent.id)
    assert len(events) == 1 + len(fired)
    # The timeline is a connected path: no stage is skipped.
    for previous, current in zip(events, events[1:], strict=False):
        assert current["from_state"] == previous["to_state"]
    # SECURITY 12: no staff member appears at two different stages.
    stages: dict[str, set[str]] = {}
    for actor, stage, _, _ in fired:
        if actor.startswith("staff") and stage:
            stages.setdefault(actor, set()).add(stage)
    assert all(len(s) == 1 for s in stages.values()), stages


def test_every_builder_reaches_an_end_from_every_state():
    """No dead ends: every non-terminal state of every flow shape has a way out."""
    for kind in ALL:
        for state in kind.states:
            if not state.terminal:
                assert any(state.code in t.from_states for t in kind.transitions), (kind.code, state.code)
            else:
                assert not any(state.code in t.from_states for t in kind.transitions)
