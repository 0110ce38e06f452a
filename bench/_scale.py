"""The scale data sets the benchmarks run on: one SQLite file under var/bench/ and the portal_bench database.

Generated once (migrate, reference data, `seeds.scale.load_scale`) and reused while the sizes and seed match;
the generation is timed when it happens and the figures are kept beside the data for later reports.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("BENCH_VAR_DIR") or ROOT / "var" / "bench")
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/portal_bench")


def sizes() -> dict[str, int]:
    return {
        "employers": int(os.environ.get("BENCH_EMPLOYERS", 50_000)),
        "persons": int(os.environ.get("BENCH_PERSONS", 1_000_000)),
        "seed": int(os.environ.get("BENCH_SEED", 20261123)),
        # what the generator makes: bumped when it makes more (2: 人员增减员 applications), so a kept set is rebuilt
        "content": 2,
    }


def si_periods() -> int | None:
    """BENCH_SI_PERIODS: assessed 结算期 of the social-insurance records (default 12); 0 leaves them out, for runs
    that do not read them (the PostgreSQL SI load alone takes most of an hour)."""
    value = os.environ.get("BENCH_SI_PERIODS")
    return int(value) if value else None


def engines() -> list[str]:
    """SQLite always; PostgreSQL when a server answers (BENCH_ENGINES=sqlite limits the run)."""
    wanted = os.environ.get("BENCH_ENGINES", "sqlite,postgres").split(",")
    found = []
    if "sqlite" in wanted:
        found.append("sqlite")
    if "postgres" in wanted:
        try:
            with socket.create_connection(("127.0.0.1", 5432), timeout=1):
                found.append("postgres")
        except OSError:
            print("bench: PostgreSQL not reachable on 127.0.0.1:5432, skipped", file=sys.stderr)
    return found


def database_url(engine: str) -> str:
    return f"sqlite:///{VAR / 'scale.sqlite3'}" if engine == "sqlite" else PG_URL


def env(engine: str) -> dict[str, str]:
    """The environment of a portal process (worker, migration, server) on the bench data set."""
    var_dir = VAR / engine
    var_dir.mkdir(parents=True, exist_ok=True)
    out = dict(os.environ)
    out.update(
        PORTAL_DATABASE_URL=database_url(engine),
        PORTAL_VAR_DIR=str(var_dir),
        PICCOLO_CONF="piccolo_conf",
        PORTAL_STAFF_2FA="0",
        PYTHONPATH=str(ROOT),
    )
    return out


def _marker(engine: str) -> Path:
    return VAR / f"{engine}-scale.json"


async def _reset_pg_database() -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        name = PG_URL.rsplit("/", 1)[1]
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def _reset(engine: str) -> None:
    """A fresh, empty database: sizes changed, or an earlier generation did not finish."""
    if engine == "postgres":
        asyncio.run(_reset_pg_database())
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(str(VAR / "scale.sqlite3") + suffix).unlink(missing_ok=True)


def ensure(engine: str) -> dict:
    """Reuse the data set when its marker matches the sizes, else rebuild it; migrate either way (cheap, and
    tables other apps added since appear)."""
    VAR.mkdir(parents=True, exist_ok=True)
    e = env(engine)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, *args], cwd=ROOT, env=e, check=True, capture_output=True)  # noqa: S603

    marker = _marker(engine)
    wanted = sizes()
    recorded = json.loads(marker.read_text()) if marker.exists() else {}
    if recorded and all(recorded.get(k) == v for k, v in wanted.items()):
        run("-m", "piccolo.main", "migrations", "forwards", "all")
        if "si_enrolments" not in recorded and "si_skipped" not in recorded and si_periods() != 0:
            # A data set from before the social-insurance records: load_scale skips what is there and adds them.
            done = run("-m", "bench._scale", "--load")
            recorded = {**recorded, **json.loads(done.stdout.decode().strip().splitlines()[-1]),
                        "si_load_avg_1m": os.getloadavg()[0]}
            recorded.pop("skipped", None)
            marker.write_text(json.dumps(recorded, indent=1, default=str))
        return {**recorded, "reused": True}
    marker.unlink(missing_ok=True)
    _reset(engine)
    run("-m", "piccolo.main", "migrations", "forwards", "all")
    run("-m", "seeds", "reference")
    print(f"bench: generating scale data on {engine} ({wanted['employers']} employers, "
          f"{wanted['persons']} persons) …", file=sys.stderr, flush=True)
    done = run("-m", "bench._scale", "--load")
    stats = json.loads(done.stdout.decode().strip().splitlines()[-1])
    # The machine is shared: the load average says how far the wall time is from the CPU time.
    recorded = {**wanted, **stats, "engine": engine, "load_avg_1m": os.getloadavg()[0]}
    marker.write_text(json.dumps(recorded, indent=1, default=str))
    return {**recorded, "reused": False}


async def _load(with_contracts: bool) -> dict:
    from piccolo_conf import DB  # noqa: F401  (the engine from PORTAL_DATABASE_URL)
    from seeds.scale import load_scale

    s = sizes()
    return await load_scale(s["employers"], s["persons"], s["seed"], quiet=True, with_contracts=with_contracts,
                            si_periods=si_periods())


if __name__ == "__main__" and sys.argv[1:2] == ["--load"]:
    print(json.dumps(asyncio.run(_load(with_contracts="--persons-only" not in sys.argv)), default=str))


def run_worker(module: str, engine: str, *args: str) -> object:
    """Run `python -m <module> --worker …` on the engine's data set; its last stdout line is JSON."""
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", module, "--worker", *args], cwd=ROOT, env=env(engine), capture_output=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} worker on {engine} failed:\n{done.stderr.decode()[-3000:]}")
    return json.loads(done.stdout.decode().strip().splitlines()[-1])



async def timed_cases(make_cases: Any, runs: int, first: Any = None) -> list[dict]:
    """Time the cases `await make_cases()` gives — (label, zero-argument coroutine function) — on the engine as the
    server holds it (PostgreSQL pool, SQLite read pool), once the app registered every kind: p50 / p95 wall and CPU
    p50 each. `first()` (optional) adds rows before them. A case whose first answer is empty is reported as
    broken (fast for the wrong reason)."""
    from bench._timing import percentile, timed
    from portal.app import create_app
    from portal.db import current_engine, is_sqlite

    create_app()  # registers every domain's matter kinds, permissions and loaders, as the server does
    engine = current_engine()
    if not is_sqlite(engine):
        await engine.start_connection_pool(min_size=2, max_size=4)
    else:
        engine.open_read_pool()
    try:
        out = list(await first()) if first is not None else []
        for label, fn in await make_cases():
            result = await fn()
            rows = result.rows if hasattr(result, "rows") else result[0]
            if not rows:
                out.append({"name": f"{label} (无数据，用例无效)", "p50": None, "p95": None})
                continue
            wall, cpu = await timed(fn, runs=runs)
            out.append({"name": label, "p50": round(percentile(wall, 50), 2), "p95": round(percentile(wall, 95), 2),
                        "cpu_p50": round(percentile(cpu, 50), 2)})
        return out
    finally:
        if not is_sqlite(engine):
            await engine.close_connection_pool()
        else:
            await engine.close_read_pool()
