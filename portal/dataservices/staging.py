"""Hidden rows of a running import (issue #12 item 14, docs/IMPORTS.md §4).

A big import writes its rows into their final tables in short transactions, each row with a few columns set to
values every read already excludes (no owner, a state nobody lists); publishing restores the rows' own values in
one short transaction. `import_chunk` records the id ranges each chunk wrote, so a failed or killed import's
rows can be deleted without its process.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from portal.dataservices.tables import ImportChunk
from portal.db import bulk_insert, execute_many, reserve_ids, write_transaction

_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def _quoted(name: str) -> str:
    # Names come from the code (and back from import_chunk, which only this module writes): checked all the same.
    if not _NAME.fullmatch(name):
        raise ValueError(f"not a column or table name: {name!r}")
    return f'"{name}"'


def _guard(hidden: dict[str, Any]) -> tuple[str, tuple[Any, ...]]:
    """SQL true only for rows that still hold the hidden values: a visible row is never updated or deleted."""
    parts, params = [], []
    for column, value in hidden.items():
        if value is None:
            parts.append(f"{_quoted(column)} IS NULL")
        else:
            parts.append(f"{_quoted(column)} = {{}}")
            params.append(value)
    return (" AND ".join(parts) or "1 = 1"), tuple(params)


def _ranges(ids: list[int]) -> list[tuple[int, int]]:
    """Sorted ids as runs of consecutive values: [1, 2, 3, 7] → [(1, 3), (7, 7)]."""
    out: list[tuple[int, int]] = []
    for i in sorted(ids):
        if out and i == out[-1][1] + 1:
            out[-1] = (out[-1][0], i)
        else:
            out.append((i, i))
    return out


class Batch:
    """The hidden rows of one import job. `insert()` inside a chunk's write_transaction; `publish()` inside the
    final one. What publishing restores stays in memory: a batch whose process died is only ever deleted."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.chunk = 0
        # (table, hidden values as JSON, columns to restore) → [(the rows' own values of those columns, first id,
        # last id)]. A column whose own value is the hidden one (a matter's person when an employer applies) is
        # left alone: setting it again would still rewrite its index entries.
        self._restore: dict[tuple[str, str, tuple[str, ...]], list[tuple[tuple[Any, ...], int, int]]] = {}
        self._hooks: dict[str, Callable[[], Awaitable[None]]] = {}
        self.collected: dict[str, list[Any]] = {}

    def next_chunk(self) -> None:
        self.chunk += 1

    async def insert(self, table: Any, rows: list[dict[str, Any]], hide: dict[str, Any]) -> None:
        """Insert `rows` with the `hide` columns set to `hide`'s values (None or text) and record their id ranges.
        Rows without an "id" get reserved ones. `hide={}`: rows reached only through a hidden parent (events)."""
        if not rows:
            return
        name = table._meta.tablename
        if "id" not in rows[0]:
            rows = [
                {**row, "id": i} for row, i in zip(rows, await reserve_ids(table, len(rows)), strict=True)
            ]
        await bulk_insert(table, [{**row, **hide} for row in rows] if hide else rows)
        key = json.dumps(hide, sort_keys=True)
        groups: dict[tuple[tuple[str, Any], ...], list[int]] = {}
        for row in rows:
            own = tuple((c, row.get(c)) for c in sorted(hide) if row.get(c) != hide[c])
            groups.setdefault(own, []).append(row["id"])
        records = []
        for own, ids in groups.items():
            columns, values = tuple(c for c, _ in own), tuple(v for _, v in own)
            for first, last in _ranges(ids):
                if columns:
                    self._restore.setdefault((name, key, columns), []).append((values, first, last))
                records.append(
                    ImportChunk(
                        job=self.job_id,
                        chunk=self.chunk,
                        target=name,
                        hidden=key,
                        first_id=first,
                        last_id=last,
                    )
                )
        await ImportChunk.insert(*records)

    def on_publish(self, key: str, hook: Callable[[], Awaitable[None]]) -> list[Any]:
        """Run `hook` once inside the publish transaction (the first registration under `key` wins); returns
        `collected[key]`, a list the caller fills chunk by chunk for the hook to read (e.g. the audit row)."""
        self._hooks.setdefault(key, hook)
        return self.collected.setdefault(key, [])

    async def publish(self) -> None:
        """Inside the final write_transaction: every hidden row gets its own values back (one executemany per
        table over its id ranges), the hooks run, the bookkeeping goes."""
        for (name, key, columns), items in self._restore.items():
            guard, guard_params = _guard(json.loads(key))
            sets = ", ".join(f"{_quoted(c)} = {{}}" for c in columns)
            await execute_many(
                f'UPDATE {_quoted(name)} SET {sets} WHERE "id" BETWEEN {{}} AND {{}} AND {guard}',
                [(*values, first, last, *guard_params) for values, first, last in items],
            )
        for hook in self._hooks.values():
            await hook()
        await ImportChunk.delete().where(ImportChunk.job == self.job_id)


async def discard(job_id: int) -> int:
    """Delete the hidden rows of an import that will not publish, one chunk per transaction (no long hold of
    SQLite's writer), the tables of a chunk in reverse order of insertion (events and messages before their
    matter). Returns the chunks deleted."""
    chunks = sorted(
        {r["chunk"] for r in await ImportChunk.select(ImportChunk.chunk).where(ImportChunk.job == job_id)}
    )
    for chunk in chunks:
        async with write_transaction():
            records = (
                await ImportChunk.select()
                .where((ImportChunk.job == job_id) & (ImportChunk.chunk == chunk))
                .order_by(ImportChunk.id, ascending=False)
            )
            for record in records:
                guard, params = _guard(json.loads(record["hidden"]))
                await execute_many(
                    f'DELETE FROM {_quoted(record["target"])} WHERE "id" BETWEEN {{}} AND {{}} AND {guard}',
                    [(record["first_id"], record["last_id"], *params)],
                )
            await ImportChunk.delete().where(ImportChunk.id.is_in([r["id"] for r in records]))
    return len(chunks)


async def staged_jobs() -> set[int]:
    """Import jobs that have hidden rows."""
    return {r["job"] for r in await ImportChunk.select(ImportChunk.job).distinct()}
