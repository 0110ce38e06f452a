"""portal.workflow.numbers.advance_sequences: counters move up to a floor, never back; next_sequence goes on after."""

from __future__ import annotations

import asyncio

from portal.db import write_transaction
from portal.workflow.numbers import advance_sequences, next_sequence
from portal.workflow.tables import NumberSequence


async def _last(prefix: str) -> int | None:
    row = await NumberSequence.select(NumberSequence.last).where(NumberSequence.prefix == prefix).first()
    return row["last"] if row else None


async def test_counters_move_up_to_the_floor_and_never_back(app):
    async with write_transaction():
        assert await next_sequence("t-adv-a") == 1
        assert [await next_sequence("t-adv-b") for _ in range(5)][-1] == 5
        await advance_sequences({"t-adv-a": 7, "t-adv-b": 3, "t-adv-c": 2, "t-adv-d": 0})
    assert [await _last(p) for p in ("t-adv-a", "t-adv-b", "t-adv-c", "t-adv-d")] == [7, 5, 2, 0]
    async with write_transaction():
        assert [await next_sequence(p) for p in ("t-adv-a", "t-adv-b", "t-adv-c", "t-adv-d")] == [8, 6, 3, 1]
        await advance_sequences({})
    # more counters than one statement takes
    async with write_transaction():
        await advance_sequences({f"t-adv-many-{n:04d}": n for n in range(1, 1201)})
    assert await NumberSequence.count().where(NumberSequence.prefix.like("t-adv-many-%")) == 1200
    assert await _last("t-adv-many-1200") == 1200


async def test_a_drawing_transaction_is_waited_for(app):
    """An approval that drew a number and has not committed: advancing its counter waits for it (on PostgreSQL the
    row lock, on SQLite the writer queue) and then keeps the larger value."""
    drawn, release = asyncio.Event(), asyncio.Event()

    async def approval() -> int:
        async with write_transaction():
            seq = await next_sequence("t-adv-race")
            drawn.set()
            await release.wait()
            return seq

    async def importer() -> None:
        await drawn.wait()
        async with write_transaction():
            await advance_sequences({"t-adv-race": 0})
            assert await _last("t-adv-race") == 1  # the approval's commit is seen, not the value before it

    task = asyncio.create_task(approval())
    waiting = asyncio.create_task(importer())
    await drawn.wait()
    await asyncio.sleep(0.2)
    assert not waiting.done()  # held until the approval ends
    release.set()
    assert await task == 1
    await waiting
    assert await _last("t-adv-race") == 1
