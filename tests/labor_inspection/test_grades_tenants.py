"""The cross-tenant matrix of 信用等级 (INS-3, INS-4, INS-6): every new URL with another employer, a person account,
staff of another squad and staff without `ins.grade`."""

from __future__ import annotations

from domains.labor_inspection import service
from tests.labor_inspection.grade_support import declaration, declare, fire, sign_in_grader, state_of
from tests.support.factories import make_employer, make_person

LISTS = ("/labor-inspection/grade", "/labor-inspection/grade/progress", "/labor-inspection/grade/appeal",
         "/labor-inspection/grade/appeal-results")


async def _decided_matter(client, other_client) -> tuple[dict, dict]:
    owner = await make_employer()
    await client.sign_in_employer(owner)
    matter = await declare(client)
    await sign_in_grader(other_client, "grader_t")
    assert (await fire(other_client, matter["id"], "decide", grade="C", opinion="多次被查处")).status_code == 200
    return owner, matter


async def test_another_employer_sees_nothing_of_it(client, other_client):
    _, matter = await _decided_matter(client, other_client)
    await other_client.sign_in_employer(await make_employer())
    for url in LISTS:
        assert matter["number"] not in (await other_client.page(url)).get_text(), url
    appeal = f"/labor-inspection/grade/appeal/{matter['id']}"
    assert (await other_client.get(appeal)).status_code == 404
    posted = await other_client.post_form(appeal, {"reasons": "冒名申诉", "version": "3"})
    assert posted.status_code == 404 and await state_of(matter["id"]) == "decided"
    assert (await other_client.get(f"/matters/{matter['id']}")).status_code == 404
    # an id of another kind (a 书审 or anything else) is not a grade either
    assert (await other_client.get("/labor-inspection/grade/appeal/999999")).status_code == 404


async def test_person_accounts_and_staff_are_refused_the_employer_pages(client, other_client):
    _, matter = await _decided_matter(client, other_client)
    appeal = f"/labor-inspection/grade/appeal/{matter['id']}"
    for who in ("person", "staff"):
        if who == "person":
            await other_client.sign_in_person(await make_person())
        else:
            await sign_in_grader(other_client, "grader_pages")
        for url in (*LISTS, appeal):
            assert (await other_client.get(url)).status_code in (401, 403), (who, url)
        for url, data in (("/labor-inspection/grade", declaration()), (appeal, {"reasons": "x", "version": "3"})):
            assert (await other_client.post_form(url, data)).status_code in (401, 403), (who, url)
    assert await state_of(matter["id"]) == "decided"


async def test_staff_of_another_squad_or_without_the_permission_cannot_grade(client, other_client):
    await client.sign_in_employer(await make_employer())
    matter = await declare(client)
    url = f"/workbench/matters/{matter['id']}"
    await sign_in_grader(other_client, "far_squad", squad="Z460105002")
    assert (await other_client.get(url)).status_code == 404
    assert (await fire(other_client, matter["id"], "decide", grade="A", opinion="越权")).status_code == 404
    assert matter["number"] not in (await other_client.page("/workbench")).get_text()
    # the same squad with only the 书审 right: the kind is not theirs
    await other_client.sign_in_staff("review_only", permissions=[service.REVIEW_PERMISSION],
                                     scopes={"squad": [matter["squad_code"]]})
    assert (await other_client.get(url)).status_code == 404
    assert (await fire(other_client, matter["id"], "decide", grade="A", opinion="越权")).status_code in (403, 404)
    assert await state_of(matter["id"]) == "submitted"
    # the right squad with the right permission sees it in its queue
    await sign_in_grader(other_client, "near_squad")
    assert matter["number"] in (await other_client.page("/workbench")).get_text()
