"""How a cache in one app process learns that another process edited what it holds (issue #16).

The dictionary and the holiday calendar are read on nearly every page and cached per process. An edit bumps
its name's row in shared_version, in the editor's own transaction; a cache remembers the version it loaded and
reloads when the row says otherwise. The row is read at most every POLL_S per process, so an edit shows in
every process within POLL_S (plus the edit's commit), not only after the cache's TTL.
"""

from __future__ import annotations

import time

from portal.core.tables import SharedVersion
from portal.db import fetch

POLL_S = 2.0
# The names of the versioned data: their edits bump them, their caches watch them.
DICTIONARY = "dictionary"
HOLIDAYS = "holidays"
_clock = time.monotonic


async def bump(name: str) -> None:
    """Call inside the transaction that edits `name`'s data: readers see the new version with the new rows."""
    table = SharedVersion._meta.tablename
    await fetch(
        f'INSERT INTO "{table}" ("name", "version") VALUES ({{}}, 1) '
        f'ON CONFLICT ("name") DO UPDATE SET "version" = "{table}"."version" + 1',
        name,
    )


class Watch:
    """The current version of `name`, read from the database at most every POLL_S."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._read_at = float("-inf")
        self._version = 0

    async def current(self) -> int:
        now = _clock()
        if now - self._read_at >= POLL_S:
            row = await SharedVersion.select(SharedVersion.version).where(SharedVersion.name == self.name).first()
            self._version = row["version"] if row else 0
            self._read_at = now
        return self._version

    def forget(self) -> None:
        """Read the row again on the next call (after this process's own edit, and between tests)."""
        self._read_at = float("-inf")
