"""通知公告: an administrator writes, publishes and withdraws; the home page and the public pages follow; audited."""

from __future__ import annotations

import dataclasses

from portal.core.tables import AuditLog
from portal.hall.tables import Notice
from tests.support.factories import make_staff


async def _admin(app, client, username="noticeadmin"):
    staff = await make_staff(app, username, permissions=["admin.notices"])
    await client.sign_in("staff", uid=staff["id"])
    return staff


async def test_write_publish_withdraw_and_the_home_page_follows(app, client, other_client):
    await _admin(app, client)
    # Every problem at once, beside its field, with what was typed kept.
    soup = await client.page("/admin/notices/new")
    assert soup.find("textarea", attrs={"name": "body"}) is not None
    response = await client.post_form("/admin/notices/new", {"title": "x" * 101, "body": ""})
    assert response.status_code == 200
    from bs4 import BeautifulSoup

    page = BeautifulSoup(response.text, "html.parser")
    assert page.find("input", attrs={"name": "title"})["value"] == "x" * 101
    assert "标题不能超过100个字" in page.find(id="f-title").find_parent(class_="app-field").get_text()
    assert "请填写正文" in page.find(id="f-body").find_parent(class_="app-field").get_text()
    assert await Notice.count() == 0
    response = await client.post_form("/admin/notices/new", {
        "title": "关于<b>元旦</b>假期网上办事大厅服务安排的通知", "body": "第一段。\n\n第二段<script>alert(1)</script>"})
    assert response.status_code == 303
    notice = await Notice.select().first()
    assert notice["status"] == "draft"
    # A draft is not public.
    assert "元旦" not in (await other_client.page("/")).get_text()
    assert (await other_client.get(f"/notices/{notice['id']}")).status_code == 404

    assert (await client.post_form(f"/admin/notices/{notice['id']}/publish", {})).status_code == 303
    home = await other_client.page("/")
    listed = home.find(attrs={"data-testid": "home-notices"})
    assert listed is not None and "关于<b>元旦</b>假期" in listed.get_text()  # shown as text, not markup
    detail = await other_client.page(f"/notices/{notice['id']}")
    paragraphs = [p.get_text() for p in detail.find(attrs={"data-testid": "notice"}).find_all("p", class_="app-guide")]
    assert paragraphs == ["第一段。", "第二段<script>alert(1)</script>"]
    assert "<script>alert(1)" not in (await other_client.get(f"/notices/{notice['id']}")).text
    assert "关于<b>元旦</b>假期" in (await other_client.page("/notices")).get_text()

    # Publishing twice is refused with a message, not a second audit row.
    again = await client.post_form(f"/admin/notices/{notice['id']}/publish", {})
    assert again.status_code == 200 and "不能发布" in again.text
    assert (await client.post_form(f"/admin/notices/{notice['id']}/withdraw", {})).status_code == 303
    assert "元旦" not in (await other_client.page("/")).get_text()
    assert (await other_client.get(f"/notices/{notice['id']}")).status_code == 404

    # Edited and published again.
    response = await client.post_form(f"/admin/notices/{notice['id']}", {"title": "更正后的通知", "body": "正文"})
    assert response.status_code == 303
    assert (await client.post_form(f"/admin/notices/{notice['id']}/publish", {})).status_code == 303
    assert "更正后的通知" in (await other_client.page("/")).get_text()

    actions = [r["action"] for r in await AuditLog.select(AuditLog.action).where(
        AuditLog.object_type == "notice").order_by(AuditLog.id)]
    assert actions == ["notice_create", "notice_publish", "notice_withdraw", "notice_update", "notice_publish"]
    # The admin list exports.
    link = (await client.page("/admin/notices")).find("a", attrs={"data-testid": "list-export"})
    assert (await client.get(link["href"])).headers["content-type"].startswith("application/vnd.openxml")


async def test_only_administrators_with_the_permission_manage_notices(app, client):
    staff = await make_staff(app, "nonotice", permissions=["admin.dictionary"])
    await client.sign_in("staff", uid=staff["id"])
    assert (await client.get("/admin/notices")).status_code == 403
    assert (await client.post_form("/admin/notices/new", {"title": "t", "body": "b"})).status_code == 403
    assert await Notice.count() == 0


async def test_home_shows_the_latest_five_and_links_the_rest(app, client, other_client):
    await _admin(app, client, "noticefive")
    for i in range(7):
        await client.post_form("/admin/notices/new", {"title": f"通知{i}", "body": "正文"})
    for row in await Notice.select(Notice.id).order_by(Notice.id):
        await client.post_form(f"/admin/notices/{row['id']}/publish", {})
    listed = (await other_client.page("/")).find(attrs={"data-testid": "home-notices"}).find_all("li")
    assert [li.a.get_text() for li in listed] == ["通知6", "通知5", "通知4", "通知3", "通知2"]
    assert "更多通知公告" in (await other_client.page("/")).get_text()


async def test_the_emblem_is_a_replaceable_file(app, client, tmp_path):
    soup = await client.page("/")
    img = soup.find("img", class_="app-banner__emblem")
    assert img["src"] == "/emblem" and img["alt"] == ""
    response = await client.get("/emblem")
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in response.content
    png = tmp_path / "bureau.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
    original = app.state.settings
    app.state.settings = dataclasses.replace(original, site=dataclasses.replace(original.site, emblem_file=png))
    try:
        response = await client.get("/emblem")
        assert response.headers["content-type"] == "image/png" and response.content == png.read_bytes()
        app.state.settings = dataclasses.replace(original, site=dataclasses.replace(
            original.site, emblem_file=tmp_path / "emblem.exe"))
        assert (await client.get("/emblem")).status_code == 404
    finally:
        app.state.settings = original
