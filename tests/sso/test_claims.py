"""Claim mapping by setting: a network that names its claims differently needs only settings (README example)."""

from __future__ import annotations

import pytest

from portal.settings import SSOSettings
from sso.claims import ClaimMap, identity_from_claims, meets_minimum
from sso.providers import NetworkError

# The README's worked example: a network with Zhejiang-style names, numeric user types and levels.
ZHEJIANG = SSOSettings(
    claims="user_type=usertype,name=username,org_name=CompanyName,id_number=idnum,mobile=mobile,"
           "uscc=CompanyScCode,legal_rep=CompanyLegRep,agent_name=attnName,agent_id_type=attnIdType,"
           "agent_id_number=attnIdNo,agent_mobile=attnPhone,login_type=logintype,realname_level=authlevel",
    user_types="legal=2,natural=1", agent_login_types="2", realname_levels="L1=1,L2=2,L3=3|4",
)


def test_defaults_read_the_standard_names():
    identity = identity_from_claims(
        {"sub": "s1", "user_type": "natural", "name": "符小红", "id_number": "460105199001011234",
         "phone_number": "13912345678", "acr": "L3"}, ClaimMap.from_settings(SSOSettings()))
    assert (identity.kind, identity.name, identity.id_number, identity.mobile, identity.realname_level) == (
        "person", "符小红", "460105199001011234", "13912345678", "L3")


def test_a_network_with_other_names_is_mapped_by_settings():
    cmap = ClaimMap.from_settings(ZHEJIANG)
    agent = identity_from_claims(
        {"sub": "z9", "usertype": "2", "CompanyName": "海南某公司", "CompanyScCode": "91460000MA5T000000",
         "CompanyLegRep": "吴法人", "attnName": "李经办", "attnIdNo": "460105199001011234", "attnPhone": "13900000000",
         "logintype": "2", "authlevel": "4"}, cmap)
    assert (agent.kind, agent.name, agent.uscc, agent.legal_rep) == ("employer", "海南某公司", "91460000MA5T000000", "吴法人")
    assert (agent.agent_name, agent.agent_id_number, agent.login_type, agent.realname_level) == (
        "李经办", "460105199001011234", "agent", "L3")
    person = identity_from_claims({"sub": "z1", "usertype": "1", "username": "王某", "idnum": "x", "authlevel": "1"},
                                  cmap)
    assert (person.kind, person.name, person.login_type, person.realname_level) == ("person", "王某", "password", "L1")


def test_nested_claims_and_a_missing_user_type():
    cmap = ClaimMap.from_settings(SSOSettings(claims="uscc=org.code,org_name=org.name"))
    identity = identity_from_claims({"sub": "n", "org": {"code": "91460000MA5T000000", "name": "嵌套公司"}}, cmap)
    assert (identity.kind, identity.uscc, identity.name, identity.realname_level) == (
        "employer", "91460000MA5T000000", "嵌套公司", "L0")


def test_an_unknown_user_type_is_refused_in_chinese():
    with pytest.raises(NetworkError) as error:
        identity_from_claims({"sub": "x", "user_type": "robot"}, ClaimMap.from_settings(SSOSettings()))
    assert "用户类型无法识别" in error.value.message


def test_bad_mapping_settings_fail_loudly():
    with pytest.raises(ValueError, match="unknown fields"):
        ClaimMap.from_settings(SSOSettings(claims="credit_code=uscc"))
    with pytest.raises(ValueError, match="L9"):
        ClaimMap.from_settings(SSOSettings(realname_levels="L9=9"))


def test_real_name_minimum():
    assert meets_minimum("L2", "L2") and meets_minimum("L3", "L2") and meets_minimum("L0", "")
    assert not meets_minimum("L1", "L2") and not meets_minimum("", "L1")


async def test_a_mistyped_mapping_stops_the_start_up(app):
    import dataclasses

    from sso.area import SSO
    from sso.network import check_settings

    assert check_settings in SSO.on_startup
    await check_settings(app)  # the test settings are fine
    bad = dataclasses.replace(app.state.settings, sso=SSOSettings(claims="credit_code=uscc"))
    with pytest.raises(ValueError, match="unknown fields"):
        await check_settings(type("App", (), {"state": type("State", (), {"settings": bad})()})())
