"""费率与基数 (si.reference): list, add a new year's limits or a rate with every rule beside its field, audited;
月度核定 reads what is entered. Tests that add reference rows delete them again (the tables are shared)."""

from __future__ import annotations

import pytest

from domains.social_insurance import rules, service
from domains.social_insurance.rules import Limits
from domains.social_insurance.tables import SiContribution, SiLimit, SiRate
from portal.core.tables import AuditLog
from tests.social_insurance.support import assessor, insure
from tests.support.factories import make_employer
from tests.support.urls import url_for

LIMIT = {"year": "2027", "base_floor": "4600", "base_ceiling": "23000", "interest_rate": "2.5",
         "limit_source": "琼人社发〔2027〕1号"}


@pytest.fixture
async def restore_reference():
    limits = {r["id"] for r in await SiLimit.select(SiLimit.id)}
    rates = {r["id"] for r in await SiRate.select(SiRate.id)}
    yield
    await SiLimit.delete().where(SiLimit.id.not_in(list(limits)))
    await SiRate.delete().where(SiRate.id.not_in(list(rates)))


@pytest.mark.parametrize(("raw", "units", "reason"), [
    ("16", 16000, None), ("0.2", 200, None), ("1.5%", 1500, None), ("0", 0, None), ("100", 100000, None),
    ("0.0005", None, "最多三位小数"), ("101", None, "应在0至100%之间"), ("-1", None, "应在0至100%之间"),
    ("abc", None, "应为百分比数字"), ("NaN", None, "应在0至100%之间"),
])
def test_rate_parser(raw, units, reason):
    got, why = rules.rate_or_reason(raw, "单位费率")
    assert got == units and (why is None if reason is None else reason in why)


@pytest.mark.parametrize(("units", "text"), [(16000, "16%"), (200, "0.2%"), (1250, "1.25%"), (0, "0%")])
def test_rate_text(units, text):
    assert rules.rate_text(units) == text


@pytest.mark.parametrize(("values", "field"), [
    ({"year": 2027, "base_floor": 500000, "base_ceiling": 400000}, "base_ceiling"),
    ({"year": 2026, "base_floor": 400000, "base_ceiling": 500000}, "year"),
    ({"year": 2027, "base_floor": 0, "base_ceiling": 500000}, "base_floor"),
    ({"year": 2027, "base_floor": 500000, "base_ceiling": 500000}, None),
])
def test_limit_rules(values, field):
    errors = rules.limit_errors(values, {("", 2025), ("", 2026)})
    assert list(errors) == ([field] if field else [])


@pytest.mark.parametrize(("values", "field"), [
    ({"insurance": "injury", "risk_class": 0, "effective_from": 202701}, "risk_class"),
    ({"insurance": "pension", "risk_class": 3, "effective_from": 202701}, "risk_class"),
    ({"insurance": "maternity", "risk_class": 0, "effective_from": 202701, "personal_rate": 100}, "personal_rate"),
    ({"insurance": "pension", "risk_class": 0, "effective_from": 201905}, "effective_from"),
    ({"insurance": "injury", "risk_class": 2, "effective_from": 202701}, None),
])
def test_rate_rules(values, field):
    errors = rules.rate_errors(values, {("pension", 0, 201905)})
    assert list(errors) == ([field] if field else [])


@pytest.mark.parametrize(("base", "assessed"), [(100, 4000), (5000, 5000), (99999, 9000)])
def test_clamp_base(base, assessed):
    assert rules.clamp_base(base, Limits(4000, 9000)) == assessed


async def test_admin_lists_flags_samples_and_adds_a_year(client, restore_reference):
    await client.sign_in_staff("si_ref", permissions=[service.REFERENCE_PERMISSION])
    page = await client.page(url_for("si_reference"))
    assert page.select_one("[data-testid=sample-warning]") is not None
    assert "16%" in page.select_one("[data-testid=si-rates]").get_text()
    bad = await client.post_form(url_for("si_reference_limit_add"),
                                 {**LIMIT, "year": "2026", "base_ceiling": "100", "interest_rate": "120"})
    assert bad.status_code == 400
    for message in ("2026年的缴费基数上下限已录入", "缴费基数上限不能低于下限", "应在0至100%之间"):
        assert message in bad.text
    assert 'value="100"' in bad.text and "琼人社发〔2027〕1号" in bad.text  # nothing typed is lost
    ok = await client.post_form(url_for("si_reference_limit_add"), LIMIT)
    assert ok.status_code == 303
    row = await SiLimit.select().where(SiLimit.effective_from == 202701).first()
    assert (row["base_floor"], row["base_ceiling"], row["interest_rate"]) == (460000, 2300000, 2500)
    audit = await AuditLog.select().where(AuditLog.action == "limit.add").first()
    assert audit is not None and audit["object_id"] == str(row["id"])
    again = await client.post_form(url_for("si_reference_limit_add"), LIMIT)
    assert again.status_code == 400 and "2027年的缴费基数上下限已录入" in again.text


async def test_admin_adds_a_rate_and_refuses_bad_ones(client, restore_reference):
    await client.sign_in_staff("si_ref", permissions=[service.REFERENCE_PERMISSION])
    bad = await client.post_form(url_for("si_reference_rate_add"), {
        "insurance": "injury", "effective_from": "2027-13", "employer_rate": "0.0001", "rate_source": "x"})
    assert bad.status_code == 400
    for message in ("工伤保险请选择行业风险类别", "最多三位小数", "月份"):
        assert message in bad.text
    ok = await client.post_form(url_for("si_reference_rate_add"), {
        "insurance": "pension", "effective_from": "2027-01", "employer_rate": "15", "personal_rate": "8",
        "rate_source": "示例文件"})
    assert ok.status_code == 303
    row = await SiRate.select().where((SiRate.insurance == "pension") & (SiRate.effective_from == 202701)).first()
    assert (row["employer_rate"], row["personal_rate"], row["risk_class"]) == (15000, 8000, 0)


async def test_reference_needs_its_permission(client):
    await client.sign_in_staff("si_noref", permissions=[service.QUERY_PERMISSION, service.ASSESS_PERMISSION])
    assert (await client.get(url_for("si_reference"))).status_code == 403
    assert (await client.post_form(url_for("si_reference_limit_add"), LIMIT)).status_code == 403
    assert await SiLimit.count().where(SiLimit.effective_from == 202701) == 0


async def test_assessment_reads_the_new_year_limits(restore_reference):
    employer = await make_employer(division_code="460105")
    person = await insure(employer, base=450000, start=202612, insurances=("pension",))
    await service.add_limit(assessor(permissions=(service.REFERENCE_PERMISSION,)), {
        "year": 2027, "base_floor": 500000, "base_ceiling": 2300000, "interest_rate": 2500, "source": "测试"})
    await service.assess(assessor(), 202612)
    await service.assess(assessor(), 202701)
    rows = {r["period"]: r for r in await SiContribution.select().where(SiContribution.person == person["id"])}
    assert rows[202612]["base"] == 450000 and rows[202701]["base"] == 500000  # raised to the 2027 floor
    assert rows[202701]["pension_personal"] == 40000  # 5,000.00 × 8%
