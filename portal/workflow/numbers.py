"""Readable unique numbers for matters and certificates: one atomic upsert per number, safe on both engines."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from portal.db import fetch
from portal.workflow.tables import NumberSequence


async def reserve_sequence(prefix: str, count: int = 1) -> list[int]:
    """`count` consecutive counter values for `prefix` in ONE atomic upsert; call it inside the caller's
    write_transaction (a rolled-back reservation leaves no gap)."""
    table = NumberSequence._meta.tablename
    # INSERT … ON CONFLICT DO UPDATE … RETURNING is one atomic statement on PostgreSQL and on SQLite ≥ 3.35.
    rows = await fetch(
        f'INSERT INTO "{table}" ("prefix", "last") VALUES ({{}}, {{}}) '
        f'ON CONFLICT ("prefix") DO UPDATE SET "last" = "{table}"."last" + {{}} RETURNING "last"',
        prefix, count, count,
    )
    last = int(rows[0]["last"])
    return list(range(last - count + 1, last + 1))


async def next_sequence(prefix: str) -> int:
    """The next counter value for `prefix` (see reserve_sequence)."""
    return (await reserve_sequence(prefix))[0]


async def advance_sequences(floors: Mapping[str, int]) -> None:
    """Move each counter to at least its floor, never back: for numbers that entered the tables without the counter
    (a history import), so that next_sequence() continues after them. Inside the caller's write_transaction.

    On PostgreSQL the upsert locks every counter row it names, even one it leaves as it is, until the transaction
    ends: a floor of 0 only takes that lock, so a transaction about to check numbers first waits for any approval
    drawing from these counters and then sees its number."""
    table = NumberSequence._meta.tablename
    items = sorted(floors.items())  # one lock order for every caller: two imports never deadlock
    for start in range(0, len(items), 500):
        part = items[start:start + 500]
        await fetch(
            f'INSERT INTO "{table}" ("prefix", "last") VALUES {", ".join("({}, {})" for _ in part)} '
            f'ON CONFLICT ("prefix") DO UPDATE SET "last" = excluded."last" WHERE "{table}"."last" < excluded."last"',
            *(value for item in part for value in item),
        )


def matter_prefix(division_code: str, kind_code: str, day: date) -> str:
    """A matter number without its sequence: 行政区划 + date + 事项 code, e.g. 460105-20261123-LCN (-0007)."""
    return f"{division_code or '000000'}-{day:%Y%m%d}-{kind_code}"
