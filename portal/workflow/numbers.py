"""Readable unique numbers for matters and certificates: one atomic upsert per number, safe on both engines."""

from __future__ import annotations

from datetime import date

from portal.db import fetch
from portal.workflow.tables import NumberSequence


async def next_sequence(prefix: str) -> int:
    """The next counter value for `prefix`; call it inside the caller's write_transaction."""
    table = NumberSequence._meta.tablename
    # INSERT … ON CONFLICT DO UPDATE … RETURNING is one atomic statement on PostgreSQL and on SQLite ≥ 3.35.
    rows = await fetch(
        f'INSERT INTO "{table}" ("prefix", "last") VALUES ({{}}, 1) '
        f'ON CONFLICT ("prefix") DO UPDATE SET "last" = "{table}"."last" + 1 RETURNING "last"',
        prefix,
    )
    return int(rows[0]["last"])


async def matter_number(division_code: str, kind_code: str, day: date) -> str:
    """e.g. 460105-20261123-LCN-0007: 行政区划 + date + 事项 code + sequence of that day."""
    prefix = f"{division_code or '000000'}-{day:%Y%m%d}-{kind_code}"
    return f"{prefix}-{await next_sequence(prefix):04d}"
