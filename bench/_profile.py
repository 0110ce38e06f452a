"""python -m bench._profile <engine> <path> [employer|staff]: profile one signed-in page in-process (pyinstrument).

Used to find what dominates when an HTTP target is missed; prints the call tree of N sequential requests.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

from bench import _scale


async def _profile(path: str, who: str, n: int) -> None:
    import logging

    import httpx
    from pyinstrument import Profiler

    # One INFO line per request would bury the call tree.
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
            first = await client.get(path)
            assert first.status_code == 200, (first.status_code, first.text[:300])
            profiler = Profiler(async_mode="enabled")
            profiler.start()
            for _ in range(n):
                await client.get(path)
            profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    finally:
        for hook in app.on_shutdown:
            await hook(app)


if __name__ == "__main__":
    engine, path, who = sys.argv[1], sys.argv[2], (sys.argv[3:4] or ["employer"])[0]
    if os.environ.get("BENCH_COOKIES"):
        asyncio.run(_profile(path, who, int(os.environ.get("BENCH_PROFILE_N", 50))))
    else:
        _scale.ensure(engine)
        cookies = _scale.run_worker("bench.http_load", engine)
        env = {**_scale.env(engine), "BENCH_COOKIES": json.dumps(cookies)}
        subprocess.run([sys.executable, "-m", "bench._profile", *sys.argv[1:]], cwd=_scale.ROOT, env=env,  # noqa: S603
                       check=True)
