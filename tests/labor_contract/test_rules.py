"""Table-driven tests of the labour-contract rules, with cases taken from the 吉林 filing guide."""

from datetime import date

import pytest

from domains.labor_contract import rules
from domains.labor_contract.rules import PendingFiling

# The guide's sample termination row: 马五 630101199501010072 2019-07-01 职工个人原因.
GUIDE_ID = "630101199501010072"


def contract(**kw):
    base = {"state": "new", "review_state": "approved", "in_roster": True, "employed": True, "worker_name": "马五"}
    base.update(kw)
    return base


def test_gender_and_birth_date_come_from_the_id_number():
    assert rules.derive_from_id(GUIDE_ID) == ("男", date(1995, 1, 1))
    assert rules.derive_from_id("11010519491231002X") == ("女", date(1949, 12, 31))


RENEW_CASES = [
    # guide 1.1 4): 必须是新签审核通过并且生成过新签备案名册的合同才能进行续签操作
    (contract(), None),
    (contract(state="renew"), None),
    (contract(in_roster=False), "请先通过实时名册打印生成名册后再办理续订"),
    (contract(review_state="pending"), "只有审核通过的合同才可以续订"),
    (contract(review_state="rejected"), "只有审核通过的合同才可以续订"),
    (contract(state="terminate"), "只有合同状态为新订或续订的合同才可以续订"),
    (contract(state="void", review_state="pending"), "只有合同状态为新订或续订的合同才可以续订"),
    (contract(employed=False), "该合同已续订或已解除(终止)，不能再次续订"),
]


@pytest.mark.parametrize(("c", "reason"), RENEW_CASES)
def test_may_renew(c, reason):
    assert rules.may_renew(c) == reason


TERMINATE_CASES = [
    # guide 1.1 5): 必须完成过新签流程或续签流程的合同，才能做解除
    (contract(), None),
    (contract(state="renew"), None),
    (contract(in_roster=False), "只有完成新订或续订流程（审核通过并已生成名册）的合同才可以解除(终止)"),
    (contract(review_state="pending"), "只有完成新订或续订流程（审核通过并已生成名册）的合同才可以解除(终止)"),
    (contract(state="terminate"), "只有合同状态为新订或续订的合同才可以解除(终止)"),
    (contract(employed=False), "该合同已续订或已解除(终止)"),
]


@pytest.mark.parametrize(("c", "reason"), TERMINATE_CASES)
def test_may_terminate(c, reason):
    assert rules.may_terminate(c) == reason


VOID_CASES = [
    # guide 1.9: 只有未审核和审核不通过的可以作废
    (contract(review_state="pending"), None),
    (contract(review_state="rejected"), None),
    (contract(review_state="approved"), "只有未审核、审核不通过和退回补正的备案可以作废"),
    (contract(state="void", review_state="pending"), "该备案已作废"),
]


@pytest.mark.parametrize(("c", "reason"), VOID_CASES)
def test_may_void(c, reason):
    assert rules.may_void(c) == reason


MODIFY_CASES = [
    # guide 1.4 1): 只有审核状态为审核不通过的数据才可以进行修改操作
    (contract(review_state="rejected"), None),
    (contract(review_state="pending"), "只有审核状态为审核不通过或退回补正的备案才可以修改"),
    (contract(review_state="approved"), "只有审核状态为审核不通过或退回补正的备案才可以修改"),
    (contract(state="void", review_state="rejected"), "已作废的备案不能修改"),
]


@pytest.mark.parametrize(("c", "reason"), MODIFY_CASES)
def test_may_modify(c, reason):
    assert rules.may_modify(c) == reason


def fields(**kw):
    base = {
        "id_number": GUIDE_ID,
        "contract_type": "1",
        "employment_form": "01",
        "contract_template": "own",
        "contract_number": "",
        "start_date": date(2020, 3, 6),
        "end_date": date(2021, 3, 6),
        "probation_months": 0,
        "pay_day": 4,  # guide 1.4 2): 每个月4号直接填写数字‘4’
    }
    base.update(kw)
    return base


FIELD_CASES = [
    (fields(), {}),
    (fields(end_date=None), {"end_date": "固定期限劳动合同必须填写合同结束日期"}),
    (fields(end_date=date(2020, 3, 6)), {"end_date": "合同结束日期应晚于合同起始日期"}),
    (fields(contract_type="2", end_date=date(2030, 1, 1)), {"end_date": "无固定期限劳动合同不填写合同结束日期"}),
    (fields(contract_type="2", end_date=None, probation_months=6), {}),
    (fields(contract_type="3", end_date=None), {}),
    (fields(contract_type="3", end_date=None, probation_months=1), {"probation_months": "该合同不得约定试用期"}),
    (fields(probation_months=3), {"probation_months": "该合同的试用期不得超过2个月（劳动合同法第十九条）"}),
    (fields(end_date=date(2020, 9, 5), probation_months=2), {"probation_months": "该合同的试用期不得超过1个月（劳动合同法第十九条）"}),
    (fields(end_date=date(2023, 3, 6), probation_months=6), {}),
    (fields(employment_form="02", probation_months=1), {"probation_months": "该合同不得约定试用期"}),
    (fields(pay_day=0), {"pay_day": "发工资日期填写每月的几号，应为1到31之间的数字"}),
    (fields(pay_day=32), {"pay_day": "发工资日期填写每月的几号，应为1到31之间的数字"}),
    (fields(pay_day=31), {}),
    # guide 1.7: 使用合同模板没有劳动合同号 (备案试运行文本)
    (fields(contract_template="model"), {"contract_number": "使用合同模板没有劳动合同号，请填写劳动合同编号"}),
    (fields(contract_template="model", contract_number="2018-0001"), {}),
    (fields(start_date=date(2010, 1, 1), end_date=date(2011, 1, 1)), {"id_number": "劳动者在合同起始日期未满十六周岁，不得招用"}),
]


@pytest.mark.parametrize(("values", "errors"), FIELD_CASES)
def test_contract_field_rules(values, errors):
    assert rules.contract_field_errors(values) == errors


def test_term_months_counts_the_day_before_the_anniversary_as_a_full_year():
    assert rules.term_months(date(2020, 3, 6), date(2021, 3, 5)) == 12
    assert rules.term_months(date(2020, 3, 6), date(2021, 3, 4)) == 11
    assert rules.max_probation_months("1", "01", date(2020, 3, 6), date(2023, 3, 5)) == 6


def test_first_filing_must_be_new():
    # guide 1.1 1): 劳动者信息第一次进劳动用工备案系统，一定要以新签的形式进入
    assert rules.first_filing_refusal("new", has_contract_here=False) is None
    assert "首次备案必须以新订的形式进入" in rules.first_filing_refusal("renew", has_contract_here=False)
    assert "首次备案必须以新订的形式进入" in rules.first_filing_refusal("terminate", has_contract_here=False)
    assert rules.first_filing_refusal("renew", has_contract_here=True) is None


def test_one_unreviewed_filing_per_person_across_employers():
    # guide 1.7 upload result: 此人存在未审核的备案信息：此人在单位【吉林慧新业桥经贸有限公司】已存在全日制劳动…
    assert rules.unreviewed_refusal([]) is None
    reason = rules.unreviewed_refusal([PendingFiling("吉林慧新业桥经贸有限公司", "全日制用工", "new", own=True)])
    assert reason.startswith("此人存在未审核的备案信息：此人在单位【吉林慧新业桥经贸有限公司】已存在全日制")
    assert "新订" in reason
    # At another employer the name is withheld (issue #12 item 7), also when an own filing comes later.
    elsewhere = PendingFiling("海南其他有限公司", "全日制用工", "new")
    assert rules.unreviewed_refusal([elsewhere]) == "此人在其他单位存在未审核的备案，待其审核完成后再办理"
    mixed = rules.unreviewed_refusal([elsewhere, PendingFiling("本单位", "全日制用工", "renew", own=True)])
    assert "本单位" in mixed and "海南其他有限公司" not in mixed


NAME_CASES = [
    ("马五", None),
    ("阿卜杜·热合曼", None),
    ("一二三四五六七八九十", None),
    ("一二三四五六七八九十一", "姓名应为10个汉字以内"),
    ("Tom", "姓名应为10个汉字以内"),
    ("", "请填写姓名"),
]


@pytest.mark.parametrize(("name", "error"), NAME_CASES)
def test_termination_template_name(name, error):
    assert rules.worker_name_error(name) == error


ROSTER_CASES = [
    # guide 1.11 3): 生成新签备案名册，需先查出合同状态为‘新订’，审核状态为‘审核通过’
    ("new_roster", contract(in_roster=False), set(), None),
    ("new_roster", contract(in_roster=False, review_state="pending"), set(), "马五：只有审核通过的备案才能生成名册"),
    ("new_roster", contract(state="renew"), set(), "马五：新签备案名册只能选择合同状态为新订的备案"),
    ("new_roster", contract(), {"new_roster"}, "马五：已生成过新签备案名册"),
    ("renew_roster", contract(state="renew", in_roster=False), set(), None),
    ("termination_certificate", contract(state="terminate"), {"termination_roster"}, None),
    ("termination_roster", contract(state="terminate"), {"termination_roster"}, "马五：已生成过解除(终止)备案名册"),
    ("termination_roster", contract(state="new"), set(), "马五：解除(终止)备案名册只能选择合同状态为解除(终止)的备案"),
]


@pytest.mark.parametrize(("kind", "c", "on_kinds", "reason"), ROSTER_CASES)
def test_roster_eligibility(kind, c, on_kinds, reason):
    assert rules.roster_refusal(kind, c, on_kinds) == reason


def test_approval_updates_hand_over_the_employed_flag():
    assert rules.approval_updates({"state": "renew"}) == ({"review_state": "approved", "employed": True}, {"employed": False})
    assert rules.approval_updates({"state": "terminate"}) == ({"review_state": "approved", "employed": False}, {"employed": False})


def test_termination_date():
    today = date(2026, 11, 23)
    assert rules.termination_date_refusal(date(2020, 1, 1), date(2019, 7, 1), today) == "解除(终止)时间不能早于合同起始日期"
    assert rules.termination_date_refusal(date(2019, 1, 1), date(2019, 7, 1), today) is None
    assert rules.termination_date_refusal(None, date(2027, 3, 1), today) == "解除(终止)时间不能晚于当前日期一个月以上"


def test_roster_number():
    assert rules.roster_number("new_roster", date(2026, 11, 23), 7) == "XQ202611230007"


def test_a_renewal_starts_after_the_contract_it_renews():
    # Issue 14 §13: 2024-01-01…2025-12-31 was accepted as the renewal of 2025-03-01…2028-02-29.
    refused = rules.renewal_start_error(date(2025, 3, 1), date(2028, 2, 29), date(2024, 1, 1))
    assert refused == "续订合同的起始日期应为原合同结束日期（2028-02-29）的次日（2028-03-01）或之后"
    assert rules.renewal_start_error(date(2025, 3, 1), date(2028, 2, 29), date(2028, 2, 29))  # one day overlap
    assert rules.renewal_start_error(date(2025, 3, 1), date(2028, 2, 29), date(2028, 3, 1)) is None
    last = date(2028, 3, 1) + __import__("datetime").timedelta(days=rules.RENEWAL_GAP_DAYS)
    assert rules.renewal_start_error(date(2025, 3, 1), date(2028, 2, 29), last) is None
    assert "最迟不超过其后31日" in rules.renewal_start_error(date(2025, 3, 1), date(2028, 2, 29), date(2028, 4, 2))
    # An open-ended contract has no end: the renewal starts after its start.
    assert rules.renewal_start_error(date(2025, 3, 1), None, date(2025, 3, 1))
    assert rules.renewal_start_error(date(2025, 3, 1), None, date(2026, 1, 1)) is None


def test_a_renewal_that_has_not_started_can_be_ended_from_the_renewed_contracts_start():
    today = date(2025, 11, 1)
    # The renewal runs from 2026-01-01; the worker leaves on 2025-11-15, during the renewed contract.
    earliest = rules.termination_earliest(date(2026, 1, 1), date(2023, 1, 1), today)
    assert earliest == date(2023, 1, 1)
    assert rules.termination_date_refusal(earliest, date(2025, 11, 15), today) is None
    # Before the fix the bound was the renewal's own start: no date up to today + 31 days was accepted.
    assert rules.termination_date_refusal(date(2026, 1, 1), date(2025, 11, 15), today)
    # A contract already running keeps its own start as the bound.
    assert rules.termination_earliest(date(2024, 1, 1), date(2020, 1, 1), today) == date(2024, 1, 1)


def test_another_employers_pending_new_filing_does_not_block_renewal_or_termination():
    elsewhere = PendingFiling("新单位", "全日制用工", "new", employer_id=2)
    here = PendingFiling("本单位", "全日制用工", "renew", employer_id=1)
    for kind in ("renew", "terminate"):
        assert rules.blocking_pending([elsewhere], kind, 1) == []
        assert rules.blocking_pending([elsewhere, here], kind, 1) == [here]
    # A 新订 is still stopped by any unreviewed filing, here or elsewhere (the guide: 包括在其他单位).
    assert rules.blocking_pending([elsewhere], "new", 1) == [elsewhere]
    # Another employer's pending 解除 or 续订 still blocks (it changes the same person's record).
    other_end = PendingFiling("新单位", "全日制用工", "terminate", employer_id=2)
    assert rules.blocking_pending([other_end], "terminate", 1) == [other_end]
