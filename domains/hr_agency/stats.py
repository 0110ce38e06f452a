"""统计分析 (HRA-11): new and deregistered licences and filings per region and year, for the staff member's
jurisdiction. A province-wide scope groups by city, a city scope by district. Table first; xlsx export."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from domains.hr_agency.tables import Licence, ServiceFiling
from portal.auth.principal import Principal, division_clause
from portal.core import dictionary
from portal.dataservices.export import neutralise
from portal.dataservices.xlsxstream import HEADER, NUMBER, TEXT, SheetStream
from portal.db import fetch


@dataclass
class Statistics:
    years: list[int]
    rows: list[dict] = field(default_factory=list)  # {"code", "label", "cells": {year: (new, ended)}, "new", "ended"}
    total: dict = field(default_factory=dict)


def region_length(principal: Principal) -> int:
    """Group by city (4 digits) for a province scope, else by district (6 digits)."""
    codes = [c for c in principal.scopes.get("division", ()) if c]
    return 4 if any(c.rstrip("0") and len(c.rstrip("0")) <= 2 for c in codes) else 6


async def _counts(principal: Principal, table, day_column: str, *, ended: bool) -> list[dict]:
    clause = division_clause(principal, table.division_code)
    if clause is None:
        return []
    n = region_length(principal)
    day = "revoked_on" if ended else day_column
    extra = " AND revoked_on IS NOT NULL" if ended else ""
    name = table._meta.tablename
    return await fetch(
        f"SELECT substr(division_code, 1, {n}) AS region, substr(CAST({day} AS TEXT), 1, 4) AS year, COUNT(*) AS n "
        f"FROM {name} WHERE {{}}{extra} GROUP BY substr(division_code, 1, {n}), substr(CAST({day} AS TEXT), 1, 4)",
        clause.querystring,
    )


async def statistics(principal: Principal) -> Statistics:
    new: dict[tuple[str, int], int] = {}
    ended: dict[tuple[str, int], int] = {}
    for table, day in ((Licence, "issued_on"), (ServiceFiling, "filed_on")):
        for target, is_end in ((new, False), (ended, True)):
            for r in await _counts(principal, table, day, ended=is_end):
                key = (str(r["region"]), int(r["year"]))
                target[key] = target.get(key, 0) + int(r["n"])
    years = sorted({y for _, y in (*new, *ended)})
    labels = await dictionary.labels("division")
    stats = Statistics(years=years)
    for code in sorted({c for c, _ in (*new, *ended)}):
        full = code.ljust(6, "0")
        cells = {y: (new.get((code, y), 0), ended.get((code, y), 0)) for y in years}
        stats.rows.append({"code": full, "label": labels.get(full, full), "cells": cells,
                           "new": sum(a for a, _ in cells.values()), "ended": sum(b for _, b in cells.values())})
    stats.total = {
        "cells": {y: (sum(r["cells"][y][0] for r in stats.rows), sum(r["cells"][y][1] for r in stats.rows))
                  for y in years},
        "new": sum(r["new"] for r in stats.rows), "ended": sum(r["ended"] for r in stats.rows),
    }
    return stats


def workbook(stats: Statistics) -> bytes:
    """The same table as the page: 地区, then 新增/注销 per year, then the totals."""
    header = ["地区"] + [f"{y}年{w}" for y in stats.years for w in ("新增", "注销")] + ["合计新增", "合计注销"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "stats.xlsx"
        sheet = SheetStream(path, "人力资源服务机构新增注销统计", [24] + [12] * (len(header) - 1))
        sheet.rows([[(neutralise(h), HEADER) for h in header]])
        for r in [*stats.rows, {"label": "合计", **stats.total}]:
            cells = [(neutralise(r["label"]), TEXT)]
            for y in stats.years:
                cells += [(r["cells"][y][0], NUMBER), (r["cells"][y][1], NUMBER)]
            sheet.rows([cells + [(r["new"], NUMBER), (r["ended"], NUMBER)]])
        sheet.close()
        return path.read_bytes()
