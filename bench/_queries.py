"""python -m bench._queries <engine> <path> [employer|staff]: the SQL statements one request of a page runs."""

from __future__ import annotations

import asyncio
import os
import sys

from bench._inproc import rerun_with_cookies, signed_in_client


async def _run(path: str, who: str) -> None:
    from portal.db import current_engine

    async with signed_in_client(who) as client:
        await client.get(path)
        engine = type(current_engine())
        seen: list[str] = []
        names = [n for n in ("_run_in_new_connection", "_run_in_pool") if hasattr(engine, n)]
        originals = {n: getattr(engine, n) for n in names}

        def spy(name):
            async def run(self, query, *args, **kwargs):
                seen.append(" ".join(str(query).split())[: int(os.environ.get("BENCH_SQL_WIDTH", 300))] + (f"  -- args {args[0]!r}" if args else ""))
                return await originals[name](self, query, *args, **kwargs)
            return run

        def spy_keyed(original):  # PostgreSQL's keyed pool (portal.db.fetch_keyed): the session and the principal
            async def run(self, query):
                seen.append(f"[keyed] {query}"[: int(os.environ.get("BENCH_SQL_WIDTH", 300))])
                return await original(self, query)
            return run

        if hasattr(engine, "run_keyed"):
            originals["run_keyed"] = engine.run_keyed
            names.append("run_keyed")
        for n in names:
            setattr(engine, n, spy_keyed(originals[n]) if n == "run_keyed" else spy(n))
        try:
            await client.get(path)
        finally:
            for n in names:
                setattr(engine, n, originals[n])
    print(f"{path}: {len(seen)} statements")
    for q in seen:
        print(" -", q)


if __name__ == "__main__":
    engine, path, who = sys.argv[1], sys.argv[2], (sys.argv[3:4] or ["employer"])[0]
    if os.environ.get("BENCH_COOKIES"):
        asyncio.run(_run(path, who))
    else:
        rerun_with_cookies("bench._queries", engine, sys.argv[1:])
