"""A bench case on a fresh SQLite database in its own process: `run_fresh("bench.x")` starts
`python -m bench.x --worker` with a temp database and var dir, and returns the JSON rows its last stdout line holds;
the worker calls `worker(case)` (migrations, reference data, then `asyncio.run(case())`)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_fresh(module: str, timeout: int = 1800) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix=f"bench-{module.rsplit('.', 1)[-1]}-") as tmp:
        env = {**os.environ, "PORTAL_VAR_DIR": tmp, "PORTAL_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
               "PORTAL_SECRET_KEY": "bench-secret-key-0123456789abcdef", "PICCOLO_CONF": "piccolo_conf",
               "PORTAL_STAFF_2FA": "0"}
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-m", module, "--worker"], cwd=ROOT, env=env, capture_output=True, timeout=timeout,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{module} failed ({done.returncode}):\n{done.stderr.decode()[-3000:]}")
        return json.loads(done.stdout.decode().strip().splitlines()[-1])


def worker(case: Callable[[], Awaitable[list[dict]]]) -> None:
    sys.path.insert(0, str(ROOT))
    subprocess.run([sys.executable, "-m", "piccolo.main", "migrations", "forwards", "all"], cwd=ROOT, check=True,
                   capture_output=True, env=os.environ)
    subprocess.run([sys.executable, "-m", "seeds", "reference"], cwd=ROOT, check=True, capture_output=True, env=os.environ)
    print(json.dumps(asyncio.run(case()), ensure_ascii=False), flush=True)
