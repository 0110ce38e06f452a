"""Load the reference dictionary and holiday calendar from the files under seeds/reference/, idempotently."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

from portal.core.tables import DictEntry, Holiday
from portal.db import write_transaction

REFERENCE_DIR = Path(__file__).parent / "reference"


def read_category(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [
        {
            "code": r["code"].strip(),
            "label": r["label"].strip(),
            "parent_code": (r.get("parent_code") or "").strip(),
            "sort_order": int(r.get("sort_order") or i),
            "extra": (r.get("extra") or "").strip() or "{}",
        }
        for i, r in enumerate(rows)
    ]


async def load_reference(directory: Path = REFERENCE_DIR) -> dict[str, int]:
    """Insert entries that are missing; an administrator's later edits to existing entries are kept."""
    added: dict[str, int] = {}
    async with write_transaction():
        for path in sorted(directory.glob("*.csv")):
            if path.stem == "holidays":
                continue
            category = path.stem
            existing = {
                r["code"] for r in await DictEntry.select(DictEntry.code).where(DictEntry.category == category)
            }
            new = [DictEntry(category=category, **row) for row in read_category(path) if row["code"] not in existing]
            for row in new:
                json.loads(row.extra)  # a malformed file fails the load, not a later page
            if new:
                await DictEntry.insert(*new)
            added[category] = len(new)
        holidays = directory / "holidays.csv"
        if holidays.exists():
            known = {r["day"] for r in await Holiday.select(Holiday.day)}
            with holidays.open(encoding="utf-8", newline="") as fh:
                rows = [
                    Holiday(day=date.fromisoformat(r["day"]), is_workday=r["is_workday"] == "1", name=r["name"])
                    for r in csv.DictReader(fh)
                    if date.fromisoformat(r["day"]) not in known
                ]
            if rows:
                await Holiday.insert(*rows)
            added["holidays"] = len(rows)
    from portal.core import dictionary

    dictionary.invalidate()
    return added
