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
    # Lines starting with # cite where a file's rows come from (division.csv, squad.csv).
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(line for line in fh if not line.startswith("#")))
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


def read_holidays(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            {"day": date.fromisoformat(r["day"]), "is_workday": r["is_workday"] == "1", "name": r["name"].strip()}
            for r in csv.DictReader(fh)
        ]


def read_all(directory: Path) -> tuple[dict[str, list[dict]], list[dict]]:
    """Every category file and the holiday file, parsed before any database work (a bad file fails early)."""
    categories = {p.stem: read_category(p) for p in sorted(directory.glob("*.csv")) if p.stem != "holidays"}
    for rows in categories.values():
        for row in rows:
            json.loads(row["extra"])
    return categories, read_holidays(directory / "holidays.csv")


async def load_reference(directory: Path = REFERENCE_DIR) -> dict[str, int]:
    """Insert entries that are missing; an administrator's later edits to existing entries are kept."""
    from portal.core import dictionary, versions

    categories, holidays = read_all(directory)
    added: dict[str, int] = {}
    async with write_transaction():
        for category, rows in categories.items():
            existing = {
                r["code"] for r in await DictEntry.select(DictEntry.code).where(DictEntry.category == category)
            }
            new = [DictEntry(category=category, **row) for row in rows if row["code"] not in existing]
            if new:
                await DictEntry.insert(*new)
            added[category] = len(new)
        if holidays:
            # A year already in the calendar belongs to the administrator (who may have removed or changed days,
            # and every start-up loads this file again): only years not there at all are added.
            known_years = {r["day"].year for r in await Holiday.select(Holiday.day)}
            new_days = [Holiday(**h) for h in holidays if h["day"].year not in known_years]
            if new_days:
                await Holiday.insert(*new_days)
            added["holidays"] = len(new_days)
        # running app processes reload what they cached (issue #16)
        if any(n for k, n in added.items() if k != "holidays"):
            await versions.bump(versions.DICTIONARY)
        if added.get("holidays"):
            await versions.bump(versions.HOLIDAYS)
    dictionary.invalidate()
    return added
