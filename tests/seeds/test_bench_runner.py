"""The bench runner's contract (rows with name/value/unit/target/ok, helper modules skipped) and percentiles."""

from __future__ import annotations

import pytest

from bench.__main__ import check_row, discover
from bench._timing import percentile


def test_percentiles_use_the_nearest_rank():
    samples = [float(i) for i in range(1, 101)]
    assert percentile(samples, 50) == 50.0
    assert percentile(samples, 95) == 95.0
    assert percentile([3.0, 1.0, 2.0], 100) == 3.0
    assert percentile([7.0], 95) == 7.0


def test_rows_missing_a_key_are_refused():
    row = {"name": "x", "value": 1.0, "unit": "ms", "target": 50.0, "ok": True}
    assert check_row(row, "grids")["module"] == "grids"
    with pytest.raises(ValueError, match="lacks"):
        check_row({"name": "x", "value": 1.0}, "grids")


def test_discovery_finds_the_benchmarks_and_skips_helpers():
    found = discover([])
    assert {"grids", "http_load", "seeding"} <= set(found)
    assert not [n for n in found if n.startswith("_")]
    assert discover(["grids"]) == ["grids"]
