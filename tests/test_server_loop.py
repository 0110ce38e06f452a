"""The server runs on uvloop and httptools (uvicorn[standard], issue #15) wherever it is started."""

from __future__ import annotations

from pathlib import Path

import uvicorn

ROOT = Path(__file__).resolve().parent.parent


def test_uvloop_and_httptools_load():
    config = uvicorn.Config("portal.app:create_app", factory=True, loop="uvloop", http="httptools")
    config.load()
    assert config.http_protocol_class.__module__ == "uvicorn.protocols.http.httptools_impl"
    import uvloop  # noqa: F401  (installed with uvicorn[standard])


def test_every_start_command_asks_for_them():
    from bench import http_load

    for path in ("Makefile", "scripts/container-start.sh"):
        text = (ROOT / path).read_text()
        assert "--loop uvloop --http httptools" in text, path
    assert (http_load.LOOP, http_load.HTTP) == ("uvloop", "httptools")
