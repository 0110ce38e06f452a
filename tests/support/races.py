"""Concurrency tests: what each of several racing calls ended with."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from portal.refusal import Refused


async def refusal(call: Awaitable[Any]) -> str:
    """'' when the call went through, else the Chinese refusal it raised (Refused, the workflow's errors included)."""
    try:
        await call
        return ""
    except Refused as exc:
        return exc.message
