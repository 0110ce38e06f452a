"""Staff pages: 月度核定 (si.assess) through HTTP, plain POST and htmx."""

from __future__ import annotations

from domains.social_insurance import service
from domains.social_insurance.tables import SiContribution
from tests.social_insurance.support import insure
from tests.support.factories import make_employer
from tests.support.urls import url_for


async def test_assess_page_runs_and_closes_a_period(app, client):
    await client.sign_in_staff("hedingyuan", permissions=[service.ASSESS_PERMISSION], scopes={"division": ["460100"]})
    haikou = await make_employer(division_code="460105")
    sanya = await make_employer(division_code="460202")
    await insure(haikou, insurances=("pension",))
    await insure(sanya, insurances=("pension",))

    page = await client.page(url_for("si_assess"))
    assert page.select_one("#f-period")["value"]  # this month by default
    response = await client.post_form(url_for("si_assess"), {"period": "2026-11", "action": "assess"})
    assert response.status_code == 200
    assert "2026年11月核定完成：1 家单位" in response.text
    assert await SiContribution.count() == 1  # only the staff member's division

    fragment = await client.post_form(url_for("si_assess"), {"period": "202611", "action": "close"}, htmx=True)
    assert 'id="assess-panel"' in fragment.text and "<html" not in fragment.text
    assert "2026年11月已关账" in fragment.text
    again = await client.post_form(url_for("si_assess"), {"period": "2026-11", "action": "assess"})
    assert "该结算期已关账，不能重新核定" in again.text


async def test_assess_page_explains_a_bad_period(app, client):
    await client.sign_in_staff("hedingyuan2", permissions=[service.ASSESS_PERMISSION])
    response = await client.post_form(url_for("si_assess"), {"period": "2026-13", "action": "assess"})
    assert "结算期不存在，请检查年份和月份" in response.text
    response = await client.post_form(url_for("si_assess"), {"period": "", "action": "assess"})
    assert "结算期格式不正确" in response.text


async def test_assess_needs_the_permission(app, client):
    await client.sign_in_staff("chaxunyuan", permissions=[service.QUERY_PERMISSION])
    assert (await client.get(url_for("si_assess"))).status_code == 403
    assert (await client.post_form(url_for("si_assess"), {"period": "2026-11"})).status_code == 403
