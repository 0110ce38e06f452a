"""Generating the scale data set (seeds.scale.load_scale): seconds per engine, measured when it was generated."""

from __future__ import annotations

from bench import _scale

# The issue: 1,000,000 persons in under 3 minutes on SQLite on this 2-core machine.
SQLITE_TARGET_S = 180.0


def run() -> list[dict]:
    rows = []
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
