"""The app factory: settings, database, sessions, CSRF, templates and one Router per area of the app registry."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.middleware import DefineMiddleware
from litestar.plugins.jinja import JinjaTemplateEngine as Jinja
from litestar.static_files import create_static_files_router
from litestar.stores.registry import StoreRegistry
from litestar.template.config import TemplateConfig

from portal import areas as portal_areas
from portal import jobs, ratelimit
from portal.auth import redaction
from portal.auth.middleware import PasswordChangeMiddleware
from portal.auth.passwords import Passwords
from portal.auth.principal import PrincipalMiddleware, ProfileIncomplete, profile_incomplete_redirect
from portal.auth.sessions import DatabaseStore, PortalSessionConfig
from portal.db import current_engine, is_sqlite
from portal.errors import exception_handlers
from portal.headers import OriginCheckMiddleware, security_headers
from portal.settings import ROOT, Settings
from portal.webutil import NumberRangeMiddleware

log = logging.getLogger("portal")



def _template_config() -> TemplateConfig:
    def configure(engine: Jinja) -> None:
        env = engine.engine
        # Autoescape must hold for every template, including ones rendered from strings.
        assert env.autoescape is True or callable(env.autoescape), "Jinja autoescape is off"
        from portal import filters

        filters.install(env)
        # Templates change only with a deploy: skip the per-render file stat (PORTAL_DEBUG=1 re-enables it).
        env.auto_reload = os.environ.get("PORTAL_DEBUG") == "1"

    return TemplateConfig(directory=ROOT / "templates", engine=Jinja, engine_callback=configure)


def create_app(settings: Settings | None = None, registry: Any = None) -> Litestar:
    """`registry` is a Piccolo AppRegistry (default: piccolo_conf's); each of its apps' areas becomes a Router."""
    settings = settings or Settings.from_env()
    areas = portal_areas.install_all(registry)
    # Passwords, ID numbers, session ids and CSRF tokens are scrubbed from every log record.
    redaction.install()
    settings.storage_dir.mkdir(parents=True, exist_ok=True)
    engine = current_engine()

    async def on_startup(app: Litestar) -> None:
        if not is_sqlite(engine):
            await engine.start_connection_pool(min_size=2, max_size=20)
        elif hasattr(engine, "open_read_pool"):
            engine.open_read_pool()
        for hook in (h for area in areas for h in area.on_startup):
            await hook(app)
        await jobs.start_jobs(app)  # the job queue, and on SQLite the in-process runner of its tasks

    async def on_shutdown(app: Litestar) -> None:
        await jobs.stop_jobs(app)
        for hook in reversed([h for area in areas for h in area.on_shutdown]):
            await hook(app)
        if not is_sqlite(engine):
            await engine.close_connection_pool()
        elif hasattr(engine, "close_read_pool"):
            await engine.close_read_pool()

    session_config = PortalSessionConfig(
        key="portal_session",
        store="sessions",
        max_age=settings.security.idle_timeout_s,
        renew_on_access=True,
        secure=settings.security.https,
        httponly=True,
        samesite="lax",
        path="/",
        exclude=["^/static/", "^/sandbox-network/"],
    )
    csrf_config = CSRFConfig(
        secret=settings.security.secret_key,
        cookie_secure=settings.security.https,
        cookie_name="csrftoken",
        header_name="x-csrftoken",
        cookie_samesite="lax",
        # The sandbox network is a separate application with its own CSRF handling.
        exclude=["^/sandbox-network/"],
    )
    app = Litestar(
        route_handlers=[*(a.router() for a in areas), create_static_files_router(path="/static", directories=[ROOT / "static"])],
        template_config=_template_config(),
        csrf_config=csrf_config,
        middleware=[
            OriginCheckMiddleware,
            # before the session: a refused request costs one counter step, not a session read
            *(rule.middleware for rule in ratelimit.rules(settings)),
            NumberRangeMiddleware,
            session_config.middleware,
            DefineMiddleware(PrincipalMiddleware, exclude=["^/static/", "^/sandbox-network/"]),
            PasswordChangeMiddleware,
        ],
        stores=StoreRegistry(stores={"sessions": DatabaseStore(), ratelimit.STORE: ratelimit.make_store(settings)}),
        exception_handlers={**exception_handlers(), ProfileIncomplete: profile_incomplete_redirect},
        before_send=[security_headers(settings)],
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        request_max_body_size=settings.upload_max_bytes + 1024 * 1024,
        debug=False,
        openapi_config=None,
    )
    app.state.settings = settings
    app.state.passwords = Passwords(settings.security)
    app.state.root = Path(ROOT)
    app.state.areas = areas
    app.state.area_by_name = {a.name: a for a in areas}
    app.state.nav = portal_areas.nav_items(areas)
    app.state.services = portal_areas.service_catalogue(areas)
    return app
