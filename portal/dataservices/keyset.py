"""Keyset paging, one implementation for every long list (grids, the workbench queue): the cursor in the URL,
the walk forward or back from it, the page's neighbours and its number. Page 500 costs what page 1 costs."""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from portal.webutil import valid_id

MAX_CURSOR = 400
MAX_PAGE_NUMBER = 10**6


@dataclass(frozen=True)
class Cursor:
    """A row's place in a list's order: its sort value (None where the sort column may be NULL) and its id."""

    value: Any
    id: int

    def encode(self) -> str:
        value = self.value.isoformat() if isinstance(self.value, (date, datetime)) else self.value
        raw = json.dumps([value, self.id], ensure_ascii=False, separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, raw: str | None, kind: str = "text") -> Cursor | None:
        """The cursor from a URL, its value typed for the sort column's `kind` (date, datetime, int, money, text);
        None (the first page) for anything malformed."""
        if not raw or len(raw) > MAX_CURSOR:
            return None
        try:
            value, ident = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
            if not valid_id(ident):
                return None
            if value is None:
                return cls(None, ident)
            if kind == "date":
                value = date.fromisoformat(value)
            elif kind == "datetime":
                value = datetime.fromisoformat(value)
            elif kind in {"money", "int", "period"}:
                if value.__class__ is not int:
                    return None
            elif value.__class__ not in (str, int, float):
                return None
            return cls(value, ident)
        except (ValueError, TypeError, json.JSONDecodeError):
            return None


@dataclass(frozen=True)
class PageRequest:
    """Which page the URL asks for: rows after a cursor (下一页), before one (上一页), or the first page."""

    after: Cursor | None = None
    before: Cursor | None = None
    number: int = 1

    @classmethod
    def read(cls, params: Mapping[str, str], kind: str = "text") -> PageRequest:
        after = Cursor.decode(params.get("after"), kind)
        before = Cursor.decode(params.get("before"), kind) if after is None else None
        raw = params.get("p") or "1"
        number = min(int(raw), MAX_PAGE_NUMBER) if raw.isdigit() and len(raw) < 8 else 1
        return cls(after, before, max(number, 1) if after or before else 1)

    def url_params(self, number: int | None = None) -> dict[str, str]:
        """This request's paging parameters (a list that reloads itself stays where it is), with the page's
        `number` as it turned out (a page whose rows before it are gone is page 1)."""
        if self.after is not None:
            return {"after": self.after.encode(), "p": str(number or self.number)}
        if self.before is not None:
            return {"before": self.before.encode(), "p": str(number or self.number)}
        return {}


@dataclass
class KeysetPage:
    rows: list[Any]
    number: int
    has_prev: bool  # rows come before this page (it may have emptied under the reader: then no `prev`)
    has_next: bool
    prev: Cursor | None  # the cursor of 上一页 (rows before the first row)
    next: Cursor | None  # the cursor of 下一页

    def prev_params(self) -> dict[str, str]:
        return {"before": self.prev.encode(), "p": str(self.number - 1)} if self.prev else {}

    def next_params(self) -> dict[str, str]:
        return {"after": self.next.encode(), "p": str(self.number + 1)} if self.next else {}


# walk(cursor or None, forward, limit) -> up to `limit` rows after (forward) or before the cursor, nearest first
Walk = Callable[[Cursor | None, bool, int], Awaitable[list[Any]]]


async def keyset_page(walk: Walk, request: PageRequest, size: int, key: Callable[[Any], Cursor]) -> KeysetPage:
    """One page: `size` rows in list order, and the cursors of its neighbours (`key` gives a row's cursor)."""
    if request.before is not None:
        rows = await walk(request.before, False, size + 1)
        has_prev, has_next = len(rows) > size, True
        rows = rows[:size][::-1]
    else:
        rows = await walk(request.after, True, size + 1)
        has_prev, has_next = request.after is not None, len(rows) > size
        rows = rows[:size]
    return KeysetPage(
        rows=rows, number=request.number if has_prev else 1, has_prev=has_prev, has_next=has_next,
        prev=key(rows[0]) if rows and has_prev else None,
        next=key(rows[-1]) if rows and has_next else None,
    )
