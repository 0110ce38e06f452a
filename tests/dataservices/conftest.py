"""Test-only routes over the person table, registered on the session app (never part of the product)."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import ChoiceLoader, FileSystemLoader

from tests.dataservices import support


@pytest.fixture(scope="session", autouse=True)
def ds_routes(app):
    env = app.template_engine.engine
    if not getattr(app.state, "ds_test_routes", False):
        env.loader = ChoiceLoader([env.loader, FileSystemLoader(Path(__file__).parent / "templates")])
        for handler in support.HANDLERS:
            app.register(handler)
        app.state.ds_test_routes = True
    return app
