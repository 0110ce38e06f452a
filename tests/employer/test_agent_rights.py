"""ACC-8 (an agent's authorisation names its services and period) and issue 14 §19 (only the legal representative
changes the 法定代表人 or authorises agents)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domains.employer import rules
from domains.employer.tables import AgentAuthorisation, Employer, EmployerFiling
from portal.areas import agent_rights
from tests.employer.test_agents import agent_form, legal_rep
from tests.employer.test_filing import filing_data
from tests.support.factories import make_employer, make_id_number
from tests.test_areas import _ask, _routes

TODAY = date.today()


# --- rules -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("stored", "expected"), [
    ("*", None), ("", frozenset()), ("social_insurance", frozenset({"social_insurance"})),
    ("labor_contract,social_insurance", frozenset({"labor_contract", "social_insurance"})),
])
def test_parse_services(stored, expected):
    assert rules.parse_services(stored) == expected


@pytest.mark.parametrize(("chosen", "error"), [
    ([], "请至少选择一项授权业务"), (["social_insurance", "forged"], "请从列表中选择授权业务"),
    (["social_insurance"], None), (["social_insurance", "labor_contract"], None),
])
def test_service_errors(chosen, error):
    assert rules.service_errors(chosen, ["labor_contract", "social_insurance"]).get("services") == error


CURRENT = {"legal_rep": "张法人", "legal_rep_id_number": "460105199001011234"}


@pytest.mark.parametrize(("role", "submitted", "refused"), [
    ("legal_rep", {"legal_rep": "王新"}, set()),
    ("agent", {"legal_rep": "张法人"}, set()),
    ("agent", {"legal_rep": "王新"}, {"legal_rep"}),
    ("agent", {"legal_rep": "张法人", "legal_rep_id_number": "460105199001015678"}, {"legal_rep_id_number"}),
    ("agent", {}, set()),  # the field not filed at all: nothing changes
])
def test_only_the_legal_representative_changes_the_legal_representative(role, submitted, refused):
    assert set(rules.legal_rep_change_refusal(role, CURRENT, submitted)) == refused


def test_an_empty_record_is_not_a_change():
    assert rules.legal_rep_change_refusal("agent", {"legal_rep": ""}, {"legal_rep": "王新"}) == {}


def test_the_rights_come_from_the_declared_areas(app):
    codes = [r.code for r in agent_rights(app.state.areas)]
    assert {"labor_contract", "social_insurance", "hr_agency"} <= set(codes)
    assert len(codes) == len(set(codes))
    assert all(a.agent_right.code in codes for a in app.state.areas if a.agent_right)


# --- an agent signed in -------------------------------------------------------------------------------------------

async def sign_in_agent(client, employer: dict, services: str, **overrides) -> int:
    row = AgentAuthorisation(employer=employer["id"], name="黄经办", id_number=make_id_number(), mobile="13976000003",
                             valid_from=overrides.pop("valid_from", TODAY),
                             valid_until=overrides.pop("valid_until", TODAY + timedelta(days=30)),
                             status="active", services=services, created_at=TODAY)
    await row.save()
    await client.sign_in("employer", employer_id=employer["id"], account_id=employer["id"], acting_name="黄经办",
                         acting_role="agent", agent_id=row.id, login_type="network")
    return row.id


async def test_legal_rep_names_the_services_and_the_list_shows_them(client):
    employer = await legal_rep(client)
    page = await client.page("/employer/agents")
    offered = {i["value"] for i in page.select('input[name="services"]')}
    assert {"labor_contract", "social_insurance", "hr_agency"} <= offered
    bad = await client.post_form("/employer/agents", agent_form(make_id_number(), services=[], mobile="1"))
    assert "请至少选择一项授权业务" in bad.text and "手机号码应为11位" in bad.text  # every problem at once
    assert await AgentAuthorisation.count() == 0
    forged = await client.post_form("/employer/agents", agent_form(make_id_number(), services=["admin"]))
    assert "请从列表中选择授权业务" in forged.text
    ok = await client.post_form("/employer/agents", agent_form(make_id_number(), services=["social_insurance"]))
    assert ok.status_code == 303
    row = await AgentAuthorisation.select().where(AgentAuthorisation.employer == employer["id"]).first()
    assert row["services"] == "social_insurance"
    listed = await client.page("/employer/agents")
    assert listed.find(attrs={"data-testid": "agent-services"}).get_text(strip=True) == "社会保险"


async def test_an_agent_without_the_social_insurance_right_is_refused_on_every_si_route(client):
    employer = await make_employer()
    await sign_in_agent(client, employer, "labor_contract")
    routes = _routes(client.app, "social_insurance") + _routes(client.app, "personnel_change")
    assert len(routes) >= 20
    for method, path, _ in routes:
        response = await _ask(client, method, path)
        assert response.status_code == 403, f"{method} {path}: {response.status_code}"
        assert "您的经办人授权不包含“社会保险”业务" in response.text, f"{method} {path}"
    home = await client.page("/")
    assert not any(a.get("href") == "/social-insurance" for a in home.select("a"))
    assert "授权业务：劳动合同备案" in home.find(attrs={"data-testid": "agent-rights"}).get_text()


async def test_with_the_right_the_agent_gets_through(client):
    employer = await make_employer()
    await sign_in_agent(client, employer, "social_insurance")
    for method, path, _ in _routes(client.app, "social_insurance"):
        response = await _ask(client, method, path)
        assert response.status_code != 403 or "经办人授权" not in response.text, f"{method} {path}"
    assert (await client.get("/social-insurance/staff")).status_code == 200
    refused = await client.get("/labor-contract")
    assert refused.status_code == 403 and "劳动合同备案" in refused.text


async def test_the_legal_representative_and_older_authorisations_hold_every_right(client, other_client):
    employer = await legal_rep(client)
    assert (await client.get("/social-insurance/staff")).status_code == 200
    await sign_in_agent(other_client, employer, "*")  # written before ACC-8: every service
    assert (await other_client.get("/social-insurance/staff")).status_code == 200
    home = await other_client.page("/")
    assert "全部业务" in home.find(attrs={"data-testid": "agent-rights"}).get_text()


async def test_the_agent_home_and_authorisation_page_show_rights_and_period(client):
    employer = await make_employer()
    await sign_in_agent(client, employer, "labor_contract,social_insurance",
                        valid_until=TODAY + timedelta(days=10))
    for url in ("/", "/employer/agents"):
        text = (await client.page(url)).find(attrs={"data-testid": "agent-rights"}).get_text()
        assert "劳动合同备案、社会保险" in text
        assert (TODAY + timedelta(days=10)).isoformat() in text


# --- issue 14 §19 ------------------------------------------------------------------------------------------------

async def test_an_agent_cannot_authorise_or_revoke_other_agents(client, other_client):
    employer = await legal_rep(client)
    await client.post_form("/employer/agents", agent_form(make_id_number()))
    other = await AgentAuthorisation.select().first()
    own = await sign_in_agent(other_client, employer, "*")
    page = await other_client.page("/employer/agents")
    assert page.find("form", attrs={"action": "/employer/agents"}) is None  # hidden in the UI
    assert page.find("form", attrs={"action": f"/employer/agents/{other['id']}/revoke"}) is None
    assert page.find("form", attrs={"action": f"/employer/agents/{own}/revoke"}) is not None
    added = await other_client.post_form("/employer/agents", agent_form(make_id_number()))
    assert added.status_code == 403 and "只有法定代表人可以授权经办人" in added.text
    revoked = await other_client.post_form(f"/employer/agents/{other['id']}/revoke")
    assert revoked.status_code == 403 and "经办人只能撤销本人的授权" in revoked.text
    assert await AgentAuthorisation.count() == 2
    assert (await AgentAuthorisation.select().where(AgentAuthorisation.id == other["id"]).first())["status"] == "pending"


async def test_an_agent_cannot_change_the_legal_representative_in_a_filing(client):
    employer = await make_employer(legal_rep="张法人")
    await sign_in_agent(client, employer, "*")
    page = await client.page("/employer/filing")
    assert page.find("input", attrs={"name": "legal_rep"}) is None  # shown as text to an agent
    assert page.find(attrs={"data-testid": "filing-legal-rep"}).get_text(strip=True) == "张法人"
    refused = await client.post_form("/employer/filing", filing_data(legal_rep="王新", name=""))
    assert refused.status_code == 200
    assert "经办人不能变更法定代表人，须由法定代表人本人登录办理" in refused.text and "请填写单位名称" in refused.text
    assert await EmployerFiling.count() == 0
    data = filing_data()
    del data["legal_rep"]
    saved = await client.post_form("/employer/filing", data)  # the agent files everything else
    assert saved.status_code == 303
    filed = await EmployerFiling.select().first()
    assert rules_payload(filed)["legal_rep"] == "张法人"


async def test_the_legal_representative_changes_it(client):
    await legal_rep(client, legal_rep="张法人")
    page = await client.page("/employer/filing")
    assert page.find("input", attrs={"name": "legal_rep"}) is not None
    saved = await client.post_form("/employer/filing", filing_data(legal_rep="王新"))
    assert saved.status_code == 303
    assert rules_payload(await EmployerFiling.select().first())["legal_rep"] == "王新"


async def test_an_agent_completing_the_profile_cannot_change_the_legal_representative(client):
    from tests.employer.test_profile_completion import VALID as COMPLETE

    employer = await make_employer(profile_complete=False, legal_rep="张法人", nature="")
    await sign_in_agent(client, employer, "*")
    refused = await client.post_form("/employer/profile/complete", {**COMPLETE, "legal_rep": "王新"})
    assert "经办人不能变更法定代表人" in refused.text
    row = await Employer.select().where(Employer.id == employer["id"]).first()
    assert row["legal_rep"] == "张法人" and not row["profile_complete"]


def rules_payload(row: dict) -> dict:
    from domains.employer.matters import filing_payload

    return filing_payload(row)


async def test_an_agent_does_not_see_the_matters_of_a_service_it_does_not_hold(client, other_client):
    from domains.labor_contract.matters import CONTRACT_KIND
    from portal.workflow import engine
    from tests.workflow.support import employer_principal

    employer = await make_employer()
    matter = await engine.create_matter(employer_principal(employer), CONTRACT_KIND, payload={"name": "测试"},
                                        title="劳动合同新订备案")
    await sign_in_agent(client, employer, "social_insurance")
    assert (await client.get(f"/matters/{matter['id']}")).status_code == 404
    assert f"/matters/{matter['id']}" not in (await client.get("/matters")).text
    await sign_in_agent(other_client, employer, "labor_contract")
    assert (await other_client.get(f"/matters/{matter['id']}")).status_code == 200
    assert f"/matters/{matter['id']}" in (await other_client.get("/matters")).text
