"""python -m bench._ab <checkout A> <checkout B> [rounds] [path …]: the same pages served from two checkouts, in turns.

Each checkout's portal runs in its own uvicorn (http_load's settings) on the scale set of BENCH_AB_ENGINE (sqlite);
wrk loads them alternately, A first in even rounds and B first in odd ones, so a busy moment of the machine lands on
both. On a loaded machine only the CPU per request is worth comparing. Make checkout A with
`git worktree add --detach /tmp/base <commit>` and link its `.venv`.
"""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

from bench import _scale
from bench import http_load as h


def main(argv: list[str]) -> None:
    dirs = argv[:2]
    rounds = int(argv[2]) if len(argv) > 2 else 4
    paths = argv[3:] or ["/workbench"]
    engine = os.environ.get("BENCH_AB_ENGINE", "sqlite")
    env = _scale.env(engine)
    cookies = _scale.run_worker("bench.http_load", engine)
    wrk = h._ensure_wrk()
    db_cpu = h._postgres_cpu if engine == "postgres" else None
    servers = []
    try:
        for d in dirs:
            _scale.ROOT = Path(d)  # Server starts in _scale.ROOT: the checkout's own code
            servers.append(h.Server("portal.app:create_app", {**env, "PYTHONPATH": d}).__enter__())
        results: dict[tuple[str, str], list[dict]] = {(d, p): [] for d in dirs for p in paths}
        for r in range(rounds):
            pairs = list(zip(dirs, servers, strict=True))
            for path in paths:
                cookie = f"portal_session={cookies['staff' if path.startswith('/workbench') else 'employer']}"
                for d, server in pairs if r % 2 == 0 else pairs[::-1]:
                    results[(d, path)].append(h._load(wrk, server, server.base + path, cookie, db_cpu))
        for (d, path), runs in results.items():
            line = (f"{d} {path}: req/s {[round(x['rps']) for x in runs]} median "
                    f"{statistics.median(x['rps'] for x in runs):.0f}, server CPU "
                    f"{statistics.median(x['cpu_ms'] for x in runs):.2f} ms")
            if db_cpu:
                line += f", PostgreSQL CPU {statistics.median(x['db_cpu_ms'] for x in runs):.3f} ms"
            print(line + f", errors {sum(x['errors'] for x in runs)}")
    finally:
        for server in servers:
            server.__exit__()


if __name__ == "__main__":
    main(sys.argv[1:])
