"""一件事一次办 on the server: both domains' rules surface, both 办件 are filed together or not at all."""

from __future__ import annotations

import pytest

from domains.labor_contract.tables import Contract
from domains.one_thing import service
from domains.one_thing.tables import OneThing
from domains.personnel_change.tables import PcChange
from portal.refusal import Refused
from portal.workflow.tables import Matter
from tests.one_thing.support import (
    employer_principal,
    hire_cleaned,
    hire_data,
    leave_cleaned,
    leave_data,
    worker,
)
from tests.support.factories import make_employer, make_id_number


async def _counts() -> tuple[int, int, int, int]:
    return (await Contract.count(), await PcChange.count(), await Matter.count(), await OneThing.count())


async def test_hire_files_both_matters_with_one_number():
    employer = await make_employer(name="甲录用有限公司", division_code="460106")
    principal = employer_principal(employer)
    row = await service.hire(principal, await hire_cleaned(hire_data()))
    lc = await Matter.select().where(Matter.id == row["lc_matter_id"]).first()
    pc = await Matter.select().where(Matter.id == row["pc_matter_id"]).first()
    assert (lc["kind"], lc["state"]) == ("lc_contract", "submitted")
    assert (pc["kind"], pc["state"]) == (
        "pc_enrol",
        "submitted",
    )  # 已确认（待审核）: confirmed by the one form
    assert "-YJSLY-" in row["number"]
    for matter in (lc, pc):
        assert '"bundle"' in matter["payload"] and row["number"] in matter["payload"]
    contract = await Contract.select().where(Contract.id == row["contract_id"]).first()
    assert (contract["filing_kind"], contract["review_state"], contract["worker_name"]) == (
        "new",
        "pending",
        "新职工",
    )
    changes = await PcChange.select().where(PcChange.matter_id == pc["id"])
    assert (
        sorted(c["insurance"] for c in changes) == ["medical", "pension"] and changes[0]["name"] == "新职工"
    )


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"base": "100"}, "base", "缴费基数"),  # 增员's own rule (floor/ceiling)
        ({"period": "2027-03"}, "period", "合同起始日期所在月份"),  # this domain's rule: no uninsured months
        (
            {"period": "2026-11", "start_date": "2026-12-01"},
            "period",
            "",
        ),  # before the first 结算期 or the start
    ],
)
async def test_a_refusal_of_either_side_files_neither(overrides, field, words):
    employer = await make_employer(division_code="460106")
    principal = employer_principal(employer)
    before = await _counts()
    with pytest.raises(Refused) as refused:
        await service.hire(principal, await hire_cleaned(hire_data(**overrides)))
    assert refused.value.field == field and words in refused.value.message
    assert await _counts() == before


async def test_the_labour_contract_refusal_surfaces_and_nothing_is_filed():
    employer = await make_employer(division_code="460106")
    principal = employer_principal(employer)
    data = hire_data()
    await service.hire(principal, await hire_cleaned(data))
    before = await _counts()
    with pytest.raises(
        Refused
    ) as refused:  # a second hire of the same person: LC's one-unreviewed-filing rule
        await service.hire(principal, await hire_cleaned(data))
    assert refused.value.field == "id_number" and "未审核" in refused.value.message
    assert await _counts() == before


async def test_a_refusal_at_submission_rolls_back_the_filing_already_written(monkeypatch):
    """Atomicity: the 新订 is written first; when the 增员 then refuses (its rules changed since the check), the
    filing, its 办件 and the number's application are rolled back with it."""
    from domains.personnel_change import service as pc

    employer = await make_employer(division_code="460106")
    principal = employer_principal(employer)
    before = await _counts()

    async def refuse(*args, **kwargs):
        raise Refused("该人员已有未办结的异动申报，请先在增员确认或减员确认中处理", "insurances")

    monkeypatch.setattr(pc, "save", refuse)
    with pytest.raises(Refused):
        await service.hire(principal, await hire_cleaned(hire_data()))
    assert await _counts() == before


async def test_a_known_persons_name_must_match_the_record():
    employer = await make_employer(division_code="460106")
    other = await make_employer(division_code="460106")
    known = await worker(other, name="老职工")
    errors, _ = await service.check_hire(
        employer_principal(employer),
        await hire_cleaned(hire_data(known["id_number"], worker_name="别的名字", start_date="2026-12-01")),
    )
    from domains.person.service import NAME_MISMATCH

    assert errors["worker_name"] == NAME_MISMATCH and "老职工" not in errors["worker_name"]


async def test_leave_files_termination_and_withdrawal_and_the_certificate_follows_approval():
    from portal.workflow import engine as workflow
    from tests.labor_contract.support import review
    from tests.personnel_change.support import reviewer

    employer = await make_employer(name="甲离职有限公司", division_code="460106")
    principal = employer_principal(employer)
    w = await worker(employer)
    row = await service.leave(principal, w["id_number"], await leave_cleaned(leave_data(), w["contract"]))
    assert "-YJSLZ-" in row["number"]
    filing = await Contract.select().where(Contract.id == row["contract_id"]).first()
    assert (filing["filing_kind"], filing["previous"]) == ("terminate", w["contract"]["id"])
    progress = await service.progress(principal, row["id"])
    assert [p["matter"]["state"] for p in progress["parts"]] == ["submitted", "submitted"]
    assert progress["certificate"] is None
    with pytest.raises(Refused):  # not before the 解除(终止) filing is approved
        await service.certificate(principal, row["id"])
    await review(row["contract_id"])
    staff = reviewer("460000")
    matter = await workflow.get_matter_for(staff, row["pc_matter_id"])
    await workflow.fire(staff, matter["id"], "approve", expected_version=matter["version"])
    progress = await service.progress(principal, row["id"])
    assert progress["overall"][0] == "已办结"
    roster = await service.certificate(principal, row["id"])
    assert roster["kind"] == "termination_certificate" and roster["items"][0]["worker_name"] == "离职职工"
    assert (await service.certificate(principal, row["id"]))["id"] == roster["id"]  # the same one again


async def test_leave_needs_a_current_contract_and_a_live_record_here():
    employer = await make_employer(division_code="460106")
    principal = employer_principal(employer)
    stranger = make_id_number("460106")
    found = await service.leave_lookup(principal, stranger)
    assert found["contract"] is None and "没有在职的劳动合同" in found["refusal"]
    w = await worker(employer)
    errors, _ = await service.check_leave(
        principal, w["id_number"], await leave_cleaned(leave_data(period="2027-05"), w["contract"])
    )
    assert "解除(终止)时间所在月份" in errors["period"]


async def test_another_employers_application_is_404():
    from litestar.exceptions import NotFoundException

    a = await make_employer(division_code="460106")
    b = await make_employer(division_code="460106")
    row = await service.hire(employer_principal(b), await hire_cleaned(hire_data()))
    with pytest.raises(NotFoundException):
        await service.progress(employer_principal(a), row["id"])
    assert await service.mine(employer_principal(a)) == []


async def test_withdraw_is_all_or_nothing_when_a_later_step_fails(monkeypatch):
    """The 增员's 删除 refused after the contract's 申报作废 and the 增员's 撤回 went through: nothing stays done."""
    from portal.core.tables import AuditLog
    from portal.workflow import engine as workflow

    employer = await make_employer(name="甲全有或全无有限公司", division_code="460106")
    principal = employer_principal(employer)
    row = await service.hire(principal, await hire_cleaned(hire_data()))
    fire = workflow.fire

    async def failing(p, matter_id, name, **kw):
        if matter_id == row["pc_matter_id"] and name == "void":
            raise workflow.WorkflowError("模拟的拒绝")
        return await fire(p, matter_id, name, **kw)

    monkeypatch.setattr(workflow, "fire", failing)
    with pytest.raises(Refused, match="社会保险增员：模拟的拒绝"):
        await service.withdraw(principal, row["id"])
    states = [(await Matter.select(Matter.state).where(Matter.id == m).first())["state"]
              for m in (row["lc_matter_id"], row["pc_matter_id"])]
    assert states == ["submitted", "submitted"]
    assert (await Contract.select(Contract.state).where(Contract.id == row["contract_id"]).first())["state"] == "new"
    assert await AuditLog.count().where(AuditLog.action.is_in(["matter.void", "matter.withdraw",
                                                               "one_thing.withdraw"])) == 0


async def test_withdraw_and_the_reviewers_approval_at_once_one_wins():
    """整件撤回 while the 增员's reviewer approves it: either both parts are withdrawn and nothing approved, or the
    增员 is approved and the 一件事 is refused with nothing withdrawn — never half of each."""
    import asyncio

    from portal.workflow import engine as workflow
    from tests.personnel_change.support import reviewer
    from tests.support.races import refusal

    employer = await make_employer(name="甲竞争有限公司", division_code="460106")
    principal = employer_principal(employer)
    row = await service.hire(principal, await hire_cleaned(hire_data()))
    staff = reviewer("460000")
    pc = await workflow.get_matter_for(staff, row["pc_matter_id"])

    approved, withdrawn = await asyncio.gather(
        refusal(workflow.fire(staff, pc["id"], "approve", expected_version=pc["version"])),
        refusal(service.withdraw(principal, row["id"])))
    assert sorted([bool(approved), bool(withdrawn)]) == [False, True], (approved, withdrawn)
    states = [(await Matter.select(Matter.state).where(Matter.id == m).first())["state"]
              for m in (row["lc_matter_id"], row["pc_matter_id"])]
    if withdrawn:  # the reviewer came first
        assert states == ["submitted", "approved"] and "社会保险增员" in withdrawn, withdrawn
    else:
        assert states == ["voided", "voided"] and "该办件已被他人处理" in approved, approved
