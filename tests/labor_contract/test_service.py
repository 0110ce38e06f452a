"""Use-case tests: every filing rule enforced on the server, with the 办件 moving alongside the contract."""

from datetime import date

import pytest
from litestar.exceptions import NotFoundException

from domains.labor_contract import service
from domains.labor_contract.tables import Contract
from portal.refusal import Refused
from portal.workflow.tables import Matter
from tests.labor_contract.support import cleaned, completed_contract, employer_principal, review
from tests.support.factories import make_employer


async def contract(contract_id):
    return await Contract.select().where(Contract.id == contract_id).first()


async def test_new_filing_starts_unreviewed_and_opens_a_matter_for_the_review_agency():
    employer = await make_employer(review_agency="460105")
    filed = await service.file_new(employer_principal(employer), cleaned(worker_name="马五"))
    row = await contract(filed["id"])
    assert (row["state"], row["filing_kind"], row["review_state"]) == ("new", "new", "pending")
    assert row["gender"] == "女" or row["gender"] == "男"
    matter = await Matter.select().where(Matter.id == row["matter_id"]).first()
    assert matter["state"] == "submitted"
    assert matter["agency_code"] == "460105"
    assert matter["employer"] == employer["id"]


async def test_one_unreviewed_filing_per_person_across_employers():
    first = await make_employer(name="海南慧新业桥经贸有限公司")
    second = await make_employer()
    values = cleaned()
    await service.file_new(employer_principal(first), values)
    with pytest.raises(Refused) as refused:
        await service.file_new(employer_principal(second), values)
    assert refused.value.message == "此人在其他单位存在未审核的备案，待其审核完成后再办理"
    # At its own employer the guide's wording, with the name, is kept.
    with pytest.raises(Refused) as own:
        await service.file_new(employer_principal(first), values)
    assert own.value.message.startswith("此人存在未审核的备案信息：此人在单位【海南慧新业桥经贸有限公司】已存在全日制用工")
    assert refused.value.field == "id_number"


async def test_a_voided_filing_no_longer_blocks_the_person():
    employer = await make_employer()
    values = cleaned()
    filed = await service.file_new(employer_principal(employer), values)
    assert await service.void(employer_principal(employer), [filed["id"]]) == {filed["id"]: ""}
    assert (await contract(filed["id"]))["state"] == "void"
    again = await service.file_new(employer_principal(employer), values)
    assert (await contract(again["id"]))["review_state"] == "pending"


async def test_renew_needs_an_approved_contract_in_a_roster():
    employer = await make_employer()
    principal = employer_principal(employer)
    filed = await service.file_new(principal, cleaned())
    with pytest.raises(Refused, match="只有审核通过的合同才可以续订"):
        await service.file_renew(principal, filed["id"], cleaned())
    await review(filed["id"])
    with pytest.raises(Refused, match="请先通过实时名册打印生成名册"):
        await service.file_renew(principal, filed["id"], cleaned())
    await Contract.update({Contract.in_roster: True}).where(Contract.id == filed["id"])
    renewed = await service.file_renew(principal, filed["id"], cleaned(start_date=date(2028, 1, 1),
                                                                       end_date=date(2030, 12, 31)))
    row = await contract(renewed["id"])
    assert (row["state"], row["review_state"], row["previous"]) == ("renew", "pending", filed["id"])
    assert row["id_number"] == (await contract(filed["id"]))["id_number"]
    await review(renewed["id"])
    assert (await contract(renewed["id"]))["employed"] is True
    assert (await contract(filed["id"]))["employed"] is False
    with pytest.raises(Refused, match="不能再次续订"):
        await service.file_renew(principal, filed["id"], cleaned())


async def test_terminate_only_a_completed_contract_and_it_ends_employment():
    employer = await make_employer()
    principal = employer_principal(employer)
    pending = await service.file_new(principal, cleaned())
    with pytest.raises(Refused, match="完成新订或续订流程"):
        await service.file_terminate(principal, pending["id"], {"termination_date": cleaned()["start_date"],
                                                                "termination_reason": "02", "compensation": None})
    done = await completed_contract(employer)
    ended = await service.file_terminate(
        principal, done["id"], {"termination_date": done["start_date"], "termination_reason": "02", "compensation": 300055}
    )
    row = await contract(ended["id"])
    assert (row["state"], row["compensation"], row["previous"]) == ("terminate", 300055, done["id"])
    await review(ended["id"])
    assert (await contract(done["id"]))["employed"] is False
    assert (await contract(ended["id"]))["employed"] is False


async def test_rejected_filing_is_modified_and_goes_back_to_review():
    employer = await make_employer()
    principal = employer_principal(employer)
    filed = await service.file_new(principal, cleaned())
    with pytest.raises(Refused, match="只有审核状态为审核不通过或退回补正的备案才可以修改"):
        await service.modify(principal, filed["id"], cleaned())
    await review(filed["id"], "reject", opinion="合同编号与合同文本不一致")
    row = await contract(filed["id"])
    assert (row["review_state"], row["review_opinion"]) == ("rejected", "合同编号与合同文本不一致")
    await service.modify(principal, filed["id"], cleaned(id_number=row["id_number"], post="测试工程师"))
    row = await contract(filed["id"])
    assert (row["review_state"], row["post"]) == ("pending", "测试工程师")
    matter = await Matter.select().where(Matter.id == row["matter_id"]).first()
    assert matter["state"] == "submitted"


async def test_void_refuses_approved_filings():
    employer = await make_employer()
    done = await completed_contract(employer)
    result = await service.void(employer_principal(employer), [done["id"]])
    assert result == {done["id"]: "只有未审核、审核不通过和退回补正的备案可以作废"}


async def test_a_new_filing_for_someone_already_employed_here_is_refused():
    employer = await make_employer()
    done = await completed_contract(employer)
    with pytest.raises(Refused, match="已有在职的劳动合同"):
        await service.file_new(employer_principal(employer), cleaned(id_number=done["id_number"]))


async def test_another_employers_contract_is_not_found():
    a, b = await make_employer(), await make_employer()
    filed = await service.file_new(employer_principal(b), cleaned())
    with pytest.raises(NotFoundException):
        await service.get_contract(employer_principal(a), filed["id"])
    assert await service.void(employer_principal(a), [filed["id"]]) == {filed["id"]: "备案记录不存在"}
    with pytest.raises(NotFoundException):
        await service.file_renew(employer_principal(a), filed["id"], cleaned())


async def test_two_employers_filing_the_same_person_at_once_one_wins():
    import asyncio

    a, b = await make_employer(), await make_employer()
    values = cleaned()
    results = await asyncio.gather(
        service.file_new(employer_principal(a), values), service.file_new(employer_principal(b), values),
        return_exceptions=True,
    )
    assert sum(isinstance(r, dict) for r in results) == 1
    assert sum(isinstance(r, Refused) for r in results) == 1
    assert await Contract.count().where(Contract.id_number == values["id_number"]) == 1


async def test_a_person_sees_their_filings_at_every_employer():
    a, b = await make_employer(name="甲单位"), await make_employer(name="乙单位")
    done = await completed_contract(a)
    ended = await service.file_terminate(employer_principal(a), done["id"], {
        "termination_date": done["start_date"], "termination_reason": "02", "compensation": None})
    await review(ended["id"])
    await service.file_new(employer_principal(b), cleaned(id_number=done["id_number"]))
    rows = await service.contracts_of_person(done["id_number"])
    assert [(r["employer.name"], r["state"]) for r in rows] == [("乙单位", "new"), ("甲单位", "terminate"), ("甲单位", "new")]


async def test_renewal_before_the_renewed_contract_ends_is_refused_beside_the_start_date():
    employer = await make_employer()
    done = await completed_contract(employer, start_date=date(2025, 3, 1), end_date=date(2028, 2, 29))
    with pytest.raises(Refused) as refused:
        await service.file_renew(employer_principal(employer), done["id"],
                                 cleaned(start_date=date(2024, 1, 1), end_date=date(2025, 12, 31)))
    assert refused.value.field == "start_date"
    assert "次日（2028-03-01）" in refused.value.message
    assert await Contract.count() == 1


async def test_new_employers_pending_filing_does_not_block_the_old_employers_termination():
    old, new = await make_employer(), await make_employer(name="新单位有限公司")
    done = await completed_contract(old)
    hired = await service.file_new(employer_principal(new), cleaned(id_number=done["id_number"]))
    assert (await contract(hired["id"]))["review_state"] == "pending"  # warned, not refused
    warning = await service.new_filing_warning(employer_principal(new), await contract(hired["id"]))
    assert warning.startswith("此人在其他单位仍有在职的劳动合同备案")
    ended = await service.file_terminate(employer_principal(old), done["id"], {
        "termination_date": service.today_local(), "termination_reason": "03", "compensation": None})
    await review(ended["id"])
    assert await service.new_filing_warning(employer_principal(new), await contract(hired["id"])) is None
