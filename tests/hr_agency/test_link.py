"""关联单位账号 (机构管理): a record staff entered or imported is linked to the registered account of its USCC, after
a confirmation; refused when there is no such account, the account already has an agency, or the record is deleted
or linked; only 机构管理 of the record's division; the linked legal person then sees the record as its own and
applies for 事项变更, and nobody else sees it."""

from __future__ import annotations

import asyncio

import pytest
from bs4 import BeautifulSoup

from domains.hr_agency import manage, register, rules
from domains.hr_agency.matters import ACCEPT, MANAGE
from domains.hr_agency.tables import Agency, AgencyChange, Licence
from portal.core.tables import AuditLog
from portal.dataservices.tables import Certificate
from tests.hr_agency.factories import make_agency
from tests.hr_agency.support import staff
from tests.hr_agency.test_change import FORM as CHANGE_FORM
from tests.hr_agency.test_change import _approve
from tests.support import races
from tests.support.factories import make_employer
from tests.support.urls import url_for


@pytest.mark.parametrize(("facts", "expected"), [
    ({}, None),
    ({"deleted": True, "linked": True, "account_found": False}, "该机构已被删除，不能关联单位账号"),
    ({"linked": True}, "该机构已关联单位账号，无需再次关联"),
    ({"account_found": False}, "没有统一社会信用代码与该机构相同的单位账号"),
    ({"account_has_agency": True}, "该单位账号已有人力资源服务机构记录"),
])
def test_link_refusal(facts, expected):
    refusal = rules.link_refusal(**{"deleted": False, "linked": False, "account_found": True,
                                    "account_has_agency": False, **facts})
    assert refusal == expected if expected is None else refusal.startswith(expected)


async def staff_record(uscc: str, *, name: str = "线下登记的机构", division: str = "460105",
                       source: str = "staff") -> dict:
    """A record without an account (机构管理 or 历史数据采集) holding a licence, of this USCC."""
    a = await make_agency(name=name, division=division, employer=False)
    await Agency.update({Agency.uscc: uscc, Agency.source: source}).where(Agency.id == a["id"])
    return a


async def manager(app, client, username: str = "hra_link_man", division: str = "460100"):
    row, principal = await staff(app, username, [MANAGE], division=division)
    await client.sign_in("staff", uid=row["id"])
    return principal


async def test_link_then_the_account_sees_its_agency_and_applies_for_a_change(app, client, other_client):
    stranger = await make_employer()
    employer = await make_employer(name="网上注册的单位", contact_phone="13700009999")
    a = await staff_record(employer["uscc"], source="history")
    await manager(app, client)
    detail = url_for("hra_agency_detail", agency_id=a["id"])
    page = await client.page(detail)
    assert "尚未关联单位账号" in page.select_one("[data-testid=hra-agency-account]").get_text()
    link = page.select_one("[data-testid=hra-agency-link]")["href"]
    assert link == url_for("hra_agency_link", agency_id=a["id"])

    confirm = await client.page(link)
    account = confirm.select_one("[data-testid=hra-link-account]").get_text()
    assert "网上注册的单位" in account and employer["uscc"] in account
    # nothing of the employer beyond its name and code
    for private in (employer["contact_phone"], employer["legal_rep"], employer["legal_rep_id_number"],
                    employer["address"]):
        assert private not in confirm.get_text()
    assert confirm.select_one("[data-testid=hra-link-refusal]") is None
    assert await Agency.count().where(Agency.employer.is_not_null()) == 0  # showing it links nothing

    response = await client.post_form(url_for("hra_agency_link_save", agency_id=a["id"]), {"employer_id": str(stranger["id"])})
    assert response.status_code == 303 and response.headers["location"].endswith("?done=linked")
    row = await Agency.select().where(Agency.id == a["id"]).first()
    assert row["employer"] == employer["id"] and row["source"] == "history" and row["uscc"] == employer["uscc"]
    changes = await AgencyChange.select(AgencyChange.field, AgencyChange.after)
    assert changes == [{"field": "employer", "after": f"网上注册的单位（{employer['uscc']}）"}]
    audits = await AuditLog.select(AuditLog.object_id, AuditLog.detail).where(AuditLog.action == "agency.link")
    assert len(audits) == 1 and audits[0]["object_id"] == str(a["id"])
    assert await register.stale() == []
    page = await client.page(response.headers["location"])
    assert "已关联单位账号" in page.select_one("[data-testid=hra-notice]").get_text()
    assert page.select_one("[data-testid=hra-agency-link]") is None
    assert "关联单位账号" in page.select_one("[data-testid=hra-history]").get_text()

    # the legal person: its agency, its licence, its certificate (issued to it), 事项变更 through to approval
    await other_client.sign_in_employer(employer, acting_name="陈法人")
    home = await other_client.page(url_for("hra_home"))
    assert "线下登记的机构" in home.select_one("[data-testid=hra-agency]").get_text()
    assert "LIC-460105-" in home.select_one("[data-testid=hra-licences]").get_text()
    certificate = await other_client.get(url_for("hra_licence_certificate", licence_id=a["licence_id"]))
    assert certificate.status_code == 200
    assert (await Certificate.select(Certificate.owner_employer_id).first())["owner_employer_id"] == employer["id"]
    change = await other_client.post_form(url_for("hra_change"), {**CHANGE_FORM, "name": "关联后更名的机构",
                                                                  "address": "测试路新址1号"})
    assert change.status_code == 303, change.text
    matter_id = int(change.headers["location"].split("/matters/")[1].split("?")[0])
    await _approve(app, employer, matter_id)
    assert (await Agency.select(Agency.name).where(Agency.id == a["id"]).first())["name"] == "关联后更名的机构"

    # another employer (the one the post named, ignored) sees none of it
    await other_client.sign_in_employer(stranger, acting_name="陈法人")
    home = await other_client.page(url_for("hra_home"))
    assert "关联后更名的机构" not in home.get_text() and "LIC-460105-" not in home.get_text()
    assert (await other_client.get(url_for("hra_licence_certificate",
                                           licence_id=a["licence_id"]))).status_code == 404
    assert "关联后更名的机构" not in (await other_client.page(url_for("hra_change"))).get_text()


def _refusal(page) -> str:
    return page.select_one("[data-testid=hra-link-refusal]").get_text()


async def _refused(client, agency_id: int, message: str) -> None:
    """The confirmation shows the refusal and no button; a post anyway changes nothing and says the same."""
    page = await client.page(url_for("hra_agency_link", agency_id=agency_id))
    assert message in _refusal(page) and page.select_one("form[action$='/link']") is None
    before = await Agency.select(Agency.employer).where(Agency.id == agency_id).first()
    response = await client.post_form(url_for("hra_agency_link_save", agency_id=agency_id), {})
    assert response.status_code == 200 and message in _refusal(BeautifulSoup(response.text, "html.parser"))
    assert await Agency.select(Agency.employer).where(Agency.id == agency_id).first() == before


async def test_each_refusal(app, client):
    await manager(app, client)
    nobody = await staff_record("91460105MA5W0009XX", name="无账号的机构")
    await _refused(client, nobody["id"], "没有统一社会信用代码与该机构相同的单位账号")

    # the account already has a live agency (a duplicate record of its code, from before the check)
    taken = await make_agency(name="网上申请的机构")
    dup = await staff_record(taken["employer"]["uscc"], name="重复的线下记录")
    await _refused(client, dup["id"], "该单位账号已有人力资源服务机构记录")

    linked = await make_agency(name="已关联的机构")
    await _refused(client, linked["id"], "该机构已关联单位账号")

    employer = await make_employer()
    deleted = await staff_record(employer["uscc"], name="已删除的机构")
    await client.post_form(url_for("hra_agency_delete", agency_id=deleted["id"]), {"reason": "重复录入"})
    await _refused(client, deleted["id"], "该机构已被删除")
    assert await AuditLog.count().where(AuditLog.action == "agency.link") == 0
    assert await AgencyChange.count() == 0


async def test_only_manage_staff_of_the_division(app, client):
    employer = await make_employer(division_code="460202")
    a = await staff_record(employer["uscc"], division="460202")
    await manager(app, client, "hra_link_haikou", division="460100")
    for response in (await client.get(url_for("hra_agency_link", agency_id=a["id"])),
                     await client.post_form(url_for("hra_agency_link_save", agency_id=a["id"]), {})):
        assert response.status_code == 404 and employer["name"] not in response.text
    acceptor, _ = await staff(app, "hra_link_acc", [ACCEPT], division="460000")
    await client.sign_in("staff", uid=acceptor["id"])
    assert (await client.get(url_for("hra_agency_link", agency_id=a["id"]))).status_code == 403
    assert (await client.post_form(url_for("hra_agency_link_save", agency_id=a["id"]), {})).status_code == 403
    await client.sign_in_employer(employer, acting_name="陈法人")
    assert (await client.get(url_for("hra_agency_link", agency_id=a["id"]))).status_code in (401, 403)
    assert (await Agency.select(Agency.employer).where(Agency.id == a["id"]).first())["employer"] is None
    await manager(app, client, "hra_link_sanya", division="460200")
    assert (await client.post_form(url_for("hra_agency_link_save", agency_id=a["id"]), {})).status_code == 303


async def test_two_records_of_one_code_linked_at_once_give_the_account_one(app, monkeypatch):
    """Two records of one USCC (entered before the check existed), each linked by a different staff member at the
    same moment, both past their check before either writes: the USCC lock makes the second wait and then find the
    account taken."""
    real = manage.agency_of

    async def slow(employer_id: int):
        found = await real(employer_id)
        await asyncio.sleep(0.3)  # the other link would pass its check now, were it not held by the lock
        return found

    monkeypatch.setattr(manage, "agency_of", slow)
    employer = await make_employer()
    first, second = [await staff_record(employer["uscc"], name=n) for n in ("记录甲", "记录乙")]
    _, one = await staff(app, "hra_link_one", [MANAGE], division="460100")
    _, two = await staff(app, "hra_link_two", [MANAGE], division="460100")
    results = await asyncio.gather(races.refusal(manage.link(one, first["id"])),
                                   races.refusal(manage.link(two, second["id"])))
    assert await Agency.count().where(Agency.employer == employer["id"]) == 1
    assert sorted(results)[0] == "" and sorted(results)[1].startswith("该单位账号已有人力资源服务机构记录")
    assert await Licence.count() == 2
