"""解除关联 (机构管理): a linked record loses its account after a confirmation naming the account and a reason; refused
when the record is not linked, is deleted or the account has an application under way; only 机构管理 of the
record's division; the legal person then no longer sees it, and its first application is refused towards the bureau;
against the account's own application and a link of the same code, the USCC lock decides one after the other."""

from __future__ import annotations

import asyncio

import pytest
from bs4 import BeautifulSoup

from domains.hr_agency import manage, rules, service
from domains.hr_agency.matters import ACCEPT, MANAGE
from domains.hr_agency.tables import Agency, AgencyChange, Licence
from portal.core.tables import AuditLog
from portal.workflow.tables import Matter
from tests.hr_agency.factories import make_agency
from tests.hr_agency.support import FORM, staff
from tests.hr_agency.test_change import FORM as CHANGE_FORM
from tests.hr_agency.test_link import manager, staff_record
from tests.support import races
from tests.support.urls import url_for
from tests.workflow.support import employer_principal


@pytest.mark.parametrize(("facts", "expected"), [
    ({}, None),
    ({"deleted": True, "linked": False}, "该机构已被删除，不能解除关联"),
    ({"linked": False}, "该机构未关联单位账号，无需解除关联"),
    ({"in_progress": 2}, "该单位账号还有2件未办结的人力资源服务机构办件"),
])
def test_unlink_refusal(facts, expected):
    refusal = rules.unlink_refusal(**{"deleted": False, "linked": True, "in_progress": 0, **facts})
    assert refusal == expected if expected is None else refusal.startswith(expected)


def _save(agency_id: int) -> str:
    return url_for("hra_agency_unlink_save", agency_id=agency_id)


async def test_unlink_then_the_account_no_longer_sees_it_and_is_sent_to_the_bureau(app, client, other_client):
    a = await make_agency(name="网上申请的机构")
    employer = a["employer"]
    await manager(app, client)
    detail = await client.page(url_for("hra_agency_detail", agency_id=a["id"]))
    link = detail.select_one("[data-testid=hra-agency-unlink]")["href"]
    assert link == url_for("hra_agency_unlink", agency_id=a["id"])

    confirm = await client.page(link)
    account = confirm.select_one("[data-testid=hra-unlink-account]").get_text()
    assert employer["name"] in account and employer["uscc"] in account
    for private in (employer["contact_phone"], employer["legal_rep_id_number"], employer["address"]):
        assert private not in confirm.get_text()
    assert confirm.select_one("[data-testid=hra-unlink-refusal]") is None

    # the reason is required, bounded, and what was typed comes back
    response = await client.post_form(_save(a["id"]), {"reason": "  "})
    assert response.status_code == 200 and 'id="f-reason-error"' in response.text
    typed = "<b>核实</b>" + "长" * 500
    response = await client.post_form(_save(a["id"]), {"reason": typed})
    page = BeautifulSoup(response.text, "html.parser")
    assert response.status_code == 200 and "不能超过500个字" in page.select_one("#f-reason-error").get_text()
    assert page.select_one("#f-reason").get_text() == typed and "<b>核实</b>" not in response.text
    assert (await Agency.select(Agency.employer).where(Agency.id == a["id"]).first())["employer"] == employer["id"]

    response = await client.post_form(_save(a["id"]), {"reason": "法人申请，账号关联有误", "employer_id": "1"})
    assert response.status_code == 303 and response.headers["location"].endswith("?done=unlinked")
    row = await Agency.select().where(Agency.id == a["id"]).first()
    assert row["employer"] is None and row["status"] == "active" and row["uscc"] == employer["uscc"]
    changes = await AgencyChange.select(AgencyChange.field, AgencyChange.before, AgencyChange.after)
    assert changes == [{"field": "employer", "before": f"{employer['name']}（{employer['uscc']}）",
                        "after": "已解除关联（原因：法人申请，账号关联有误）"}]
    audits = await AuditLog.select(AuditLog.object_id, AuditLog.detail).where(AuditLog.action == "agency.unlink")
    assert len(audits) == 1 and audits[0]["object_id"] == str(a["id"])
    assert await Licence.count().where(Licence.status == "valid") == 1  # the licence stays
    page = await client.page(response.headers["location"])
    assert "已解除关联" in page.select_one("[data-testid=hra-notice]").get_text()
    assert page.select_one("[data-testid=hra-agency-unlink]") is None
    assert page.select_one("[data-testid=hra-agency-link]") is not None  # may be linked again
    assert "已解除关联（原因：法人申请，账号关联有误）" in page.select_one("[data-testid=hra-history]").get_text()

    # the legal person: no record, the first-application path, refused towards the bureau with what it typed kept
    await other_client.sign_in_employer(employer, acting_name="陈法人")
    home = await other_client.page(url_for("hra_home"))
    assert home.select_one("[data-testid=hra-agency]") is None and "网上申请的机构" not in home.get_text()
    assert "尚未申请" in home.get_text()
    assert (await other_client.get(url_for("hra_licence_certificate", licence_id=a["licence_id"]))).status_code == 404
    response = await other_client.post_form(url_for("hra_apply", slug="filing"), {**FORM, "services": ["F02"]})
    assert response.status_code == 200 and rules.RECORD_EXISTS in response.text
    assert "已解除与本单位账号的关联" in rules.RECORD_EXISTS and "联系所在地人社部门" in rules.RECORD_EXISTS
    assert await Agency.count() == 1 and await Matter.count() == 0


def _refusal(page) -> str:
    return page.select_one("[data-testid=hra-unlink-refusal]").get_text()


async def _refused(client, agency_id: int, message: str) -> None:
    """The confirmation shows the refusal and no form; a post anyway changes nothing and says the same."""
    page = await client.page(url_for("hra_agency_unlink", agency_id=agency_id))
    assert message in _refusal(page) and page.select_one("form[action$='/unlink']") is None
    before = await Agency.select(Agency.employer).where(Agency.id == agency_id).first()
    response = await client.post_form(_save(agency_id), {"reason": "核实"})
    assert response.status_code == 200 and message in _refusal(BeautifulSoup(response.text, "html.parser"))
    assert await Agency.select(Agency.employer).where(Agency.id == agency_id).first() == before


async def test_each_refusal(app, client, other_client):
    await manager(app, client)
    nobody = await staff_record("91460105MA5W0009XX", name="未关联的机构")
    await _refused(client, nobody["id"], "该机构未关联单位账号")

    deleted = await make_agency(name="已删除的机构")
    await client.post_form(url_for("hra_agency_delete", agency_id=deleted["id"]), {"reason": "重复录入"})
    await _refused(client, deleted["id"], "该机构已被删除")

    busy = await make_agency(name="有办件的机构")
    await other_client.sign_in_employer(busy["employer"], acting_name="陈法人")
    change = await other_client.post_form(url_for("hra_change"), {**CHANGE_FORM, "name": "更名中的机构",
                                                                  "address": "测试路新址2号"})
    assert change.status_code == 303  # a draft 事项变更: under way until decided or withdrawn
    await _refused(client, busy["id"], "该单位账号还有1件未办结的人力资源服务机构办件")
    matter_id = int(change.headers["location"].split("/matters/")[1].split("?")[0])
    await Matter.update({Matter.state: "withdrawn"}).where(Matter.id == matter_id)  # 撤回: ended
    response = await client.post_form(_save(busy["id"]), {"reason": "核实"})
    assert response.status_code == 303
    assert await AuditLog.count().where(AuditLog.action == "agency.unlink") == 1
    assert await AgencyChange.count() == 1


async def test_only_manage_staff_of_the_division(app, client):
    a = await make_agency(name="三亚的机构", division="460202")
    await manager(app, client, "hra_unlink_haikou", division="460100")
    for response in (await client.get(url_for("hra_agency_unlink", agency_id=a["id"])),
                     await client.post_form(_save(a["id"]), {"reason": "核实"}),
                     await client.post_form(_save(a["id"]), {"reason": ""})):
        assert response.status_code == 404 and a["employer"]["name"] not in response.text
    acceptor, _ = await staff(app, "hra_unlink_acc", [ACCEPT], division="460000")
    await client.sign_in("staff", uid=acceptor["id"])
    assert (await client.get(url_for("hra_agency_unlink", agency_id=a["id"]))).status_code == 403
    assert (await client.post_form(_save(a["id"]), {"reason": "核实"})).status_code == 403
    await client.sign_in_employer(a["employer"], acting_name="陈法人")
    assert (await client.get(url_for("hra_agency_unlink", agency_id=a["id"]))).status_code in (401, 403)
    assert (await Agency.select(Agency.employer).where(Agency.id == a["id"]).first())["employer"] is not None
    await manager(app, client, "hra_unlink_sanya", division="460200")
    assert (await client.post_form(_save(a["id"]), {"reason": "核实"})).status_code == 303


def _slow_check(monkeypatch) -> None:
    """Unlink's check for applications under way takes a while: what races it would act now, but for the lock."""
    real = manage.open_applications

    async def slow(employer_id: int):
        found = await real(employer_id)
        await asyncio.sleep(0.3)
        return found

    monkeypatch.setattr(manage, "open_applications", slow)


async def _later(call) -> str:
    """`call`'s refusal, started once the unlink holds the lock and is in its check."""
    await asyncio.sleep(0.1)
    return await races.refusal(call)


async def test_an_application_racing_the_unlink_waits_and_finds_no_record(app, monkeypatch):
    """The account applies for 事项变更 while staff unlink: the application waits for the USCC lock, then finds the
    record gone, so no matter is left under way for a record the account no longer holds."""
    _slow_check(monkeypatch)
    a = await make_agency(name="被解除关联的机构")
    _, man = await staff(app, "hra_unlink_race", [MANAGE], division="460100")
    change = {**CHANGE_FORM, "name": "改名的机构", "address": "测试路新址3号"}
    results = await asyncio.gather(races.refusal(manage.unlink(man, a["id"], "核实")),
                                   _later(service.apply_change(employer_principal(a["employer"]), change)))
    assert results[0] == "" and results[1].startswith("本机构尚无有效的行政许可或业务备案")
    assert await Matter.count() == 0
    assert (await Agency.select(Agency.employer).where(Agency.id == a["id"]).first())["employer"] is None


async def test_a_link_racing_the_unlink_of_the_same_code_waits_for_it(app, monkeypatch):
    """Two records of one USCC (entered before the check existed), one linked: staff unlink it while another links
    the second; the link waits for the lock, then finds the account free: the account ends with exactly one."""
    _slow_check(monkeypatch)
    first = await make_agency(name="记录甲")
    employer = first["employer"]
    second = await staff_record(employer["uscc"], name="记录乙")
    _, one = await staff(app, "hra_unlink_one", [MANAGE], division="460100")
    _, two = await staff(app, "hra_unlink_two", [MANAGE], division="460100")
    results = await asyncio.gather(races.refusal(manage.unlink(one, first["id"], "关联有误")),
                                   _later(manage.link(two, second["id"])))
    assert results == ["", ""]
    linked = await Agency.select(Agency.id).where(Agency.employer == employer["id"])
    assert linked == [{"id": second["id"]}]
