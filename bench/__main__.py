"""python -m bench [module …]: run every bench/*.py exposing run() -> list[dict], print a table, write results.json."""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"
KEYS = ("name", "value", "unit", "target", "ok")


def discover(only: list[str]) -> list[str]:
    """Module names in file order; helpers start with an underscore and are skipped."""
    names = sorted(p.stem for p in HERE.glob("*.py") if not p.stem.startswith("_"))
    return [n for n in names if not only or n in only]


def check_row(row: dict, module: str) -> dict:
    missing = [k for k in KEYS if k not in row]
    if missing:
        raise ValueError(f"bench.{module}: a result lacks {missing}: {row}")
    return {**row, "module": module}


def fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 100 else f"{value:,.2f}" if abs(value) >= 1 else f"{value:.3f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def print_table(rows: list[dict]) -> None:
    header = ("result", "value", "unit", "target", "ok")
    lines = [
        (r["name"], fmt(r["value"]), r["unit"], fmt(r["target"]), {True: "ok", False: "MISS", None: ""}[r["ok"]])
        for r in rows
    ]
    widths = [max(_width(x) for x in col) for col in zip(header, *lines, strict=False)]
    for i, line in enumerate([header, *lines]):
        print("  ".join(_pad(cell, w, right=j in (1, 3)) for j, (cell, w) in enumerate(zip(line, widths, strict=True))))
        if i == 0:
            print("  ".join("-" * w for w in widths))


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(c) > 0x2E80 else 1 for c in str(text))


def _pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * (width - _width(text))
    return fill + text if right else text + fill


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(HERE.parent))
    rows: list[dict] = []
    failures: list[str] = []
    started = time.perf_counter()
    for name in discover(argv):
        module = importlib.import_module(f"bench.{name}")
        if not callable(getattr(module, "run", None)):
            continue
        print(f"bench: {name} …", file=sys.stderr, flush=True)
        t = time.perf_counter()
        try:
            rows += [check_row(r, name) for r in module.run()]
        except Exception:  # one broken module must not hide the others' figures
            failures.append(name)
            traceback.print_exc()
        print(f"bench: {name} done in {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
    print_table(rows)
    print(f"\nload average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: wall times include waiting for a core")
    RESULTS.write_text(json.dumps({
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load": os.getloadavg()},
        "seconds": round(time.perf_counter() - started, 1),
        "failed_modules": failures,
        "results": rows,
    }, ensure_ascii=False, indent=1, default=str))
    print(f"\nwritten {RESULTS.relative_to(HERE.parent)}; {sum(r['ok'] is False for r in rows)} target(s) missed"
          + (f"; modules failed: {', '.join(failures)}" if failures else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
