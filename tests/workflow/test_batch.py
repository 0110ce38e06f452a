"""fire_many, set-based: per-matter refusals in a mixed batch, an effect's refusal undone for its matter only, the
race of two batches over the same matters, and the audit chain after a batch. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from portal import audit
from portal.core.tables import AuditLog
from portal.refusal import Refused
from portal.workflow import engine, numbers
from portal.workflow.kinds import register_kind, review_flow, unregister_kind
from portal.workflow.tables import Matter, MatterEvent, Message, NumberSequence
from tests.workflow.support import employer_with_principal, staff_principal, submitted_matter


async def _numbered(ctx):
    """Writes a row, then refuses the matters marked so: the refusal must take its own write with it."""
    await numbers.next_sequence(f"t-batch-{ctx.matter['id']}")
    if ctx.matter["payload"].get("refuse"):
        raise Refused("测试：该办件不能通过")
    return {"filing_no": f"B{ctx.matter['id']}"}


async def _guarded(matter, principal):
    return "测试：守卫拒绝" if matter["payload"].get("guard") else None


def _kind():
    return register_kind(review_flow("t_batch", "测试批量", permission="test.review", batch_approve=True,
                                     approve_effect=_numbered, submit_guard=None, number_code="TB"))


async def test_mixed_batch_refuses_each_for_its_own_reason_and_does_the_rest():
    _kind()
    try:
        _, applicant = await employer_with_principal()
        _, other = await employer_with_principal(name="别家单位")
        good = [await submitted_matter(applicant, "t_batch", name=f"甲{i}") for i in range(3)]
        refused = await submitted_matter(applicant, "t_batch", refuse=True)
        stale = await submitted_matter(applicant, "t_batch", name="旧版本")
        draft = await engine.create_matter(applicant, "t_batch", payload={"name": "草稿"}, title="草稿")
        outside = await submitted_matter(other, "t_batch", name="外辖区")
        staff = staff_principal(41, ["test.review"], division="460100")
        await Matter.update({Matter.division_code: "469000"}).where(Matter.id == outside["id"])
        last = await AuditLog.select(AuditLog.id).order_by(AuditLog.id, ascending=False).first()
        chain_before = last["id"] if last else 0

        items = [(m["id"], m["version"]) for m in (*good, refused, draft, outside)] + [(stale["id"], 1), (99_999, 2)]
        results = await engine.fire_many(staff, items, "approve", ip="10.0.0.1")

        assert list(results) == [i for i, _ in items]  # in the order given
        assert all(results[m["id"]] == "" for m in good)
        assert results[refused["id"]] == "测试：该办件不能通过"
        assert results[draft["id"]] == "办件不存在"  # staff never see a draft
        assert results[outside["id"]] == "办件不存在"
        assert results[stale["id"]].startswith("该办件已被他人处理")
        assert results[99_999] == "办件不存在"
        rows = {r["id"]: r for r in await Matter.select().where(Matter.id.is_in([i for i, _ in items[:-1]]))}
        assert {rows[m["id"]]["state"] for m in good} == {"approved"}
        assert {rows[m["id"]]["version"] for m in good} == {3}
        assert all(rows[m["id"]]["finished_at"] is not None for m in good)
        assert (rows[refused["id"]]["state"], rows[refused["id"]]["version"]) == ("submitted", 2)
        assert rows[refused["id"]]["finished_at"] is None
        assert rows[stale["id"]]["state"] == "submitted"
        # the refused matter's effect wrote nothing that stayed; the others' did
        prefixes = {r["prefix"] for r in await NumberSequence.select(NumberSequence.prefix).where(
            NumberSequence.prefix.like("t-batch-%"))}
        assert prefixes == {f"t-batch-{m['id']}" for m in good}
        assert all(engine_result(rows[m["id"]]) == {"filing_no": f"B{m['id']}"} for m in good)
        events = await MatterEvent.select().where(MatterEvent.action == "approve")
        assert sorted(e["matter"] for e in events) == sorted(m["id"] for m in good)
        assert {e["from_state"] for e in events} == {"submitted"} and {e["actor_id"] for e in events} == {41}
        assert await Message.count().where(Message.title == "测试批量：审核通过") == 3
        # one audit row per matter done, one security row for the existing matter out of scope; the chain holds
        new = await AuditLog.select().where(AuditLog.id > chain_before).order_by(AuditLog.id)
        assert sorted(r["object_id"] for r in new if r["action"] == "matter.approve") == sorted(
            str(m["id"]) for m in good)
        assert {r["object_id"] for r in new if r["action"] == "workflow.cross_tenant"} == {
            str(draft["id"]), str(outside["id"])}
        assert await audit.verify_chain() == (True, None)
    finally:
        unregister_kind("t_batch")


def engine_result(row):
    import json

    return json.loads(row["result"]) if isinstance(row["result"], str) else row["result"]


async def test_guard_refusal_and_non_batch_transition_are_per_matter():
    register_kind(review_flow("t_batch", "测试批量", permission="test.review", batch_approve=True,
                              submit_guard=None, number_code="TB"))
    try:
        _, applicant = await employer_with_principal()
        a = await submitted_matter(applicant, "t_batch", name="甲")
        b = await submitted_matter(applicant, "t_licence", name="乙")  # its approve is not batchable
        staff = staff_principal(42, ["test.review", "test.approve", "test.accept"], division="460000")
        results = await engine.fire_many(staff, [(a["id"], 2), (b["id"], 2)], "approve")
        assert results == {a["id"]: "", b["id"]: "该事项不支持批量办理"}
        results = await engine.fire_many(staff, [(a["id"], 3)], "approve")
        assert results[a["id"]] == "办件当前状态为“审核通过”，不能审核通过"
    finally:
        unregister_kind("t_batch")


async def test_two_batches_over_the_same_matters_exactly_one_wins_each():
    _kind()
    try:
        _, applicant = await employer_with_principal()
        matters = [await submitted_matter(applicant, "t_batch", name=f"并发{i}") for i in range(12)]
        items = [(m["id"], m["version"]) for m in matters]
        first, second = staff_principal(43, ["test.review"]), staff_principal(44, ["test.review"])
        outcomes = await asyncio.gather(engine.fire_many(first, items, "approve"),
                                        engine.fire_many(second, list(reversed(items)), "approve"))
        for m in matters:
            done = [o[m["id"]] for o in outcomes]
            assert done.count("") == 1, done
            assert any(d.startswith("该办件已被他人处理") for d in done), done
        assert await Matter.count().where(Matter.state == "approved") == 12
        events = await MatterEvent.select(MatterEvent.matter).where(MatterEvent.action == "approve")
        assert sorted(e["matter"] for e in events) == sorted(m["id"] for m in matters)
        assert await NumberSequence.count().where(NumberSequence.prefix.like("t-batch-%")) == 12
        assert await audit.verify_chain() == (True, None)
    finally:
        unregister_kind("t_batch")


async def _refuse_all(contexts):
    from portal.workflow.errors import WorkflowError

    raise WorkflowError("测试：整批不能办理")


async def test_a_batch_effect_refusing_the_set_leaves_nothing_done_but_the_security_rows():
    from dataclasses import replace

    kind = _kind()
    register_kind(replace(kind, transitions=tuple(
        replace(t, effect_many=_refuse_all) if t.name == "approve" else t for t in kind.transitions)))
    try:
        _, applicant = await employer_with_principal()
        _, other = await employer_with_principal(name="别家单位")
        mine = [await submitted_matter(applicant, "t_batch", name=f"整批{i}") for i in range(2)]
        outside = await submitted_matter(other, "t_batch", name="外辖区")
        await Matter.update({Matter.division_code: "469000"}).where(Matter.id == outside["id"])
        staff = staff_principal(45, ["test.review"], division="460100")
        results = await engine.fire_many(staff, [(m["id"], 2) for m in (*mine, outside)], "approve")
        assert set(results.values()) == {"测试：整批不能办理"}
        assert await Matter.count().where(Matter.state == "approved") == 0
        assert await MatterEvent.count().where(MatterEvent.action == "approve") == 0
        assert await NumberSequence.count().where(NumberSequence.prefix.like("t-batch-%")) == 0
        denied = await AuditLog.select(AuditLog.object_id).where(AuditLog.action == "workflow.cross_tenant")
        assert [r["object_id"] for r in denied] == [str(outside["id"])]
        assert await audit.verify_chain() == (True, None)
    finally:
        unregister_kind("t_batch")
