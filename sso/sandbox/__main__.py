"""python -m sso.sandbox --port 8100: the sandbox network on its own port (same database as the portal)."""

from __future__ import annotations

import argparse

import uvicorn

from portal.settings import Settings
from sso.sandbox.app import create_sandbox_app


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m sso.sandbox")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--issuer", default="", help="its public base URL (default http://HOST:PORT)")
    args = parser.parse_args()
    issuer = args.issuer or f"http://{args.host}:{args.port}"
    uvicorn.run(create_sandbox_app(Settings.from_env(), issuer=issuer), host=args.host, port=args.port,
                log_level="warning")


if __name__ == "__main__":
    main()
