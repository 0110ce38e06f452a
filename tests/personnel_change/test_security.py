"""Cross-tenant matrix over every personnel-change URL, staff without the permission, and payloads rendered inert."""

from __future__ import annotations

import pytest

from domains.personnel_change import forms, service
from portal.workflow.tables import Matter
from tests.personnel_change.support import (
    cleaned,
    employer_principal,
    enrol_data,
    make_id_number,
    two_employers,
    withdraw_data,
)

XSS = '<img src=x onerror=alert(1)>'


async def _b_world():
    w = await two_employers()
    b = employer_principal(w["b"])
    enrol = await service.save(b, "enrol", await cleaned(forms.enrol_form, enrol_data(make_id_number("460202"),
                                                                                      name="乙秘密")))
    withdraw = await service.save(b, "withdraw", await cleaned(forms.withdraw_form, withdraw_data(w["b1"]["id_number"])))
    return w, enrol, withdraw


async def test_another_employer_reaches_none_of_bs_changes(client):
    w, enrol, withdraw = await _b_world()
    await client.sign_in_employer(w["a"])
    for direction, matter in (("enrol", enrol), ("withdraw", withdraw)):
        mid = matter["id"]
        for url in (f"/personnel-change/{direction}/{mid}", f"/personnel-change/{direction}/{mid}/edit",
                    f"/personnel-change/{direction}/{mid}/recall"):
            response = await client.get(url)
            assert response.status_code == 404 and "乙秘密" not in response.text, url
        other = "withdraw" if direction == "enrol" else "enrol"  # the wrong list for the kind
        assert (await client.get(f"/personnel-change/{other}/{mid}")).status_code == 404
        for url, data in ((f"/personnel-change/{direction}/{mid}/edit", {"id_number": matter["payload"]["id_number"]}),
                          (f"/personnel-change/{direction}/{mid}/delete", {"version": str(matter["version"])}),
                          (f"/personnel-change/{direction}/{mid}/recall", {"version": str(matter["version"])})):
            response = await client.post_form(url, data)
            assert response.status_code == 404, url
        check = await client.post_form(f"/personnel-change/{direction}/confirm/check", {"pick": f"{mid}:1"})
        assert "乙秘密" not in check.text and "乙在职" not in check.text
        await client.post_form(f"/personnel-change/{direction}/confirm/do", {"pick": f"{mid}:1"})
        listing = await client.page(f"/personnel-change/{direction}/confirm")
        assert "乙秘密" not in listing.get_text() and "乙在职" not in listing.get_text()
    states = {m["state"] for m in await Matter.select(Matter.state).where(Matter.kind.is_in(["pc_enrol", "pc_withdraw"]))}
    assert states == {"draft"}  # nothing of B's was confirmed or deleted by A


@pytest.mark.parametrize("url", [
    "/personnel-change/", "/personnel-change/enrol", "/personnel-change/enrol/confirm", "/personnel-change/withdraw",
    "/personnel-change/withdraw/confirm", "/personnel-change/enrol/batch", "/personnel-change/withdraw/batch",
    "/personnel-change/enrol/batch/template.xlsx", "/personnel-change/reports",
])
async def test_pages_need_an_employer(client, url):
    response = await client.get(url)
    assert response.status_code == 303 and "/login" in response.headers["location"]
    await client.sign_in("person", person_id=1, account_id=1)
    assert (await client.get(url)).status_code != 200


async def test_a_lookup_of_another_employers_worker_for_withdrawal_shows_nothing_of_theirs(client):
    w = await two_employers()
    await client.sign_in_employer(w["a"])
    page = await client.page(f"/personnel-change/withdraw?id_number={w['b1']['id_number']}")
    text = page.get_text()
    assert "乙方调出有限公司" not in text and "未在本单位参加养老保险，不能减员" in text
    assert "乙在职" not in text  # not even the name of someone else's worker


async def test_payloads_render_inert(client, app, other_client):
    w = await two_employers()
    await client.sign_in_employer(w["a"])
    response = await client.post_form("/personnel-change/enrol", enrol_data(make_id_number("460106"), name=XSS[:40],
                                                                          address=XSS))
    assert response.status_code == 303, response.text[:500]
    matter = await Matter.select().where(Matter.kind == "pc_enrol").first()
    for url in ("/personnel-change/enrol/confirm", f"/personnel-change/enrol/{matter['id']}"):
        text = (await client.get(url)).text
        assert "<img src=x" not in text, url
    from tests.personnel_change.support import sign_in_reviewer

    await sign_in_reviewer(other_client, division="460100")
    hidden = await other_client.get(f"/workbench/matters/{matter['id']}", headers={"HX-Request": "true"})
    assert hidden.status_code == 404  # 未确认: not yet the staff's
    check = await client.post_form("/personnel-change/enrol/confirm/check", {"pick": f"{matter['id']}:{matter['version']}"})
    assert "<img src=x" not in check.text
    await client.post_form("/personnel-change/enrol/confirm/do", {"pick": f"{matter['id']}:{matter['version']}"})
    modal = (await other_client.get(f"/workbench/matters/{matter['id']}", headers={"HX-Request": "true"})).text
    assert "<img src=x" not in modal and "&lt;img" in modal
