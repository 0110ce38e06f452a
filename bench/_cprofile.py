"""python -m bench._cprofile <engine> <path> [employer|staff]: cProfile of N sequential requests, by own time.

Beside bench._profile (pyinstrument's call tree): the flat list shows what many small calls add up to.
"""

from __future__ import annotations

import asyncio
import cProfile
import os
import pstats
import sys

from bench._inproc import rerun_with_cookies, signed_in_client


async def _run(path: str, who: str, n: int) -> None:
    async with signed_in_client(who) as client:
        for _ in range(20):
            await client.get(path)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(n):
            await client.get(path)
        profiler.disable()
    pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_PROFILE_SORT", "tottime")).print_stats(40)


if __name__ == "__main__":
    engine, path, who = sys.argv[1], sys.argv[2], (sys.argv[3:4] or ["employer"])[0]
    if os.environ.get("BENCH_COOKIES"):
        asyncio.run(_run(path, who, int(os.environ.get("BENCH_PROFILE_N", 200))))
    else:
        rerun_with_cookies("bench._cprofile", engine, sys.argv[1:])
