"""The holiday calendar admin through HTTP: add a holiday or a 调休 workday, refuse bad days, remove, audit."""

from __future__ import annotations

from datetime import date

import pytest

from portal.core.tables import AuditLog, Holiday
from seeds.reference import load_reference
from tests.support.client import check_page
from tests.support.urls import url_for


@pytest.fixture(autouse=True)
async def _restore_holidays():
    yield
    await Holiday.delete(force=True)
    await load_reference()


@pytest.fixture
async def admin(app, client):
    user = await client.sign_in_staff("calendar", "Cal@2026pw", permissions=["admin.dictionary"])
    return user


async def test_year_view_lists_the_seeded_days(admin, client):
    soup = await client.page(url_for("holiday_calendar", {"year": "2026"}))
    table = soup.find(attrs={"data-testid": "holiday-table"})
    rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in table.tbody.find_all("tr")]
    assert ["2026-02-14", "周六", "调休上班", "春节调休上班"] == rows[4][:4]
    assert len(rows) == await Holiday.count().where(
        (Holiday.day >= date(2026, 1, 1)) & (Holiday.day <= date(2026, 12, 31))
    )
    soup = await client.page(url_for("holiday_calendar", {"year": "2031"}))
    assert "2031年尚未设置节假日" in soup.get_text()
    soup = await client.page(url_for("holiday_calendar", {"year": "99999"}))  # out of range falls back to this year
    assert f"{date.today().year}年" in soup.find(id="calendar-year").get_text()


async def test_add_holiday_and_workday_then_remove(admin, client):
    response = await client.post_form(url_for("holiday_calendar"), {"day": "2028-01-01", "is_workday": "0", "name": "元旦"})
    assert response.status_code == 303 and response.headers["location"] == url_for("holiday_calendar", {"year": "2028"})
    response = await client.post_form(
        url_for("holiday_calendar"), {"day": "2028/1/8", "is_workday": "1", "name": "调休上班"}, htmx=True
    )
    assert response.status_code == 200 and "<html" not in response.text and "2028-01-08" in response.text
    rows = await Holiday.select().where(Holiday.day >= date(2028, 1, 1)).order_by(Holiday.day)
    assert [(r["day"], r["is_workday"], r["name"]) for r in rows] == [
        (date(2028, 1, 1), False, "元旦"), (date(2028, 1, 8), True, "调休上班")
    ]
    response = await client.post_form(url_for("holiday_delete", holiday_id=rows[0]["id"]))
    assert response.status_code == 303
    assert not await Holiday.exists().where(Holiday.day == date(2028, 1, 1))
    actions = [r["action"] for r in await AuditLog.select(AuditLog.action).order_by(AuditLog.id)]
    assert actions == ["holiday_add", "holiday_add", "holiday_remove"]
    assert (await client.post_form(url_for("holiday_delete", holiday_id=rows[0]["id"]))).status_code == 404


async def test_bad_days_are_refused_with_messages_and_values_kept(admin, client):
    cases = [
        ({"day": "2026-10-01", "is_workday": "0", "name": "国庆节"}, "day", "已在日历中"),
        ({"day": "2028-01-05", "is_workday": "1", "name": "调休"}, "is_workday", "周六或周日"),
        ({"day": "2028-02-30", "is_workday": "0", "name": "x"}, "day", "日期不存在"),
        ({"day": "明天", "is_workday": "0", "name": "x"}, "day", "yyyy-mm-dd"),
        ({"day": "2028-01-01", "is_workday": "2", "name": "x"}, "is_workday", "请从列表中选择"),
        ({"day": "2028-01-01", "is_workday": "0", "name": ""}, "name", "请填写名称"),
    ]
    before = await Holiday.count()
    for data, bad, message in cases:
        response = await client.post_form(url_for("holiday_calendar"), data)
        assert response.status_code == 200
        soup = check_page(response.text)
        assert message in soup.find(id=f"f-{bad}-error").get_text(), data
        assert soup.find(class_="app-error-summary").find("a", href=f"#f-{bad}")
        assert soup.find(id="f-day")["value"] == data["day"] and soup.find(id="f-name")["value"] == data["name"]
    assert await Holiday.count() == before


async def test_calendar_needs_the_permission(app, client):
    await client.sign_in_staff("nocal", "NoCal@2026pw", permissions=["admin.staff"])
    row = await Holiday.select(Holiday.id).first()
    assert (await client.post_form(url_for("holiday_calendar"), {"day": "2028-01-01", "is_workday": "0", "name": "x"})).status_code == 403
    assert (await client.post_form(url_for("holiday_delete", holiday_id=row["id"]))).status_code == 403
    assert await Holiday.exists().where(Holiday.id == row["id"])


async def test_every_problem_is_reported_at_once(admin, client):
    response = await client.post_form(url_for("holiday_calendar"), {"day": "2028-01-05", "is_workday": "1", "name": ""})
    soup = check_page(response.text)
    links = [a["href"] for a in soup.find(class_="app-error-summary").find_all("a")]
    assert links == ["#f-is_workday", "#f-name"]
