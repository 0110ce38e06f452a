"""Small request helpers shared by every controller."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_CONTROL = re.compile(r"[\x00-\x1f\x7f\\]")


def safe_next(value: object, default: str = "/") -> str:
    """Only a local absolute path survives; everything else (//x, \\\\x, http:/\\/x, javascript:) goes home."""
    if not isinstance(value, str) or not value:
        return default
    if _CONTROL.search(value) or not value.startswith("/") or value.startswith("//"):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value
