"""Timing helpers shared by the bench modules: percentiles and a timed loop."""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0–100) of the samples."""
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), math.ceil(p / 100 * len(ordered))))
    return ordered[rank - 1]


async def timed(
    fn: Callable[[], Awaitable[object]], *, runs: int, warmup: int = 2
) -> tuple[list[float], list[float]]:
    """(wall ms, this process's CPU ms) per call, after `warmup` untimed calls (caches, prepared statements).

    On a shared machine the wall time includes waiting for a core; the CPU time does not (but it leaves out
    the PostgreSQL server's own work)."""
    for _ in range(warmup):
        await fn()
    wall, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        await fn()
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return wall, cpu
