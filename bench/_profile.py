"""python -m bench._profile <engine> <path> [employer|staff]: profile one signed-in page in-process (pyinstrument).

Used to find what dominates when an HTTP target is missed; prints the call tree of N sequential requests.
"""

from __future__ import annotations

import asyncio
import os
import sys

from bench._inproc import rerun_with_cookies, signed_in_client


async def _profile(path: str, who: str, n: int) -> None:
    from pyinstrument import Profiler

    async with signed_in_client(who) as client:
        first = await client.get(path)
        assert first.status_code == 200, (first.status_code, first.text[:300])
        profiler = Profiler(async_mode="enabled")
        profiler.start()
        for _ in range(n):
            await client.get(path)
        profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    engine, path, who = sys.argv[1], sys.argv[2], (sys.argv[3:4] or ["employer"])[0]
    if os.environ.get("BENCH_COOKIES"):
        asyncio.run(_profile(path, who, int(os.environ.get("BENCH_PROFILE_N", 50))))
    else:
        rerun_with_cookies("bench._profile", engine, sys.argv[1:])
