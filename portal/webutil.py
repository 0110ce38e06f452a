"""Small request helpers shared by every controller."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from litestar.exceptions import NotFoundException, ValidationException
from litestar.types import ASGIApp, Receive, Scope, Send

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


# Row ids are PostgreSQL `serial` (int4). A bigger number in a URL names no row, and handing it to the database
# overflows (a 500: PostgreSQL past 2**31 - 1, SQLite past 2**63 - 1), so it is refused before any query.
MAX_ID = 2**31 - 1
# `page=` numbers become OFFSETs; no list has ten million pages. (Keyset lists' `p=` is only displayed: a bad
# one already means the first page.)
MAX_PAGE = 10_000_000


def valid_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_ID


class NumberRangeMiddleware:
    """An int path parameter out of the id range is 404, a huge `page=` is 400 — for every route at once
    (issue #12 item 3) instead of a bound on each handler's signature.

    A middleware rather than a before_request hook: an Area's gate is its router's before_request, and
    Litestar runs only the closest layer's hook. The router has already parsed the path parameters.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for value in (scope.get("path_params") or {}).values():
                if isinstance(value, int) and not valid_id(value):
                    raise NotFoundException()
            raw = next((v for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1")) if k == "page"), "")
            if raw.isdigit() and (len(raw) > len(str(MAX_PAGE)) or int(raw) > MAX_PAGE):
                raise ValidationException("页码超出范围，请返回第一页")
        await self.app(scope, receive, send)
