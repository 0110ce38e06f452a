"""统计分析 (HRA-11): new and deregistered licences and filings per region and year, for the staff member's
jurisdiction. A province-wide scope groups by city, a city scope by district. The table is the accessible form; the
chart (the platform's) draws one year, or all years summed; each count drills down to its licences and filings;
xlsx export."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from litestar.exceptions import NotFoundException

from domains.hr_agency.tables import Licence, ServiceFiling
from portal.auth.principal import Principal, division_clause
from portal.core import dictionary
from portal.dataservices.charts import Chart, Series
from portal.dataservices.export import neutralise
from portal.dataservices.grid import Scope
from portal.dataservices.xlsxstream import HEADER, NUMBER, TEXT, SheetStream
from portal.db import fetch


@dataclass
class Statistics:
    years: list[int]
    # {"region" (the grouping prefix, e.g. 4601), "code", "label", "cells": {year: (new, ended)}, "new", "ended"}
    rows: list[dict] = field(default_factory=list)
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
        stats.rows.append({"region": code, "code": full, "label": labels.get(full, full), "cells": cells,
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


def chart(stats: Statistics, year: int | None) -> Chart:
    """新增 and 注销 per region: of one year, or (None) of all years summed, as the table's 合计 columns."""
    def value(row: dict, i: int) -> int:
        if year is None:
            return row["new"] if i == 0 else row["ended"]
        return row["cells"].get(year, (0, 0))[i]

    return Chart(key="hra-stats", title=f"{year}年各地区新增和注销" if year else "历年各地区新增和注销合计", unit="件",
                 categories=[r["label"] for r in stats.rows],
                 series=[Series(name, [value(r, i) for r in stats.rows]) for i, name in enumerate(("新增", "注销"))])


WHAT = {"new": "新增", "ended": "注销"}
_REGION = re.compile(r"^\d{2,9}$")


def drill_scope(principal: Principal, region: str, year: int, what: str) -> Scope:
    """The licences and filings behind one count of the table: under `region` (a division prefix inside the staff
    member's jurisdiction, else 404), added (`new`) or ended in `year` (0: any year)."""
    if what not in WHAT or not _REGION.match(region) or not principal.covers_division(region):
        raise NotFoundException()
    if year and not 1949 <= year <= 2100:
        raise NotFoundException()
    upper = region[:-1] + chr(ord(region[-1]) + 1)
    day = "reg.day" if what == "new" else "reg.revoked_on"
    sql, args = f"reg.division_code >= {{}} AND reg.division_code < {{}} AND {day} IS NOT NULL", [region, upper]
    if year:
        sql += f" AND {day} >= {{}} AND {day} <= {{}}"
        args += [date(year, 1, 1), date(year, 12, 31)]
    return Scope(sql, *args)


async def drill_title(region: str, year: int, what: str) -> str:
    label = await dictionary.label("division", region.ljust(6, "0"))
    return f"{label}{f'{year}年' if year else '历年'}{WHAT[what]}的机构"
