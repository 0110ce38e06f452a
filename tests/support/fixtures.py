"""Fixtures shared by every test module: the app, a fresh client per test, a clean database per test."""

from __future__ import annotations

import pytest

from tests.support import urls
from tests.support.client import PortalClient
from tests.support.db import clean_database


@pytest.fixture(scope="session")
async def app():
    from portal.app import create_app

    application = create_app()
    urls.APP[:] = [application]
    # One lifespan for the whole session, in the test event loop: pools and the PDF browser start once.
    for hook in application.on_startup:
        await hook(application)
    yield application
    for hook in application.on_shutdown:
        await hook(application)


@pytest.fixture(autouse=True)
async def _clean_db():
    yield
    await clean_database()


@pytest.fixture
async def client(app) -> PortalClient:
    async with PortalClient(app=app, base_url="http://testserver.local") as c:
        yield c


@pytest.fixture
async def other_client(app) -> PortalClient:
    """A second browser: for cross-tenant and concurrency tests."""
    async with PortalClient(app=app, base_url="http://testserver.local") as c:
        yield c
