"""Pages by route name, as templates build their links: `url_for("lc_renew", {"q": "x"}, contract_id=7)`.

A test that names the route survives a moved path; the session's app (the `app` fixture) answers."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

APP: list[Any] = []  # set by the `app` fixture


def url_for(name: str, query: dict[str, Any] | None = None, **path_params: Any) -> str:
    assert APP, "url_for needs the app fixture"
    url = APP[0].route_reverse(name, **path_params)
    return f"{url}?{urlencode(query)}" if query else url
