"""分支机构 (manual 2.9): approved, the branch carries its parent's licence and filings (继承自总机构) as they stand: the
parent's 注销 shows on the branch; the public 名录 lists the branch with its parent; staff see a branch when it or its
parent lies in their jurisdiction."""

from __future__ import annotations

from domains.hr_agency.matters import ACCEPT, MANAGE
from domains.hr_agency.tables import Branch
from portal.workflow.tables import Matter
from tests.hr_agency.factories import make_agency
from tests.hr_agency.support import acceptor_and_approver, staff
from tests.hr_agency.test_branch_cancel import _id, _through
from tests.support.urls import url_for

SANYA_BRANCH = {"name": "椰城人力三亚分公司", "division_code": "460202", "address": "三亚市吉阳区迎宾路1号",
                "leader": "孙负责"}


async def _approved_branch(app, client, agency) -> dict:
    await client.sign_in_employer(agency["employer"], acting_name="陈法人")
    matter_id = _id(await client.post_form(url_for("hra_branch"), SANYA_BRANCH))
    matter = await _through(app, agency["employer"], matter_id, "branch_licence", await acceptor_and_approver(app))
    assert matter["state"] == "approved"
    return matter


async def test_branch_carries_the_parents_registrations_and_their_cancellation(app, client, other_client):
    parent = await make_agency(name="椰城人力资源有限公司", division="460105", filing=True,
                               services_label="为劳动者介绍用人单位、就业和创业指导")
    matter = await _approved_branch(app, client, parent)
    branch = await Branch.select().first()
    assert len(matter["result"]["carried"]) == 2 and matter["result"]["carried"][0].startswith("LIC-460105-")
    home = await client.page(url_for("hra_home"))
    row = home.select_one("[data-testid=hra-branches] tbody tr").get_text()
    assert "椰城人力三亚分公司" in row and "三亚市" in row and "LIC-460105-" in row and "已注销" not in row

    # Staff of the parent's division and of the branch's division both see it; the record shows what it carries.
    haikou, _ = await staff(app, "hra_hk_branch", [MANAGE], division="460100")
    sanya, _ = await staff(app, "hra_sy_branch", [ACCEPT], division="460200")
    for user in (haikou, sanya):
        await other_client.sign_in("staff", uid=user["id"])
        assert "椰城人力三亚分公司" in (await other_client.page(url_for("hra_branches"))).get_text()
        soup = await other_client.page(url_for("hra_branch_detail", branch_id=branch["id"]))
        text = soup.get_text()
        assert "继承自总机构" in text and "椰城人力资源有限公司" in text
        inherited = soup.select_one("[data-testid=hra-inherited]").get_text()
        assert "LIC-460105-" in inherited and "FIL-460105-" in inherited and "为劳动者介绍用人单位" in inherited
        assert "就业和创业指导" in inherited and "已注销" not in inherited

    # 机构管理's record of the parent links its branch.
    await other_client.sign_in("staff", uid=haikou["id"])
    agency_page = await other_client.page(url_for("hra_agency_detail", agency_id=parent["id"]))
    assert agency_page.select_one("[data-testid=hra-agency-branches] a")["href"] == url_for(
        "hra_branch_detail", branch_id=branch["id"])

    # The public 名录: the branch with its parent, found by its own region.
    register = await client.page(url_for("hra_register", {"region": "460200"}))
    rows = [[td.get_text() for td in tr.find_all("td")] for tr in register.select("table tbody tr")]
    branch_row = next(r for r in rows if r[0].startswith("椰城人力三亚分公司"))
    assert branch_row[0] == "椰城人力三亚分公司（分支机构，总机构：椰城人力资源有限公司）"
    assert any(c.startswith("LIC-460105-") for c in branch_row)
    assert not any("椰城人力资源有限公司" == r[0] for r in rows)  # the parent is in Haikou, not Sanya
    assert "椰城人力三亚分公司" in (await client.page(url_for("hra_register", {"service": "创业指导"}))).get_text()

    # The parent's licence is cancelled (注销单位行政许可): the branch shows it 已注销, keeps the filing.
    await other_client.sign_in("staff", uid=haikou["id"])
    revoked = await other_client.post_form(url_for("hra_licence_revoke", licence_id=parent["licence_id"]),
                                           {"reason": "停止职业中介", "basis": "《人力资源市场暂行条例》"})
    assert revoked.status_code == 303
    soup = await other_client.page(url_for("hra_branch_detail", branch_id=branch["id"]))
    licence_row = next(tr for tr in soup.select("[data-testid=hra-inherited] tbody tr") if "LIC-" in tr.get_text())
    assert "已注销" in licence_row.get_text()
    assert "已注销" in (await client.page(url_for("hra_home"))).select_one("[data-testid=hra-branches]").get_text()
    text = (await client.page(url_for("hra_register", {"region": "460200"}))).get_text()
    assert "椰城人力三亚分公司" in text and "LIC-460105-" not in text  # still listed by the valid filing
    # With nothing valid left, the branch leaves the 名录 with its parent.
    from domains.hr_agency import effects, register
    from domains.hr_agency.tables import ServiceFiling
    from portal.db import write_transaction

    assert await register.stale() == []  # the approval and the revocation kept the 名录's rows
    async with write_transaction():  # what a 注销 of the filing writes (effects.cancel_approved)
        await ServiceFiling.update({ServiceFiling.status: "revoked"}).where(ServiceFiling.id == parent["filing_id"])
        await effects.refresh_services(parent["id"])
    assert "椰城人力三亚分公司" not in (await client.page(url_for("hra_register"))).get_text()


async def test_branch_views_stay_in_the_jurisdiction(app, client, other_client):
    parent = await make_agency(name="秀英人力资源有限公司", division="460105")
    await _approved_branch(app, client, parent)
    branch = await Branch.select().first()
    url = url_for("hra_branch_detail", branch_id=branch["id"])
    # Staff of a third region: not in the list, 404 on the detail.
    danzhou, _ = await staff(app, "hra_dz_branch", [MANAGE], division="460400")
    await other_client.sign_in("staff", uid=danzhou["id"])
    assert "秀英人力" not in (await other_client.page(url_for("hra_branches"))).get_text()
    assert (await other_client.get(url)).status_code == 404
    assert (await other_client.get(url_for("hra_branch_detail", branch_id=branch["id"] + 999))).status_code == 404
    # Applicants and staff without a hra permission are refused.
    unrelated, _ = await staff(app, "lc_only_branch", ["lc.review"], division="460000")
    await other_client.sign_in("staff", uid=unrelated["id"])
    for target in (url, url_for("hra_branches")):
        assert (await other_client.get(target)).status_code == 403
    await other_client.sign_in_employer(parent["employer"], acting_name="陈法人")
    for target in (url, url_for("hra_branches")):
        assert (await other_client.get(target)).status_code in (401, 403)
    assert await Matter.count() == 1
