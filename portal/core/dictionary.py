"""Reading the reference dictionary (字典): cached per process; an edit in any process shows in every process
within versions.POLL_S (the shared version row), and the cache is reloaded after _TTL_S in any case."""

from __future__ import annotations

import json
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


# Tree categories chosen level by level (a cascade of selects): the name of each level, from the root down.
TREE_LEVELS: dict[str, tuple[str, ...]] = {
    "division": ("省", "市", "县（市、区）", "乡镇（街道）"),
    "industry": ("门类", "大类", "中类", "小类"),  # GB/T 4754-2017
}


class _Cache:
    def __init__(self) -> None:
        self.loaded_at = 0.0
        self.by_category: dict[str, list[Entry]] = {}
        # Per category: code → entry and parent code → enabled children (built once per load, for cascades).
        self.by_code: dict[str, dict[str, Entry]] = {}
        self.children: dict[str, dict[str, list[Entry]]] = {}
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
            self.by_code = {cat: {e.code: e for e in found} for cat, found in by_category.items()}
            self.children = {}
            for cat, found in by_category.items():
                tree: dict[str, list[Entry]] = {}
                for e in found:
                    if e.enabled:
                        tree.setdefault(e.parent_code, []).append(e)
                self.children[cat] = tree
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


async def children(category: str, parent_code: str = "") -> list[Entry]:
    """Enabled entries directly under `parent_code` ("" for the roots), in the dictionary's order."""
    await _cache.get()
    return _cache.children.get(category, {}).get(parent_code, [])


async def entry(category: str, code: str) -> Entry | None:
    """The entry with this code, enabled or not."""
    await _cache.get()
    return _cache.by_code.get(category, {}).get(code)


async def chain(category: str, path: list[str]) -> list[str]:
    """The codes from a root down to the deepest consistent choice of `path` (the selects of a cascade, top
    down). A first code deeper than a root brings its ancestors (a stored value); a code that is not a child
    of the one above it ends the chain (an upper level was changed and the lower choices are stale)."""
    await _cache.get()
    by_code = _cache.by_code.get(category, {})
    found: list[str] = []
    for code in (c for c in path if c):
        e = by_code.get(code)
        if e is None or not e.enabled:
            break
        if not found:
            ancestors = [code]
            parent = e.parent_code
            while parent and parent in by_code and parent not in ancestors:
                ancestors.insert(0, parent)
                parent = by_code[parent].parent_code
            found = ancestors
        elif e.parent_code == found[-1]:
            found.append(code)
        else:
            break
    return found


async def squad_for(division_code: str) -> Entry | None:
    """The 监察中队 of an operating address: the squad whose extra.divisions holds the address's division or its
    nearest ancestor; where several do (a town-less district's 大队 and 中队), the one deepest in the squad tree."""
    parents = {e.code: e.parent_code for e in await entries("division", include_disabled=True)}
    squads = await entries("squad")
    squad_parent = {s.code: s.parent_code for s in squads}

    def depth(code: str) -> int:
        n = 0
        while (code := squad_parent.get(code, "")) and n < 10:  # bounded: an edited tree could loop
            n += 1
        return n

    covering: dict[str, list[Entry]] = {}
    for squad in squads:
        try:
            listed = json.loads(squad.extra or "{}").get("divisions", [])
        except (ValueError, AttributeError):
            continue
        for division in listed:
            covering.setdefault(division, []).append(squad)
    code = division_code
    while code:
        if found := covering.get(code):
            return max(found, key=lambda s: depth(s.code))
        # A code the dictionary lacks (typed or retired) still has its county in its first six digits.
        code = parents.get(code, code[:6] if len(code) > 6 else "")
    return None
