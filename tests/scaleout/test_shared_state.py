"""State that several app processes share (issue #16), checked with real second processes on the test database:
number sequences, one-time form ids and rate-limit counts stay unique under concurrency; a dictionary or holiday
edit in one process reaches another's caches within versions.POLL_S."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date, timedelta

from portal.core import dictionary, versions
from portal.core.tables import DictEntry, Holiday
from portal.workflow import views
from tests.scaleout.cluster import ROOT

PEERS = 2
ROUNDS = 60


def _peers(action: str, *args: str, n: int = PEERS) -> list:
    """`n` processes doing `action` at the same moment; their printed results."""
    start = time.time() + 3.0  # after every interpreter has started
    procs = [subprocess.Popen([sys.executable, "-m", "tests.scaleout.peer", action, str(start), *args],  # noqa: S603
                              cwd=ROOT, env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(n)]
    results = []
    try:
        for p in procs:
            out, err = p.communicate(timeout=120)
            assert p.returncode == 0, err[-3000:]
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for p in procs:  # a peer that hangs must not keep holding the database
            if p.poll() is None:
                p.kill()
                p.wait()
    return results


def test_numbers_form_ids_and_rate_counts_are_unique_across_processes():
    got = _peers("unique", "460105-20261205-XP", str(ROUNDS))
    numbers = [n for one in got for n in one["numbers"]]
    assert sorted(numbers) == list(range(1, ROUNDS * PEERS + 1))
    assert all(one["numbers"] == sorted(one["numbers"]) for one in got)  # each process's own numbers increase
    # Both processes posted the same ROUNDS one-time form ids: each acted exactly once, in one process or the other.
    tokens = [t for one in got for t in one["tokens"]]
    assert len(tokens) == ROUNDS and len(set(tokens)) == ROUNDS
    assert sorted(n for one in got for n in one["rate"]) == list(range(1, ROUNDS * PEERS + 1))


async def _free_weekday(today: date) -> date:
    taken = {r["day"] for r in await Holiday.select(Holiday.day)}
    return next(d for d in (today - timedelta(days=30 - i) for i in range(60)) if d.weekday() < 5 and d not in taken)


async def test_dictionary_and_holiday_edits_in_another_process_reach_this_process(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(versions, "_clock", lambda: clock[0])
    dictionary.invalidate()
    views.forget_calendar()
    today = date.today()
    day = await _free_weekday(today)
    before = await dictionary.label("industry", "I")
    assert (await views.cached_calendar(today)).get(day) is None
    try:
        _peers("edits", "industry", "I", "信息技术（跨进程修改）", day.isoformat(), n=1)
        # Within the poll interval this process answers from its caches (their TTLs have not run out either).
        assert await dictionary.label("industry", "I") == before
        assert (await views.cached_calendar(today)).get(day) is None
        clock[0] += versions.POLL_S
        assert await dictionary.label("industry", "I") == "信息技术（跨进程修改）"
        assert (await views.cached_calendar(today)).get(day) is False  # a holiday: not a working day
    finally:
        # reference tables are not emptied between tests: put them back
        await DictEntry.update({DictEntry.label: before}).where(
            (DictEntry.category == "industry") & (DictEntry.code == "I"))
        await Holiday.delete().where(Holiday.day == day)
        dictionary.invalidate()
        views.forget_calendar()
