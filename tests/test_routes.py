"""Route snapshot: every path + method + name is listed in tests/routes.snapshot, so no URL vanishes unnoticed.

After adding or renaming a route on purpose: `UPDATE_ROUTE_SNAPSHOT=1 .venv/bin/pytest tests/test_routes.py`
and commit tests/routes.snapshot with the change.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.security.routes import fresh_app, snapshot_lines

SNAPSHOT = Path(__file__).with_name("routes.snapshot")


def test_routes_match_the_snapshot():
    current = snapshot_lines(fresh_app())
    if os.environ.get("UPDATE_ROUTE_SNAPSHOT") == "1":
        SNAPSHOT.write_text("\n".join(current) + "\n", encoding="utf-8")
    expected = [line for line in SNAPSHOT.read_text(encoding="utf-8").splitlines() if line.strip()]
    missing = sorted(set(expected) - set(current))
    added = sorted(set(current) - set(expected))
    hint = "\nIf intended: UPDATE_ROUTE_SNAPSHOT=1 .venv/bin/pytest tests/test_routes.py, then commit tests/routes.snapshot"
    assert not missing, "routes disappeared:\n" + "\n".join(missing) + hint
    assert not added, "routes not in the snapshot:\n" + "\n".join(added) + hint
