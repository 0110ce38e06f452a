"""Haikou's 琼山区 and 美兰区 towns move to their 统计用区划代码 (issue 14 item 21).

The first division.csv numbered their 镇 from xxx100; the statistics table numbers them from xxx101 (琼山区 龙塘镇
460107101 … 旧州镇 460107107, 美兰区 灵山镇 460108101 … 大致坡镇 460108104) and names 460108005 人民街道. The loader
adds only missing codes, so a database seeded from the old file would keep 460107101 = 云龙镇 beside the file's
460107101 = 龙塘镇: the old dictionary entries and their 中队 are renumbered here, highest first so no code collides.
Only entries still carrying the old seed label move (an administrator's own entry is left alone).
"""

import json

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T15:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "renumber Haikou towns to the statistics codes"


def _moves(county: str, labels: list[str]) -> list[tuple[str, str, str]]:
    """(old code, new code, label), highest first."""
    return [(f"{county}{100 + i}", f"{county}{101 + i}", label) for i, label in reversed(list(enumerate(labels)))]


MOVES = _moves("460107", ["龙塘镇", "云龙镇", "红旗镇", "三门坡镇", "大坡镇", "甲子镇", "旧州镇"]) + _moves(
    "460108", ["灵山镇", "演丰镇", "三江镇", "大致坡镇"])
SQUAD = "劳动保障监察中队"


async def migrate() -> None:
    from piccolo.engine.finder import engine_finder
    from piccolo.querystring import QueryString

    engine = engine_finder()

    async def move(category: str, old: str, new: str, label: str, extra: str | None) -> None:
        taken = await engine.run_querystring(QueryString(
            "SELECT id FROM dict_entry WHERE category = {} AND code = {}", category, new))
        if taken:
            return
        sql = "UPDATE dict_entry SET code = {}" + (", extra = {}" if extra is not None else "")
        sql += " WHERE category = {} AND code = {} AND label = {}"
        args = [new, *([extra] if extra is not None else []), category, old, label]
        await engine.run_querystring(QueryString(sql, *args))

    for old, new, label in MOVES:
        await move("division", old, new, label, None)
        await move("squad", f"Z{old}", f"Z{new}", label + SQUAD, json.dumps({"divisions": [new]}))
    for category, old, new in (("division", "人民路街道", "人民街道"), ("squad", "人民路街道" + SQUAD, "人民街道" + SQUAD)):
        await engine.run_querystring(QueryString(
            "UPDATE dict_entry SET label = {} WHERE category = {} AND code = {} AND label = {}",
            new, category, ("Z" if category == "squad" else "") + "460108005", old))


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    manager.add_raw(migrate)
    return manager
