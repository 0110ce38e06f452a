"""增员 by 身份证号 + 姓名: an employer learns only whether the pair matches and what it may file — never another
employer's name, nor the name on record of a person it cannot name itself (service, HTTP, 一件事一次办)."""

from __future__ import annotations

import json

import pytest

from domains.person.service import NAME_MISMATCH
from domains.personnel_change import service
from portal.refusal import Refused
from portal.workflow.tables import Matter
from tests.one_thing.support import hire_data
from tests.personnel_change.support import employer_principal, enrol_data, two_employers


async def test_the_lookup_refuses_a_wrong_name_before_reading_anything():
    w = await two_employers()
    a = employer_principal(w["a"])
    for typed in ("乙不在职", "", " 乙在 职"):
        with pytest.raises(Refused) as refused:
            await service.lookup(a, w["b1"]["id_number"], "enrol", name=typed)
        assert (refused.value.message, refused.value.field) == (NAME_MISMATCH, "name")
    found = await service.lookup(a, w["b1"]["id_number"], "enrol", name=" 乙在职 ")
    assert found["known"] and found["name"] == "乙在职"
    assert {p["kind"] for p in found["plans"]} == {"transfer"}
    assert "乙方调出有限公司" not in repr(found)


async def test_no_response_of_the_enrol_flow_names_the_other_employer(client):
    w = await two_employers()
    await client.sign_in_employer(w["a"])
    someone = w["b1"]["id_number"]
    base = "/personnel-change/enrol"
    answers = {
        "id only": await client.page(f"{base}?id_number={someone}"),
        "wrong name": await client.page(f"{base}?id_number={someone}&name=乱猜一个"),
        "right name": await client.page(f"{base}?id_number={someone}&name=乙在职"),
    }
    # no name: the lookup asks for it and shows nothing of the person
    assert "请填写姓名" in answers["id only"].select_one("#f-name-error").get_text()
    assert not answers["id only"].select("[data-testid=pc-plans]")
    # a wrong name: the clear refusal beside 姓名, what was typed kept, no plans
    wrong = answers["wrong name"]
    assert NAME_MISMATCH in wrong.select_one("#f-name-error").get_text()
    assert wrong.select_one("#f-name")["value"] == "乱猜一个" and wrong.select_one("#f-id_number")["value"] == someone
    assert not wrong.select("[data-testid=pc-plans]")
    for key in ("id only", "wrong name"):
        assert "乙在职" not in answers[key].get_text(), key
    # posting a wrong name is refused too (the form re-rendered, nothing saved)
    posted = await client.post_form(base, enrol_data(someone, name="乱猜一个"))
    assert posted.status_code == 200 and NAME_MISMATCH in posted.text
    assert await Matter.count() == 0
    # the right name files the 调入, and its check-answers step still does not name B
    saved = await client.post_form(base, enrol_data(someone, name="乙在职"))
    assert saved.status_code == 303, saved.text[:500]
    listing = await client.page("/personnel-change/enrol/confirm")
    pick = listing.select_one("input[name=pick]")["value"]
    check = await client.post_form("/personnel-change/enrol/confirm/check", {"pick": [pick]})
    matter = await Matter.select().first()
    detail = await client.page(f"/personnel-change/enrol/{matter['id']}")
    for label, text in (*((k, v.get_text()) for k, v in answers.items()), ("posted", posted.text),
                        ("listing", listing.get_text()), ("check", check.text), ("detail", detail.get_text())):
        assert "乙方调出有限公司" not in text, label
    assert "调入：自其他单位转入" in check.text
    payload = matter["payload"] if isinstance(matter["payload"], dict) else json.loads(matter["payload"])
    assert payload["name"] == "乙在职" and matter["state"] == "draft"


async def test_one_thing_hire_checks_the_pair_and_names_no_employer(client):
    w = await two_employers()
    await client.sign_in_employer(w["a"])
    someone = w["b1"]["id_number"]
    wrong = await client.page(f"/one-thing/hire?id_number={someone}&worker_name=乱猜一个")
    assert NAME_MISMATCH in wrong.select_one("#f-worker_name-error").get_text()
    assert wrong.select_one("#f-worker_name")["value"] == "乱猜一个"
    assert "乙在职" not in wrong.get_text() and not wrong.select("[data-testid=pc-plans]")
    posted = await client.post_form("/one-thing/hire", {**hire_data(someone, worker_name="乱猜一个"), "step": "check"})
    assert posted.status_code == 200 and NAME_MISMATCH in posted.text and "乙在职" not in posted.text
    right = await client.page(f"/one-thing/hire?id_number={someone}&worker_name=乙在职")
    assert "调入" in right.select_one("[data-testid=pc-plans]").get_text()
    for text in (wrong.get_text(), posted.text, right.get_text()):
        assert "乙方调出有限公司" not in text
