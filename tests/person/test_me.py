"""ACC-4: a natural person sees their own record and nothing else."""

from __future__ import annotations

from tests.support.factories import make_person
from tests.support.urls import url_for


async def test_person_sees_only_their_own_record(client, other_client):
    a = await make_person(name="甲某某")
    b = await make_person(name="乙某某")
    await client.sign_in_person(a)
    await other_client.sign_in_person(b)
    soup = await client.page(url_for("person_me", {"person_id": b["id"], "id": b["id"]}))
    text = soup.get_text()
    from portal.validators import mask_id_number

    assert "甲某某" in text and mask_id_number(a["id_number"]) in text
    assert "乙某某" not in text and mask_id_number(b["id_number"]) not in text
    assert "乙某某" in (await other_client.page(url_for("person_me"))).get_text()


async def test_anonymous_visitor_is_sent_to_login_and_back(client):
    response = await client.get(url_for("person_me"))
    assert response.status_code == 303 and response.headers["location"] == "/login?next=%2Fperson%2Fme"


async def test_person_page_is_not_cached(client):
    person = await make_person()
    await client.sign_in_person(person)
    response = await client.get(url_for("person_me"))
    assert response.headers["cache-control"] == "no-store"
