"""Another portal process for the cross-process tests: `python -m tests.scaleout.peer ACTION START ARG…` waits
until the Unix time START (so that two peers overlap), does ACTION on the database of its environment and prints
the result as JSON."""

from __future__ import annotations

import asyncio
import json
import sys
import time


async def _numbers(prefix: str, count: str) -> list[int]:
    from portal.db import write_transaction
    from portal.workflow.numbers import next_sequence

    out = []
    for _ in range(int(count)):
        async with write_transaction():
            out.append(await next_sequence(prefix))
    return out


async def _tokens(prefix: str, count: str) -> list[str]:
    """Consume the one-time form ids prefix-0 … prefix-N as a form post does; the ones this process got."""
    from portal.auth.principal import Principal
    from portal.db import write_transaction
    from portal.workflow import transitions
    from portal.workflow.errors import DuplicateSubmission

    principal = Principal(kind="staff", account_id=1, display_name="peer")
    won = []
    for i in range(int(count)):
        token = f"{prefix}-{i:04d}-abcdefghijklmnop"
        try:
            async with write_transaction():
                await transitions.consume_token(token, principal)
            won.append(token)
        except DuplicateSubmission:
            pass
        except Exception as exc:  # the other process inserted between our check and our insert
            if type(exc).__name__ not in {"UniqueViolationError", "IntegrityError"}:
                raise
    return won


async def _rate(key: str, count: str) -> list[int]:
    from portal.ratelimit import DatabaseRateLimitStore

    store = DatabaseRateLimitStore()
    return [(await store.incr(key, 60))[0] for _ in range(int(count))]


async def _dictionary_label(category: str, code: str, label: str) -> None:
    """An administrator's edit of one entry in this process (portal.admin.dictionary_admin.update)."""
    from portal.admin import dictionary_admin
    from portal.core.tables import DictEntry

    entry = await DictEntry.select().where((DictEntry.category == category) & (DictEntry.code == code)).first()
    await dictionary_admin.update(entry, {**entry, "label": label}, None, "127.0.0.1")


async def _holiday(day: str) -> None:
    from datetime import date

    from portal.admin import holidays

    await holidays.add({"day": date.fromisoformat(day), "is_workday": False, "name": "测试假日"}, None, "127.0.0.1")


async def _unique(prefix: str, count: str) -> dict[str, list]:
    """Numbers, form ids and rate-limit counts, interleaved."""
    out: dict[str, list] = {"numbers": [], "tokens": [], "rate": []}
    for i in range(int(count)):
        out["numbers"] += await _numbers(prefix, "1")
        out["tokens"] += await _tokens(f"{prefix}-{i}", "1")
        out["rate"] += await _rate(prefix, "1")
    return out


async def _edits(category: str, code: str, label: str, day: str) -> None:
    await _dictionary_label(category, code, label)
    await _holiday(day)


ACTIONS = {"unique": _unique, "edits": _edits}


async def main(action: str, start: float, args: list[str]) -> object:
    from portal.db import current_engine, is_sqlite

    engine = current_engine()
    if not is_sqlite(engine):
        await engine.start_connection_pool(min_size=1, max_size=4)
    try:
        await asyncio.sleep(max(0.0, start - time.time()))
        return await ACTIONS[action](*args)
    finally:
        if not is_sqlite(engine):
            await engine.close_connection_pool()


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1], float(sys.argv[2]), sys.argv[3:]))))
