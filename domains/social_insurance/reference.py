"""Rates and limits (reference data): the seed files under reference/ with their sources, loaded once."""

from __future__ import annotations

import csv
from pathlib import Path

from piccolo.querystring import QueryString

REFERENCE_DIR = Path(__file__).parent / "reference"

RATE_COLUMNS = ("insurance", "risk_class", "effective_from", "employer_rate", "personal_rate", "source")
LIMIT_COLUMNS = ("effective_from", "base_floor", "base_ceiling", "interest_rate", "source")


def read_rows(name: str, columns: tuple[str, ...]) -> list[tuple]:
    with (REFERENCE_DIR / name).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [tuple(r[c] if c in ("insurance", "source") else int(r[c]) for c in columns) for r in rows]


async def load(engine) -> None:
    """Insert the seed rows into empty tables only: once an administrator has edited them, they are theirs."""
    for table, name, columns in (("si_rate", "rates.csv", RATE_COLUMNS), ("si_limit", "limits.csv", LIMIT_COLUMNS)):
        existing = await engine.run_querystring(QueryString(f"SELECT COUNT(*) AS n FROM {table}"))
        if existing[0]["n"]:
            continue
        placeholders = ", ".join("{}" for _ in columns)
        for row in read_rows(name, columns):
            await engine.run_querystring(
                QueryString(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", *row))
