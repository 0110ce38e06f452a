"""The bare Litestar endpoint the portal's pages are compared with: same server settings, no middleware, no DB."""

from __future__ import annotations

from litestar import Litestar, MediaType, get

BODY = "<!doctype html><html lang=zh-CN><head><title>基准</title></head><body><p>你好</p></body></html>"


@get("/", media_type=MediaType.HTML, sync_to_thread=False)
def index() -> str:
    return BODY


def create_app() -> Litestar:
    return Litestar(route_handlers=[index])
