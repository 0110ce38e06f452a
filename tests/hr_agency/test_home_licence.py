"""机构概况 offers 申请行政许可 only where the server takes one: with a valid licence it shows the licence (number,
有效期, the certificate), while a licence application is under way it links that matter, otherwise the button; in
each hidden case a post anyway is still refused with the reason."""

from __future__ import annotations

from domains.hr_agency import rules
from domains.hr_agency.tables import Licence
from portal.workflow.tables import Matter
from tests.hr_agency.factories import make_agency
from tests.hr_agency.support import FORM, agency_employer, apply_online
from tests.support.urls import url_for


def _apply() -> str:
    return url_for("hra_apply", slug="licence")


async def _home(client):
    page = await client.page(url_for("hra_home"))
    standing = page.select_one("[data-testid=hra-licence-standing]")
    return page.select_one(f"a[href='{_apply()}']") is not None, standing


async def test_nothing_held_or_under_way_offers_the_application(app, client):
    employer, _ = await agency_employer()
    await client.sign_in_employer(employer, acting_name="陈法人")
    offered, standing = await _home(client)
    assert offered and standing is None


async def test_a_valid_licence_is_shown_instead_and_a_revoked_one_offers_it_again(app, client):
    a = await make_agency(name="持证的机构")
    await client.sign_in_employer(a["employer"], acting_name="陈法人")
    offered, standing = await _home(client)
    assert not offered
    text = standing.get_text()
    assert "许可证编号 LIC-460105-" in text and "有效期 2026-03-01 至 2031-02-28" in text
    assert standing.select_one("a")["href"] == url_for("hra_licence_certificate", licence_id=a["licence_id"])
    response = await client.post_form(_apply(), {**FORM, "services": ["L01"]})
    assert response.status_code == 200 and rules.licence_refusal(True) in response.text  # the refusal stays

    await Licence.update({Licence.status: "revoked"}).where(Licence.id == a["licence_id"])
    offered, standing = await _home(client)
    assert offered and standing is None


async def test_an_application_under_way_is_linked_instead(app, client):
    employer, _ = await agency_employer()
    await client.sign_in_employer(employer, acting_name="陈法人")
    matter_id = await apply_online(client, "licence", ["L01"])  # a draft: not decided, so under way
    offered, standing = await _home(client)
    assert not offered
    number = (await Matter.select(Matter.number).where(Matter.id == matter_id).first())["number"]
    assert "申请办理中" in standing.get_text() and number in standing.get_text()
    assert standing.select_one("a")["href"] == url_for("matter_detail", matter_id=matter_id)
    response = await client.post_form(_apply(), {**FORM, "services": ["L01"]})
    assert response.status_code == 200 and rules.open_application_refusal(["hra_licence"], "hra_licence") in response.text

    # a filing under way does not hide the licence application
    await Matter.update({Matter.kind: "hra_filing"}).where(Matter.id == matter_id)
    offered, standing = await _home(client)
    assert offered and standing is None
