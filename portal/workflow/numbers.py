"""Readable unique numbers for matters and certificates: one atomic upsert per number, safe on both engines."""

from __future__ import annotations

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


def matter_prefix(division_code: str, kind_code: str, day: date) -> str:
    """A matter number without its sequence: 行政区划 + date + 事项 code, e.g. 460105-20261123-LCN (-0007)."""
    return f"{division_code or '000000'}-{day:%Y%m%d}-{kind_code}"
