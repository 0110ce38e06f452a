"""HRA-13 the public 名录 and HRA-4 the staff views; the cross-tenant matrix over every new URL."""

from __future__ import annotations

import pytest

from domains.hr_agency.matters import ACCEPT, MANAGE
from tests.hr_agency.factories import make_agency
from tests.hr_agency.support import staff
from tests.support.urls import url_for


async def test_register_is_public_searchable_and_shows_nothing_personal(app, client):
    await make_agency(name="海口英才人力资源有限公司", division="460105", services_label="组织开展现场招聘会")
    await make_agency(name="三亚椰风人力资源有限公司", division="460202", licence=False, filing=True,
                      services_label="人力资源培训")
    await make_agency(name="没有许可的机构", licence=False)
    await make_agency(name="已注销机构", status="deregistered")
    soup = await client.page("/hr-agencies/")
    text = soup.get_text()
    assert "海口英才" in text and "三亚椰风" in text and "没有许可的机构" not in text and "已注销机构" not in text
    assert "赵法人" not in text and "13912345678" not in text and "钱联系" not in text
    assert "LIC-460105-" in text and "FIL-460202-" in text
    by_region = (await client.page("/hr-agencies/?region=460200")).get_text()
    assert "三亚椰风" in by_region and "海口英才" not in by_region
    by_service = (await client.page("/hr-agencies/?service=招聘")).get_text()
    assert "海口英才" in by_service and "三亚椰风" not in by_service
    by_name = (await client.page("/hr-agencies/?name=椰风")).get_text()
    assert "三亚椰风" in by_name and "海口英才" not in by_name
    bad = await client.get("/hr-agencies/?region=999999")
    assert bad.status_code == 200 and "请从列表中选择所在地区" in bad.text
    assert (await client.get("/hr-agencies/?export=xlsx")).status_code == 404
    assert "导出Excel" not in text


async def test_staff_see_their_division_only(app, client):
    mine = await make_agency(name="海口机构", division="460105", filing=True)
    other = await make_agency(name="三亚机构", division="460202", filing=True)
    user, _ = await staff(app, "hra_view", [MANAGE], division="460100")
    await client.sign_in("staff", uid=user["id"])
    text = (await client.page(url_for("hra_licences"))).get_text()
    assert "海口机构" in text and "三亚机构" not in text
    soup = await client.page(url_for("hra_licence_detail", licence_id=mine["licence_id"]))
    assert "LIC-460105" in soup.get_text() and "139****5678" in soup.get_text()
    assert (await client.get(url_for("hra_licence_detail", licence_id=other["licence_id"]))).status_code == 404
    assert (await client.get(url_for("hra_filing_detail", filing_id=other["filing_id"]))).status_code == 404
    assert "海口机构" in (await client.page(url_for("hra_filing_detail", filing_id=mine["filing_id"]))).get_text()


async def test_cross_tenant_matrix(app, client):
    """Agency B, staff without a hra permission, and staff of another division reach nothing of agency A."""
    a = await make_agency(name="甲机构", division="460105", filing=True)
    b = await make_agency(name="乙机构", division="460105")
    a_urls = [url_for("hra_licence_certificate", licence_id=a["licence_id"]), url_for("hra_filing_certificate", filing_id=a["filing_id"])]
    await client.sign_in_employer(b["employer"], acting_name="陈法人")
    for url in a_urls:
        assert (await client.get(url)).status_code == 404, url
    assert "甲机构" not in (await client.page("/hr-agency/")).get_text()
    # Staff pages refuse employers; agency pages refuse staff.
    for url in (url_for("hra_licences"), url_for("hra_filings"),
                url_for("hra_licence_detail", licence_id=a["licence_id"]), url_for("hra_filing_detail", filing_id=a["filing_id"])):
        assert (await client.get(url)).status_code in (401, 403), url
    outsider, _ = await staff(app, "hra_out", [MANAGE], division="460200")
    unrelated, _ = await staff(app, "lc_only", ["lc.review"], division="460000")
    await client.sign_in("staff", uid=outsider["id"])
    for url in (url_for("hra_licence_detail", licence_id=a["licence_id"]), url_for("hra_filing_detail", filing_id=a["filing_id"])):
        assert (await client.get(url)).status_code == 404, url
    assert "甲机构" not in (await client.page(url_for("hra_licences"))).get_text()
    for url in a_urls + ["/hr-agency/", "/hr-agency/apply/licence"]:
        assert (await client.get(url)).status_code in (401, 403), url
    await client.sign_in("staff", uid=unrelated["id"])
    assert (await client.get(url_for("hra_licences"))).status_code == 403


@pytest.mark.parametrize("perm", [ACCEPT, MANAGE])
async def test_any_hra_permission_opens_the_views(app, client, perm):
    user, _ = await staff(app, f"hra_{perm}", [perm], division="460000")
    await client.sign_in("staff", uid=user["id"])
    assert (await client.get(url_for("hra_filings"))).status_code == 200


async def test_cross_tenant_matrix_of_edit_branch_and_statistics_pages(app, client):
    """The returned-application edit pages, 分支机构查看 and the statistics drill-down: agency B, staff of another
    division and staff without a hra permission reach nothing of agency A."""
    from datetime import UTC, datetime

    from domains.hr_agency.tables import Branch
    from portal.workflow import engine
    from tests.workflow.support import employer_principal

    a = await make_agency(name="甲机构", division="460105", filing=True)
    b = await make_agency(name="乙机构", division="460105")
    branch = Branch(agency=a["id"], name="甲分部", address="甲路", division_code="460106", leader="甲负责",
                    created_at=datetime.now(UTC))
    await branch.save()
    principal = employer_principal(a["employer"])
    matters = {}
    for kind, payload in (("hra_branch", {"name": "甲二分部", "address": "x", "division_code": "460106",
                                          "leader": "y"}),
                          ("hra_cancel", {"target": f"filing:{a['filing_id']}", "reason": "停业"})):
        matters[kind] = (await engine.create_matter(principal, kind, payload={**payload, "agency_id": a["id"]},
                                                    title=kind, division_code="460105"))["id"]
    agency_urls = [url_for("hra_branch_edit", matter_id=matters["hra_branch"]),
                   url_for("hra_cancel_edit", matter_id=matters["hra_cancel"]),
                   url_for("hra_change_edit", matter_id=matters["hra_branch"])]
    staff_urls = [url_for("hra_branch_detail", branch_id=branch.id),
                  url_for("hra_statistics_agencies", region="460105", year=2026, what="new")]
    await client.sign_in_employer(a["employer"], acting_name="陈法人")
    for url in agency_urls[:2]:
        assert (await client.get(url)).status_code == 200, url
    assert (await client.get(agency_urls[2])).status_code == 404  # a branch report is not a change
    await client.sign_in_employer(b["employer"], acting_name="陈法人")
    for url in agency_urls:
        assert (await client.get(url)).status_code == 404, url
        assert (await client.post_form(url, {"version": "1"})).status_code == 404, url
    for url in [*staff_urls, url_for("hra_branches")]:
        assert (await client.get(url)).status_code in (401, 403), url
    outsider, _ = await staff(app, "hra_out_matrix", [MANAGE], division="460200")
    await client.sign_in("staff", uid=outsider["id"])
    for url in staff_urls:
        assert (await client.get(url)).status_code == 404, url
    assert "甲分部" not in (await client.page(url_for("hra_branches"))).get_text()
    for url in agency_urls:
        assert (await client.get(url)).status_code in (401, 403), url
    insider, _ = await staff(app, "hra_in_matrix", [MANAGE], division="460100")
    await client.sign_in("staff", uid=insider["id"])
    for url in staff_urls:
        assert (await client.get(url)).status_code == 200, url
