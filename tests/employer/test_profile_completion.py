"""ACC-3 信息完善: until the employer record is complete every business page leads there, and back afterwards."""

from __future__ import annotations

from domains.employer.tables import Employer
from portal.auth import principal
from tests.support.factories import make_employer, make_id_number
from tests.support.urls import url_for

VALID = {
    "name": "海南完善测试有限公司", "nature": "10", "affiliation": "50", "legal_rep": "张法人",
    "legal_rep_id_number": make_id_number(), "economic_type": "170", "industry": "I", "division_code": "460105",
    "address": "海口市秀英区长流镇1号", "contact_name": "李联系", "contact_phone": "0898-66666666",
    "landline": "0898-66666666", "postcode": "570100",
    "agent_name": "王经办", "agent_id_number": make_id_number(), "agent_phone": "13800000002",
    "review_agency": "460100",
}


async def incomplete_employer(client) -> dict:
    employer = await make_employer(profile_complete=False, nature="", industry="", address="")
    await client.sign_in_employer(employer)
    return employer


async def test_business_pages_redirect_to_completion_and_keep_the_target(client):
    await incomplete_employer(client)
    for path in (url_for("employer_profile"), url_for("employer_agents")):
        response = await client.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == f"/employer/profile/complete?next={path.replace('/', '%2F')}"
    response = await client.get(url_for("employer_agents"), headers={"HX-Request": "true"})
    assert response.headers["hx-redirect"].startswith(url_for("employer_profile_complete"))


async def test_completion_page_and_logout_stay_reachable(client):
    await incomplete_employer(client)
    soup = await client.page("/employer/profile/complete?next=%2Femployer%2Fagents")
    form = soup.find("form", attrs={"action": url_for("employer_profile_complete")})
    assert form.find("input", attrs={"name": "next"})["value"] == url_for("employer_agents")
    response = await client.post_form(url_for("sso_logout"))
    assert response.status_code == 303


async def test_every_field_is_validated_and_nothing_typed_is_lost(client):
    employer = await incomplete_employer(client)
    bad = {**VALID, "legal_rep_id_number": VALID["legal_rep_id_number"][:17] + ("0" if VALID["legal_rep_id_number"][17] != "0" else "1"),
           "agent_phone": "12345", "industry": "NOT-A-CODE", "address": "", "name": "<b>x</b>"}
    response = await client.post_form(url_for("employer_profile_complete"), {**bad, "next": url_for("employer_agents")})
    assert response.status_code == 200
    text = response.text
    assert "身份证号校验位不正确" in text
    assert "手机号码应为11位" in text
    assert "请从列表中选择所属行业" in text
    assert "请填写通讯地址" in text
    assert "提交的信息有 4 处需要修改" in text
    assert 'value="12345"' in text and "&lt;b&gt;x&lt;/b&gt;" in text and "<b>x</b>" not in text
    row = await Employer.select(Employer.profile_complete).where(Employer.id == employer["id"]).first()
    assert row["profile_complete"] is False


async def test_valid_completion_returns_to_the_target_and_ignores_a_posted_uscc(client):
    employer = await incomplete_employer(client)
    data = {**VALID, "uscc": "91460000MA5T9999XX", "profile_complete": "0", "next": url_for("employer_agents")}
    response = await client.post_form(url_for("employer_profile_complete"), data)
    assert response.status_code == 303 and response.headers["location"] == url_for("employer_agents")
    row = await Employer.select().where(Employer.id == employer["id"]).first()
    assert row["profile_complete"] is True and row["uscc"] == employer["uscc"]
    assert row["review_agency"] == "460100" and row["contact_phone"] == "0898-66666666"
    assert (await client.get(url_for("employer_agents"))).status_code == 200
    soup = await client.page(url_for("employer_profile"))
    assert "海南完善测试有限公司" in soup.get_text()


async def test_complete_profile_opens_pages_directly(client):
    employer = await make_employer()
    await client.sign_in_employer(employer)
    assert (await client.get(url_for("employer_profile"))).status_code == 200
    response = await client.get("/employer/profile/complete?next=%2Femployer%2Fagents")
    assert response.headers["location"] == url_for("employer_agents")


async def test_persons_and_staff_cannot_open_employer_pages(client, other_client):
    from tests.support.factories import make_person

    person = await make_person()
    await client.sign_in_person(person)
    assert (await client.get(url_for("employer_profile"))).status_code == 403
    employer = await make_employer()
    await other_client.sign_in_employer(employer, acting_name="张")
    assert (await other_client.get(url_for("person_me"))).status_code == 403


async def test_completion_and_filing_share_one_definition_of_each_record_field():
    """The two forms had drifted (name ≤100 in one, ≤200 in the other; a landline refused in one)."""
    from domains.employer.filing import filing_form
    from domains.employer.forms import PROFILE_FIELDS
    from portal.forms import Form

    filing_keys = [f.name for f in filing_form({}).fields]
    for record in ({**VALID, "name": "海" * 150}, {**VALID, "name": "海" * 201}, {**VALID, "contact_phone": "12345"}):
        profile, filing = Form(PROFILE_FIELDS, record), filing_form(record)
        await profile.validate()
        await filing.validate()
        assert {k: v for k, v in profile.errors.items() if k in filing_keys} == filing.errors
        assert {k: v for k, v in profile.cleaned.items() if k in filing_keys} == filing.cleaned
    long_name = Form(PROFILE_FIELDS, {**VALID, "name": "海" * 150})
    assert await long_name.validate() and long_name.cleaned["contact_phone"] == "0898-66666666"


async def test_the_platform_sends_incomplete_employers_to_the_page_the_domain_registered(client, monkeypatch):
    # portal holds no domain URL: the employer domain names its page (register_profile_completion).
    monkeypatch.setitem(principal._PROFILE_COMPLETION, "route", "employer_agents")
    await incomplete_employer(client)
    response = await client.get(url_for("employer_profile"))
    assert response.status_code == 303 and response.headers["location"] == "/employer/agents?next=%2Femployer%2Fprofile"
