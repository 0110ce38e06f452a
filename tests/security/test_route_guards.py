"""SECURITY 9 and 22: every route has a guard or is explicitly public; the audit log has no edit or delete route."""

from __future__ import annotations

import pytest

from tests.security.routes import STATIC_PREFIX, fresh_app, handlers
from tests.support.urls import url_for


@pytest.fixture(scope="module")
def app():
    return fresh_app()


def test_every_route_is_guarded_or_explicitly_public(app):
    unguarded = [
        f"{method} {path} ({handler.name})"
        for method, path, handler in handlers(app)
        if not path.startswith(STATIC_PREFIX)
        and not handler.resolve_guards()
        and not handler.opt.get("public")
    ]
    assert not unguarded, "routes without a guard and not marked opt=PUBLIC:\n" + "\n".join(unguarded)


def test_every_route_has_a_name(app):
    nameless = [f"{m} {p}" for m, p, h in handlers(app) if not h.name]
    assert not nameless, nameless


def test_public_routes_are_the_expected_kind(app):
    """Public routes are login, SSO, the sandbox network, help pages, verification and the home page — no admin."""
    public = [(m, p) for m, p, h in handlers(app) if h.opt.get("public")]
    assert public, "the walk found no public route: the test would prove nothing"
    assert not [p for _, p in public if p.startswith(("/admin", url_for("workbench"), "/account"))]


def test_audit_log_cannot_be_edited_or_deleted_through_the_app(app):
    writes = [
        (m, p, h.name) for m, p, h in handlers(app)
        if "audit" in p and m not in {"GET", "HEAD"} and h.name != "admin_audit_verify"
    ]
    assert writes == []
    assert not [p for m, p, _ in handlers(app) if m in {"PUT", "PATCH", "DELETE"} and "audit" in p]
