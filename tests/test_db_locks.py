"""portal.db.lock_values: transactions deciding on one value run one after the other; other values do not wait."""

from __future__ import annotations

import asyncio

import pytest

from portal.db import current_engine, fetch, is_sqlite, lock_key, lock_values, write_transaction


async def _held_while_another_locks(first: dict, second: dict) -> list[str]:
    """The first transaction locks and holds for 0.3 s; the second starts meanwhile. The order of events."""
    order: list[str] = []
    locked = asyncio.Event()

    async def one() -> None:
        async with write_transaction():
            await lock_values(**first)
            locked.set()
            await asyncio.sleep(0.3)
            order.append("first ends")

    async def two() -> None:
        await locked.wait()
        async with write_transaction():
            await lock_values(**second)
            order.append("second locked")

    await asyncio.gather(one(), two())
    return order


async def test_the_same_value_waits_and_another_does_not(app):
    if is_sqlite(current_engine()):
        pytest.skip("SQLite: BEGIN IMMEDIATE already serialises writers, lock_values takes nothing")
    uscc = "91460105MA5T00011X"
    assert await _held_while_another_locks({"values": [uscc, "A"]}, {"values": ["B", uscc]}) == [
        "first ends", "second locked"]
    assert await _held_while_another_locks({"values": [uscc]}, {"values": ["B"]}) == ["second locked", "first ends"]
    # a namespace keeps its values apart from the same strings elsewhere
    assert await _held_while_another_locks({"values": [uscc]}, {"values": [uscc], "namespace": "x"}) == [
        "second locked", "first ends"]


async def test_slots_share_one_lock_per_slot(app):
    if is_sqlite(current_engine()):
        pytest.skip("SQLite: BEGIN IMMEDIATE already serialises writers, lock_values takes nothing")
    values = [f"v{n}" for n in range(40)]
    same = next(v for v in values[1:] if lock_key(v) % 4 == lock_key(values[0]) % 4)
    other = next(v for v in values[1:] if lock_key(v) % 4 != lock_key(values[0]) % 4)
    slot = {"namespace": "t", "slots": 4}
    assert await _held_while_another_locks({"values": [values[0]], **slot}, {"values": [same], **slot}) == [
        "first ends", "second locked"]
    assert await _held_while_another_locks({"values": [values[0]], **slot}, {"values": [other], **slot}) == [
        "second locked", "first ends"]
    # 10,000 values in 256 slots: one statement, within the server's lock table
    async with write_transaction():
        await lock_values([f"9146{n:014d}" for n in range(10_000)], namespace="t", slots=256)
        held = await fetch("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()")
    assert held[0]["n"] == 256
