"""The worker is told in the message centre when an employer's filing for them is approved (issue 17, SI-7):
by the filing's own approval, for 新订, 续订 and 解除(终止); never on rejection, never to anyone else."""

from __future__ import annotations

from datetime import date

import pytest

from domains.labor_contract import rules, service
from domains.labor_contract.tables import Contract
from portal.workflow.tables import Message
from tests.labor_contract.support import cleaned, employer_principal, review
from tests.support.factories import make_employer, make_id_number, make_person
from tests.support.urls import url_for


@pytest.mark.parametrize(("contract", "title", "text"), [
    ({"filing_kind": "new", "start_date": date(2025, 1, 1), "end_date": date(2027, 12, 31)}, "劳动合同新订备案",
     "甲公司为您办理的劳动合同新订备案已审核通过，合同期限2025-01-01至2027-12-31。"),
    ({"filing_kind": "renew", "start_date": date(2028, 1, 1), "end_date": None}, "劳动合同续订备案",
     "甲公司为您办理的劳动合同续订备案已审核通过，合同期限自2028-01-01起，无固定期限。"),
    ({"filing_kind": "terminate", "termination_date": date(2026, 3, 31)}, "劳动合同解除(终止)备案",
     "甲公司为您办理的劳动合同解除(终止)备案已审核通过，解除(终止)日期2026-03-31。"),
    ({"filing_kind": "new"}, "劳动合同新订备案", "甲公司为您办理的劳动合同新订备案已审核通过。"),
])
def test_notice_wording(contract, title, text):
    got_title, got_text = rules.worker_notice(contract, "甲公司")
    assert got_title == title and got_text == text + "如与事实不符，请与用人单位或劳动保障部门联系。"


async def _messages(person_id: int) -> list[dict]:
    return await Message.select().where(Message.person == person_id).order_by(Message.id)


async def test_new_renew_and_terminate_each_tell_the_worker_once_approved():
    employer = await make_employer(name="椰城通知有限公司", review_agency="460105")
    worker = await make_person(id_number=make_id_number(born=date(1990, 5, 17)))
    bystander = await make_person()
    principal = employer_principal(employer)
    filed = await service.file_new(principal, cleaned(id_number=worker["id_number"]))
    assert await _messages(worker["id"]) == []  # submitted, not yet on record
    await review(filed["id"])
    (first,) = await _messages(worker["id"])
    assert first["title"] == "劳动合同新订备案" and "椰城通知有限公司" in first["text"]
    assert first["matter"] is None and first["employer"] is None and first["read_at"] is None

    await Contract.update({Contract.in_roster: True}).where(Contract.id == filed["id"])
    ended = await service.file_terminate(principal, filed["id"], {"termination_date": date(2025, 6, 30),
                                                                  "termination_reason": "02", "compensation": None})
    await review(ended["id"])
    titles = [m["title"] for m in await _messages(worker["id"])]
    assert titles == ["劳动合同新订备案", "劳动合同解除(终止)备案"]
    assert await _messages(bystander["id"]) == []


async def test_rejected_filing_and_worker_without_account_send_nothing():
    employer = await make_employer(review_agency="460105")
    worker = await make_person()
    filed = await service.file_new(employer_principal(employer), cleaned(id_number=worker["id_number"]))
    await review(filed["id"], "reject", opinion="合同期限有误")
    assert await _messages(worker["id"]) == []
    stranger = await service.file_new(employer_principal(employer), cleaned(id_number=make_id_number()))
    await review(stranger["id"])
    assert await Message.count().where(Message.person.is_not_null()) == 0  # the employer's own messages only


async def test_the_worker_reads_it_in_the_message_centre_and_no_one_else_does(client, other_client):
    employer = await make_employer(name="椰城通知有限公司", review_agency="460105")
    worker = await make_person()
    other = await make_person()
    filed = await service.file_new(employer_principal(employer), cleaned(id_number=worker["id_number"]))
    await review(filed["id"])
    await client.sign_in_person(worker)
    await other_client.sign_in_person(other)
    mine = (await client.page(url_for("messages"))).get_text()
    assert "劳动合同新订备案" in mine and "椰城通知有限公司为您办理的劳动合同新订备案已审核通过" in mine
    assert "劳动合同新订备案" not in (await other_client.page(url_for("messages"))).get_text()
