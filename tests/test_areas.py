"""Areas (portal.areas): every route of an area answers its guards and gate; a new domain is its folder plus one
line in the Piccolo app registry."""

from __future__ import annotations

import re
import textwrap

import pytest
from piccolo.conf.apps import AppRegistry

from domains.labor_contract.tables import Contract
from tests.security.routes import fresh_app, handlers
from tests.support.client import PortalClient
from tests.support.factories import make_employer, make_person


def _url(path: str) -> str:
    """A concrete URL for a route path: every path parameter becomes 1 (ints) or x (strings)."""
    return re.sub(r"\{[^}:]+:str\}", "x", re.sub(r"\{[^}:]+:int\}", "1", path))


def _routes(app, area_name: str) -> list[tuple[str, str, object]]:
    return [
        (method, path, handler) for method, path, handler in handlers(app)
        if handler.opt.get("area") == area_name and method != "HEAD"
    ]


async def _ask(client: PortalClient, method: str, path: str):
    url = _url(path)
    return await (client.get(url) if method == "GET" else client.post_form(url, {}))


def test_every_handler_of_every_area_carries_the_area_guards_and_gate():
    app = fresh_app()
    assert {a.name for a in app.state.areas} >= {"core", "auth", "admin", "workflow", "dataservices", "sso",
                                                   "employer", "person", "labor_contract"}
    for area in app.state.areas:
        routes = [h for _, _, h in handlers(app) if h.opt.get("area") == area.name]
        assert routes, f"area {area.name} has no route"
        for handler in routes:
            resolved = [getattr(g, "func", g) for g in handler.resolve_guards()]  # Litestar wraps sync guards
            assert all(g in resolved for g in area.guards), (area.name, handler.name)
            if hasattr(handler, "resolve_before_request"):  # HTTP handlers (the sandbox network is an ASGI mount)
                assert (handler.resolve_before_request() is not None) == (area.gate is not None), handler.name


def test_a_public_page_cannot_sit_behind_an_area_guard():
    from litestar import get

    from portal.areas import Area
    from portal.auth.principal import PUBLIC, employer_guard

    @get("/open", name="open_page", opt=PUBLIC)
    async def open_page() -> str:
        return "open"

    with pytest.raises(ValueError, match="open_page"):
        Area(name="mixed", path="/mixed", handlers=[open_page], guards=[employer_guard]).router()
    assert Area(name="open", path="/open-area", handlers=[open_page]).router().routes


async def test_every_labour_contract_route_answers_the_gate_before_the_first_filing_is_approved(client):
    employer = await make_employer(filing_approved=False)
    await client.sign_in_employer(employer)
    routes = _routes(client.app, "labor_contract")
    assert len(routes) >= 20
    for method, path, _ in routes:
        response = await _ask(client, method, path)
        assert response.status_code == 403, f"{method} {path}: {response.status_code}"
        assert "请先完成单位初次备案" in response.text, f"{method} {path}"
    assert await Contract.count() == 0


async def test_every_employer_route_refuses_a_person_before_any_gate(client):
    person = await make_person()
    await client.sign_in("person", person_id=person["id"], account_id=person["id"])
    for area_name in ("employer", "labor_contract"):
        for method, path, _ in _routes(client.app, area_name):
            response = await _ask(client, method, path)
            assert response.status_code == 403, f"{method} {path}: {response.status_code}"
            assert "此页面仅供单位用户使用" in response.text, f"{method} {path}"


async def test_every_route_of_an_employer_area_sends_an_incomplete_profile_to_completion(client):
    employer = await make_employer(profile_complete=False, filing_approved=False)
    await client.sign_in_employer(employer)
    for area_name in ("employer", "labor_contract"):
        for method, path, handler in _routes(client.app, area_name):
            if handler.opt.get("profile_exempt"):
                continue
            response = await _ask(client, method, path)
            assert response.status_code == 303, f"{method} {path}: {response.status_code}"
            assert response.headers["location"].startswith("/employer/profile/complete"), f"{method} {path}"


FAKE_APP = '''
import os

from piccolo.conf.apps import AppConfig

APP_CONFIG = AppConfig(
    app_name="{name}",
    migrations_folder_path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "piccolo_migrations"),
    table_classes=[],
)
'''

FAKE_AREA = '''
from litestar import Request, get
from litestar.response import Response

from portal.areas import Area
from portal.auth.principal import person_guard
from portal.web import NavItem


@get("/hello", name="fake_hello")
async def hello(request: Request) -> Response:
    return Response(f"你好，{{request.user.display_name}}", media_type="text/plain")


AREAS = [Area(
    name="{name}", path="/fake-area", handlers=[hello], guards=[person_guard],
    nav=[NavItem("试验事项", "fake_hello", "person", order=50, description="只为测试登记的事项")],
)]
'''


async def test_a_new_area_needs_only_its_folder_and_a_registry_line(app, client, tmp_path, monkeypatch):
    name = "fake_area_pkg"
    package = tmp_path / name
    package.mkdir()
    (package / "__init__.py").write_text('"""A domain written for this test only."""\n', encoding="utf-8")
    (package / "piccolo_app.py").write_text(textwrap.dedent(FAKE_APP.format(name=name)), encoding="utf-8")
    (package / "area.py").write_text(textwrap.dedent(FAKE_AREA.format(name=name)), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))

    from piccolo_conf import APP_REGISTRY
    from portal.app import create_app

    registry = AppRegistry(apps=[*APP_REGISTRY.apps, f"{name}.piccolo_app"])  # the one line
    extended = create_app(app.state.settings, registry=registry)
    assert "GET /fake-area/hello fake_hello" in {f"{m} {p} {h.name}" for m, p, h in handlers(extended)}

    person = await make_person()
    async with PortalClient(app=extended) as fake_client:
        response = await fake_client.get("/fake-area/hello")
        assert response.status_code in {302, 303} and "/login" in response.headers["location"]
        await fake_client.sign_in("person", person_id=person["id"], account_id=person["id"])
        response = await fake_client.get("/fake-area/hello")
        assert response.status_code == 200 and response.text == f"你好，{person['name']}"
        home = await fake_client.page("/")
        assert home.find("a", href="/fake-area/hello"), "the area's nav entry is missing"
        employer = await make_employer()
        await fake_client.sign_in_employer(employer)
        assert (await fake_client.get("/fake-area/hello")).status_code == 403

    # The app built from the normal registry knows nothing of it.
    await client.sign_in("person", person_id=person["id"], account_id=person["id"])
    assert not (await client.page("/")).find("a", href="/fake-area/hello")
    assert (await client.get("/fake-area/hello")).status_code == 404
