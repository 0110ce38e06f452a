"""python -m bench._reqtime <engine> <path> [employer|staff]: CPU per request of one signed-in page, in-process.

No profiler (its overhead distorts small functions): 5 rounds of N sequential requests through httpx's ASGI
transport, CPU time per request of the best round (the client's own share is included: ~0.1 ms).
"""

from __future__ import annotations

import asyncio
import os
import sys
import time

from bench._inproc import rerun_with_cookies, signed_in_client


async def _time(path: str, who: str, n: int) -> None:
    async with signed_in_client(who) as client:
        for _ in range(20):
            r = await client.get(path)
            assert r.status_code == 200, (r.status_code, r.text[:300])
        rounds = []
        for _ in range(5):
            cpu = time.process_time()
            for _ in range(n):
                await client.get(path)
            rounds.append((time.process_time() - cpu) * 1000 / n)
    print(f"{path}: {min(rounds):.2f} ms CPU per request (best of 5 × {n}; all: "
          f"{', '.join(f'{b:.2f}' for b in rounds)})")


if __name__ == "__main__":
    engine, path, who = sys.argv[1], sys.argv[2], (sys.argv[3:4] or ["employer"])[0]
    if os.environ.get("BENCH_COOKIES"):
        asyncio.run(_time(path, who, int(os.environ.get("BENCH_REQTIME_N", 100))))
    else:
        rerun_with_cookies("bench._reqtime", engine, sys.argv[1:])
