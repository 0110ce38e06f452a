"""The portal in-process for one signed-in account: bench._profile and bench._reqtime drive pages through it."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bench import _scale


@asynccontextmanager
async def signed_in_client(who: str) -> AsyncIterator:
    """An httpx client on the app (start-up hooks run) carrying the session cookie of `who` from BENCH_COOKIES."""
    import httpx

    # One INFO line per request would bury the output.
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
            yield client
    finally:
        for hook in app.on_shutdown:
            await hook(app)


def rerun_with_cookies(module: str, engine: str, argv: list[str]) -> None:
    """Make sure the data set exists, create the session rows, run `python -m module argv…` on that data set."""
    _scale.ensure(engine)
    cookies = _scale.run_worker("bench.http_load", engine)
    env = {**_scale.env(engine), "BENCH_COOKIES": json.dumps(cookies)}
    subprocess.run([sys.executable, "-m", module, *argv], cwd=_scale.ROOT, env=env, check=True)  # noqa: S603
