"""Generating the scale data set (seeds.scale.load_scale): seconds per engine, measured when it was generated."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench import _scale

# The issue: 1,000,000 persons in under 3 minutes on SQLite on this 2-core machine.
SQLITE_TARGET_S = 180.0


def persons_only() -> dict:
    """1,000,000 persons alone into a fresh SQLite file (the issue's target), recorded once per size and seed."""
    wanted = _scale.sizes()
    marker = _scale.VAR / "persons-only.json"
    if marker.exists():
        recorded = json.loads(marker.read_text())
        if all(recorded.get(k) == v for k, v in wanted.items()):
            return {**recorded, "reused": True}
    path = _scale.VAR / "persons-only.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    env = {**_scale.env("sqlite"), "PORTAL_DATABASE_URL": f"sqlite:///{path}"}
    for args in (("-m", "piccolo.main", "migrations", "forwards", "all"), ("-m", "seeds", "reference")):
        subprocess.run([sys.executable, *args], cwd=_scale.ROOT, env=env, check=True, capture_output=True)  # noqa: S603
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bench._scale", "--load", "--persons-only"], cwd=_scale.ROOT, env=env, check=True,
        capture_output=True,
    )
    stats = {**wanted, **json.loads(done.stdout.decode().strip().splitlines()[-1]), "load_avg_1m": os.getloadavg()[0]}
    marker.write_text(json.dumps(stats, indent=1))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return {**stats, "reused": False}


def run() -> list[dict]:
    rows = []
    only = persons_only()
    note = " (recorded)" if only.get("reused") else ""
    rows.append({"name": f"seed sqlite: {only['persons']:,} persons alone, generate + insert{note}",
                 "value": only["persons_only_s"], "unit": "s wall", "target": SQLITE_TARGET_S,
                 "ok": only["persons_only_s"] < SQLITE_TARGET_S})
    rows.append({"name": f"seed sqlite: {only['persons']:,} persons alone, whole load incl. employers{note}",
                 "value": only["total_s"], "unit": "s wall", "target": None, "ok": None})
    for engine in _scale.engines():
        stats = _scale.ensure(engine)
        label = f"seed {engine}: {stats['persons']:,} persons, {stats['employers']:,} employers"
        note = " (recorded)" if stats.get("reused") else ""
        per_million = stats["total_s"] * 1_000_000 / max(stats["persons"], 1)
        target = SQLITE_TARGET_S if engine == "sqlite" else None
        rows += [
            {"name": f"{label}, all tables{note}", "value": stats["total_s"], "unit": "s wall",
             "target": None, "ok": None},
            {"name": f"{label}, CPU of the loader{note}", "value": stats.get("cpu_s"), "unit": "s cpu",
             "target": None, "ok": None},
            {"name": f"seed {engine}: wall time scaled to 1,000,000 persons{note}", "value": round(per_million, 1),
             "unit": "s", "target": target, "ok": None if target is None else per_million < target},
            {"name": f"seed {engine}: rows — contracts {stats.get('contracts', 0):,}, matters "
                     f"{stats.get('matters', 0):,}, events {stats.get('matter_events', 0):,}",
             "value": stats.get("contracts", 0) + stats.get("matters", 0) + stats.get("matter_events", 0)
             + stats["persons"] + stats["employers"], "unit": "rows", "target": None, "ok": None},
        ]
    return rows
