"""python -m bench._reqtime <engine> <path> [employer|staff]: CPU per request of one signed-in page, in-process.

No profiler (its overhead distorts small functions): N sequential requests through httpx's ASGI transport,
CPU time per request and the same for a trivial request (/healthz-like static asset) to subtract the client.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time

from bench import _scale


async def _time(path: str, who: str, n: int) -> None:
    import logging

    import httpx

    logging.getLogger("httpx").setLevel(logging.WARNING)
    from portal.app import create_app

    cookies = json.loads(os.environ["BENCH_COOKIES"])
    app = create_app()
    for hook in app.on_startup:
        await hook(app)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            client.cookies.set("portal_session", cookies[who])
            for _ in range(20):
                r = await client.get(path)
                assert r.status_code == 200, (r.status_code, r.text[:300])
            best = []
            for _ in range(5):
                cpu = time.process_time()
                for _ in range(n):
                    await client.get(path)
                best.append((time.process_time() - cpu) * 1000 / n)
        print(f"{path}: {min(best):.2f} ms CPU per request (best of 5 × {n}; all: "
              f"{', '.join(f'{b:.2f}' for b in best)})")
    finally:
        for hook in app.on_shutdown:
            await hook(app)


if __name__ == "__main__":
    engine, path, who = sys.argv[1], sys.argv[2], (sys.argv[3:4] or ["employer"])[0]
    if os.environ.get("BENCH_COOKIES"):
        asyncio.run(_time(path, who, int(os.environ.get("BENCH_REQTIME_N", 100))))
    else:
        _scale.ensure(engine)
        cookies = _scale.run_worker("bench.http_load", engine)
        env = {**_scale.env(engine), "BENCH_COOKIES": json.dumps(cookies)}
        subprocess.run([sys.executable, "-m", "bench._reqtime", *sys.argv[1:]], cwd=_scale.ROOT, env=env,  # noqa: S603
                       check=True)
