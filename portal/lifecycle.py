"""Start-up and shutdown hooks that modules register (password hasher, PDF browser, background jobs)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar import Litestar

Hook = Callable[[Litestar], Awaitable[None]]
_STARTUP: list[Hook] = []
_SHUTDOWN: list[Hook] = []


def on_startup(hook: Hook) -> Hook:
    if hook not in _STARTUP:
        _STARTUP.append(hook)
    return hook


def on_shutdown(hook: Hook) -> Hook:
    if hook not in _SHUTDOWN:
        _SHUTDOWN.append(hook)
    return hook


async def startup(app: Litestar) -> None:
    for hook in _STARTUP:
        await hook(app)


async def shutdown(app: Litestar) -> None:
    for hook in reversed(_SHUTDOWN):
        await hook(app)
