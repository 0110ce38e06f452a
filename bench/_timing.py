"""Timing helpers shared by the bench modules: percentiles and a timed loop."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0–100) of the samples."""
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


async def timed(fn: Callable[[], Awaitable[object]], *, runs: int, warmup: int = 2) -> list[float]:
    """Milliseconds per call, after `warmup` untimed calls (caches, prepared statements)."""
    for _ in range(warmup):
        await fn()
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        await fn()
        out.append((time.perf_counter() - t) * 1000)
    return out
