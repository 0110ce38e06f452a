"""工伤认定 recorded (issue #19): the 30-day flag in the platform's workbench queue (MatterKind.queue_flags) and the
employer's 已申请工伤认定 with its date, which ends the flag in every list and is shown to staff."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domains.work_injury import matters, rules
from domains.work_injury.tables import WiAccident
from portal.workflow.deadlines import local_date
from portal.workflow.tables import Matter
from tests.work_injury.support import save, world, yesterday_text

TODAY = date(2026, 12, 5)


@pytest.mark.parametrize(("applied", "occurred", "expected"), [
    (TODAY, TODAY, None),
    (TODAY - timedelta(days=3), TODAY - timedelta(days=10), None),
    (TODAY - timedelta(days=11), TODAY - timedelta(days=10), "工伤认定申请日期不能早于事故发生日期（2026-11-25）"),
    (TODAY + timedelta(days=1), TODAY - timedelta(days=10), "工伤认定申请日期不能晚于今天"),
])
def test_application_date(applied, occurred, expected):
    assert rules.application_refusal(applied, occurred, TODAY) == expected


@pytest.mark.parametrize(("state", "days_left", "applied", "expected"), [
    ("submitted", 10, None, ("", "")),
    ("submitted", 5, None, ("warning", "工伤认定申请期限剩余5天")),
    ("approved", 0, None, ("warning", "工伤认定申请期限今天截止")),
    ("approved", -2, None, ("danger", "工伤认定申请期限已超过2天")),
    ("approved", -2, date(2026, 11, 20), ("success", "已申请工伤认定（2026-11-20）")),
    ("draft", -2, None, ("", "")),  # not confirmed: no flag
    ("rejected", 1, None, ("", "")),
])
def test_queue_flag(state, days_left, applied, expected):
    assert rules.queue_flag(state, TODAY + timedelta(days=days_left), applied, TODAY) == expected


async def _confirmed(client, w, days_ago: int) -> dict:
    accident_id = await save(client, w["a"], w["a1"]["id_number"], occurred_at=yesterday_text(days_ago))
    await client.post_form("/work-injury/reports/confirm", {"pick": [str(accident_id)]})
    row = await WiAccident.select().where(WiAccident.id == accident_id).first()
    return {"id": accident_id, "matter": await Matter.select().where(Matter.id == row["matter_id"]).first()}


async def test_flag_in_the_workbench_then_application_ends_it(client, other_client):
    w = await world()
    near = await _confirmed(client, w, 27)  # 3 days left (yesterday_text(27) is 27 days before now)
    calm = await _confirmed(client, w, 1)
    await other_client.sign_in_staff("wi_flagger", permissions=[matters.REVIEW], scopes={"division": ["460100"]})
    queue = await other_client.page("/workbench")
    flags = {int(tr["data-matter"]): tr.select_one("[data-kind-flag]") for tr in queue.select("tr[data-matter]")}
    assert flags[near["matter"]["id"]].get_text() == "工伤认定申请期限剩余3天"
    assert "app-badge--warning" in flags[near["matter"]["id"]]["class"]
    assert flags[calm["matter"]["id"]] is None
    modal = await other_client.page(f"/workbench/matters/{near['matter']['id']}", htmx=True)
    assert "工伤认定申请期限剩余3天" in modal.select_one("[data-testid=review-notices]").get_text()
    export = await other_client.get("/workbench?export=xlsx")
    assert export.status_code == 200

    # only an accepted report can be marked; the date is checked
    detail = await client.page(f"/work-injury/reports/{near['id']}")
    assert not detail.select("[data-testid=wi-application-form]")
    refused = await client.post_form(f"/work-injury/reports/{near['id']}/application", {"applied_on": "2026-12-01"})
    assert "审核通过后才能登记工伤认定申请" in refused.text
    await other_client.post_form(f"/workbench/matters/{near['matter']['id']}/fire", {
        "transition": "approve", "version": str(near["matter"]["version"]), "opinion": "同意"})
    occurred = (await WiAccident.select(WiAccident.occurred_on).where(WiAccident.id == near["id"]).first())[
        "occurred_on"]
    today = local_date()
    for value, message in ((str(occurred - timedelta(days=1)), "不能早于事故发生日期"),
                           (str(today + timedelta(days=1)), "不能晚于今天"), ("", "请填写工伤认定申请日期"),
                           ("昨天", "工伤认定申请日期应为日期")):
        response = await client.post_form(f"/work-injury/reports/{near['id']}/application", {"applied_on": value})
        assert response.status_code == 200 and message in response.text, value
        assert f'value="{value}"' in response.text  # what was typed stays
    assert (await WiAccident.select(WiAccident.applied_on).where(WiAccident.id == near["id"]).first())[
        "applied_on"] is None
    done = await client.post_form(f"/work-injury/reports/{near['id']}/application", {"applied_on": str(today)})
    assert done.status_code == 303
    detail = await client.page(done.headers["location"])
    assert "已申请工伤认定" in detail.select_one("[data-testid=wi-applied-on]").get_text()
    assert not detail.select("[data-testid=wi-deadline-flag]")
    listing = await client.page("/work-injury/reports")
    assert "已申请工伤认定" in listing.get_text() and str(today) in listing.get_text()
    # staff: the approved report's row and its review page say so
    approved = await other_client.page("/workbench?state=approved")
    row = approved.select_one(f"tr[data-matter='{near['matter']['id']}'] [data-kind-flag]")
    assert row.get_text() == f"已申请工伤认定（{today}）"
    modal = await other_client.page(f"/workbench/matters/{near['matter']['id']}", htmx=True)
    assert "已申请工伤认定" in modal.select_one("[data-testid=review-notices]").get_text()


async def test_the_workbench_reads_the_flags_with_one_query_per_page(client, other_client, monkeypatch):
    from domains.work_injury import flags

    w = await world()
    for days in (27, 26, 2):
        await _confirmed(client, w, days)
    calls = []
    original = flags._accidents

    async def counted(ids):
        calls.append(len(ids))
        return await original(ids)

    monkeypatch.setattr(flags, "_accidents", counted)
    await other_client.sign_in_staff("wi_count", permissions=[matters.REVIEW], scopes={"division": ["460100"]})
    queue = await other_client.page("/workbench")
    assert calls == [3] and len(queue.select("[data-kind-flag]")) == 2


async def test_another_employer_cannot_mark_it(client, other_client):
    w = await world()
    report = await _confirmed(client, w, 3)
    await other_client.sign_in_employer(w["b"])
    response = await other_client.post_form(f"/work-injury/reports/{report['id']}/application",
                                            {"applied_on": str(local_date())})
    assert response.status_code == 404
