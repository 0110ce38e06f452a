"""One chart component for every domain: a spec the server builds, handed to the page as a JSON data island.

The page renders it with `templates/components/chart.html` (`chart` macro) and `static/js/chart.js` draws it with
the vendored ECharts; no inline script (CSP). The data table beside the chart stays the accessible and no-JS form:
the macro renders one from the same spec unless the caller supplies its own richer table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

KINDS = ("bar", "line")
_ID = re.compile(r"^[a-z][a-z0-9-]{0,40}$")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int | float | None]
    stack: str | None = None  # series sharing a stack name are drawn on top of each other


@dataclass(frozen=True)
class Chart:
    key: str                  # DOM id stem, unique on the page
    title: str                # the chart's caption and accessible name
    categories: Sequence[str]  # the x axis (e.g. 1月 … 12月, or regions)
    series: Sequence[Series] = field(default_factory=tuple)
    kind: str = "bar"
    unit: str = ""            # shown on the axis and in the tooltip (元, 家, 人)
    money: bool = False       # values are integer 分; drawn and tabled in 元 with two decimals

    def __post_init__(self) -> None:
        if not _ID.match(self.key):
            raise ValueError(f"chart key {self.key!r}: lowercase letters, digits and hyphens")
        if self.kind not in KINDS:
            raise ValueError(f"chart kind {self.kind!r} not in {KINDS}")
        for s in self.series:
            if len(s.values) != len(self.categories):
                raise ValueError(f"series {s.name!r} has {len(s.values)} values for {len(self.categories)} categories")

    def _value(self, v: int | float | None) -> int | float | None:
        if v is None or not self.money:
            return v
        return round(v / 100, 2)

    def data(self) -> dict[str, Any]:
        """The JSON island: only what the chart draws (money already in 元)."""
        return {
            "title": self.title, "kind": self.kind, "unit": self.unit, "money": self.money,
            "categories": list(self.categories),
            "series": [{"name": s.name, "stack": s.stack, "values": [self._value(v) for v in s.values]}
                       for s in self.series],
        }

    def table_rows(self) -> list[tuple[str, list[str]]]:
        """The fallback table: one row per category, one cell per series, as the page prints numbers."""
        from portal.values import yuan

        def cell(v: int | float | None) -> str:
            if v is None:
                return ""
            return yuan(int(v)) if self.money else f"{v:,}"

        return [(c, [cell(s.values[i]) for s in self.series]) for i, c in enumerate(self.categories)]
