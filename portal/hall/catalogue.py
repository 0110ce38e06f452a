"""The service hall's catalogue: services by audience and theme, their guide text, and the search over both."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from portal.areas import AUDIENCES, Service

SEARCH_MAX = 40  # characters of a query


@dataclass(frozen=True)
class Theme:
    name: str
    services: list[Service]


def by_theme(services: Iterable[Service], audience: str) -> list[Theme]:
    """One audience's services grouped by theme, themes in the order their first service comes."""
    themes: dict[str, list[Service]] = {}
    for s in services:
        if s.audience == audience:
            themes.setdefault(s.theme, []).append(s)
    return [Theme(name, items) for name, items in themes.items()]


def guide_text(service: Service, kind: Any | None) -> str:
    """Everything the service's 办事指南 says in words: what the search reads."""
    parts = [service.name, service.theme, service.summary, service.guide, service.keywords]
    if kind is not None:
        parts += [kind.name, kind.guide_text, *(m.label for m in kind.materials)]
    return " ".join(p for p in parts if p)


def normalise(text: str) -> str:
    """Full-width letters and digits fold to ASCII (NFKC), case folds, spaces go: 'Ｅｘｃｅｌ 导入' ~ 'excel导入'."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


@dataclass(frozen=True)
class Hit:
    service: Service
    in_name: bool  # the words are in the name or summary (else only in the guide)


def search(services: Sequence[Service], query: str, kind_of: Callable[[str], Any | None]) -> list[Hit]:
    """Services whose name, summary, theme, keywords or guide (with its matter kind's guide and materials)
    contain every word of the query; those matching by name or summary first, then by audience and order."""
    words = [normalise(w) for w in query[:SEARCH_MAX].split() if w.strip()]
    if not words:
        return []
    hits: list[Hit] = []
    for s in services:
        text = normalise(guide_text(s, kind_of(s.kind) if s.kind else None))
        if all(w in text for w in words):
            title = normalise(f"{s.name} {s.summary} {s.theme}")
            hits.append(Hit(s, all(w in title for w in words)))
    audiences = list(AUDIENCES)
    return sorted(hits, key=lambda h: (not h.in_name, audiences.index(h.service.audience), h.service.order))


def default_audience(principal: Any | None, asked: str) -> str:
    """The tab shown: the one asked for, else the signed-in applicant's own, else 个人服务 (as provincial halls)."""
    if asked in AUDIENCES:
        return asked
    kind = getattr(principal, "kind", "")
    return kind if kind in AUDIENCES else "person"
