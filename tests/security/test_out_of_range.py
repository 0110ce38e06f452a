"""Ids and page numbers out of range answer 404/400, never 500, on every route (issue #12 item 3)."""

from __future__ import annotations

import base64
import json
import re

from portal.auth.permissions import PERMISSIONS
from tests.security.routes import handlers
from tests.support.factories import make_employer, make_person, make_staff

# Past PostgreSQL's int4, past SQLite's int64, and far past both.
HUGE = ("2147483648", "9223372036854775808", "99999999999999999999999999")
_INT_PARAM = re.compile(r"\{(\w+):int\}")
_STR_PARAM = re.compile(r"\{(\w+):str\}")


def _routes_with_int_params(app) -> list[tuple[str, str]]:
    found = sorted({(m, p) for m, p, _ in handlers(app) if _INT_PARAM.search(p) and m in {"GET", "POST"}})
    assert len(found) > 20, "the walk found too few routes with an int id: it would prove nothing"
    return found


def _fill(path: str, value: str) -> str:
    path = _INT_PARAM.sub(value, path)
    return _STR_PARAM.sub(lambda m: "division" if m.group(1) == "category" else "lc_contract_id", path)


async def _principals(app, client, other_client, third_client):
    staff = await make_staff(
        app, "everything", "Every#2026", permissions=sorted(PERMISSIONS),
        scopes={"division": ["460000"], "agency": ["460105"]},
    )
    employer = await make_employer()
    person = await make_person()
    await client.sign_in("staff", uid=staff["id"])
    await other_client.sign_in_employer(employer)
    await third_client.sign_in_person(person)
    return {"staff": client, "employer": other_client, "person": third_client}


async def test_every_int_path_parameter_out_of_range_is_404(app, client, other_client):
    from tests.support.client import PortalClient

    async with PortalClient(app=app) as third:
        clients = await _principals(app, client, other_client, third)
        failures = []
        for method, path in _routes_with_int_params(app):
            for value in HUGE:
                url = _fill(path, value)
                for kind, c in clients.items():
                    r = await (c.get(url) if method == "GET" else c.post_form(url, {}))
                    # The guard may refuse first (303 to login, 403); a handler that is reached answers 404.
                    if r.status_code not in {303, 403, 404}:
                        failures.append(f"{kind} {method} {url} → {r.status_code}")
        assert not failures, "\n".join(failures)


async def test_a_reached_handler_answers_404_for_a_huge_id(app, client):
    await client.sign_in_staff("admin9", "Admin#2026x", permissions=["admin.staff"])
    for value in HUGE:
        assert (await client.get(f"/admin/staff/{value}")).status_code == 404
        assert (await client.get(f"/workbench/matters/{value}")).status_code in {403, 404}


async def test_huge_page_numbers_are_400_not_500(app, client):
    staff = await make_staff(app, "admin9", "Admin#2026x",
                             permissions=["admin.staff", "admin.audit", "admin.dictionary"])
    await client.sign_in("staff", uid=staff["id"])
    for path in ("/admin/staff", "/admin/audit", "/admin/dictionary/division", "/admin/login-log"):
        for value in HUGE:
            r = await client.get(f"{path}?page={value}")
            assert r.status_code == 400, (path, value, r.status_code)
            assert "页码超出范围" in r.text
        assert (await client.get(f"{path}?page=2")).status_code == 200


async def test_huge_ids_inside_paging_cursors_mean_the_first_page(app, client):
    staff = await make_staff(app, "rev", "Review#2026", permissions=sorted(PERMISSIONS),
                             scopes={"division": ["460000"]})
    await client.sign_in("staff", uid=staff["id"])
    for value in HUGE:
        assert (await client.get(f"/workbench?after=2026-12-01.{value}")).status_code == 200
        cursor = base64.urlsafe_b64encode(json.dumps(["2026-12-01T00:00:00", int(value)]).encode()).decode()
        assert (await client.get(f"/certificates?after={cursor}")).status_code == 200
        assert (await client.get(f"/certificates?after={cursor}&p={value}")).status_code == 200
