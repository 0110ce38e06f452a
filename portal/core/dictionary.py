"""Reading the reference dictionary (字典): cached per process; an edit in any process shows in every process
within versions.POLL_S (the shared version row), and the cache is reloaded after _TTL_S in any case."""

from __future__ import annotations

import time
from dataclasses import dataclass

from portal.core import versions
from portal.core.tables import DictEntry

_TTL_S = 30.0


@dataclass(frozen=True)
class Entry:
    code: str
    label: str
    parent_code: str
    extra: str
    enabled: bool = True


class _Cache:
    def __init__(self) -> None:
        self.loaded_at = 0.0
        self.by_category: dict[str, list[Entry]] = {}
        self.version = 0

    async def get(self) -> dict[str, list[Entry]]:
        # the version is read before the rows: an edit committed while they load is seen on the next call
        version = await _version.current()
        if time.monotonic() - self.loaded_at > _TTL_S or version != self.version:
            rows = (
                await DictEntry.select(
                    DictEntry.category, DictEntry.code, DictEntry.label, DictEntry.parent_code, DictEntry.extra,
                    DictEntry.enabled,
                )
                .order_by(DictEntry.category)
                .order_by(DictEntry.sort_order)
                .order_by(DictEntry.code)
            )
            by_category: dict[str, list[Entry]] = {}
            for r in rows:
                by_category.setdefault(r["category"], []).append(
                    Entry(
                        r["code"], r["label"], r["parent_code"], r["extra"] if isinstance(r["extra"], str) else "",
                        bool(r["enabled"]),
                    )
                )
            self.by_category = by_category
            self.loaded_at = time.monotonic()
            self.version = version
        return self.by_category


_cache = _Cache()
_version = versions.Watch(versions.DICTIONARY)


def invalidate() -> None:
    """This process reloads on its next read; other processes learn of the edit from
    versions.bump(versions.DICTIONARY)."""
    _cache.loaded_at = 0.0
    _version.forget()


async def entries(category: str, *, include_disabled: bool = False) -> list[Entry]:
    """Enabled entries (what may be chosen now); with include_disabled also the ones an admin retired."""
    found = (await _cache.get()).get(category, [])
    return found if include_disabled else [e for e in found if e.enabled]


async def choices(category: str) -> list[tuple[str, str]]:
    """(code, label) pairs for a <select>: enabled entries only."""
    return [(e.code, e.label) for e in await entries(category)]


async def label(category: str, code: str) -> str:
    """The label of a stored code, also when the entry was disabled later (old records keep their words)."""
    for e in await entries(category, include_disabled=True):
        if e.code == code:
            return e.label
    return code


async def labels(category: str) -> dict[str, str]:
    return {e.code: e.label for e in await entries(category, include_disabled=True)}


async def code_for_label(category: str, text: str) -> str | None:
    """Spreadsheets carry labels (drop-downs show words); map back to an enabled entry's code, or None."""
    text = text.strip()
    for e in await entries(category):
        if e.label == text or e.code == text:
            return e.code
    return None
