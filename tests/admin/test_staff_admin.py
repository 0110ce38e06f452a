"""工作人员管理: search, create, edit, deactivate, reset; self-protection; every change audited."""

from __future__ import annotations

import json

from bs4 import BeautifulSoup

from portal.auth.tables import Role, StaffRole, StaffScope, StaffUser
from portal.core.tables import AuditLog
from tests.support.factories import make_staff
from tests.support.staff import login, sign_in_admin
from tests.support.urls import url_for


async def test_only_staff_with_the_permission_reach_the_pages(app, client):
    user = await client.sign_in_staff("clerk", "Sunny#2026", permissions=["lc.review"])
    for path in (url_for("admin_staff"), url_for("admin_staff_new"), url_for("admin_staff_edit", uid=user["id"]), url_for("admin_roles"), url_for("admin_audit")):
        assert (await client.get(path)).status_code == 403, path
    r = await client.post_form(url_for("admin_staff_reset_password", uid=user["id"]))
    assert r.status_code == 403
    assert await AuditLog.exists().where(AuditLog.action == "permission_denied")


async def test_anonymous_is_sent_to_login(client):
    r = await client.get(url_for("admin_staff"))
    assert r.status_code == 303 and r.headers["location"].startswith(url_for("login", {"next": ""}))


async def test_list_and_htmx_search_share_one_template(app, client):
    await sign_in_admin(client)
    await make_staff(app, "wang.li", "Sunny#2026", display_name="王丽")
    await make_staff(app, "zhao.qiang", "Sunny#2026", display_name="赵强")
    soup = await client.page(url_for("admin_staff"))
    assert soup.find("input", attrs={"name": "q"})["hx-get"] == url_for("admin_staff")
    assert soup.find("form", attrs={"role": "search"})["action"] == url_for("admin_staff")
    names = [td.get_text() for td in soup.select("#staff-results tbody tr td:nth-of-type(2)")]
    assert {"王丽", "赵强", "管理员"} <= set(names)
    fragment = await client.page(url_for("admin_staff", {"q": "王"}), htmx=True)
    assert fragment.find("html") is None and fragment.find(id="staff-results")
    rows = fragment.select("tbody tr")
    assert len(rows) == 1 and "王丽" in rows[0].get_text()
    response = await client.get(url_for("admin_staff", {"q": "王"}), headers={"HX-Request": "true"})
    assert "HX-Request" in response.headers["vary"]
    # Without JavaScript the same URL gives the whole page, filtered.
    full = await client.page(url_for("admin_staff", {"q": "zhao"}))
    assert [r.get_text() for r in full.select("tbody tr td:nth-of-type(1)")] == ["zhao.qiang"]
    empty = await client.page(url_for("admin_staff", {"q": "nobody"}))
    assert "没有找到符合条件的工作人员" in empty.get_text()


async def test_create_user_with_roles_and_scopes_shows_temporary_password_once(app, client):
    await sign_in_admin(client)
    role = Role(code="reviewer", name="审核人员", permissions=json.dumps(["admin.audit"]))
    await role.save()
    response = await client.post_form(
        url_for("admin_staff_new"),
        {"username": "new.user", "display_name": "新同事", "mobile": "13912345678", "roles": [str(role.id)],
         "scope_division": ["460100", "460105"], "scope_squad": [], "scope_agency": []},
    )
    assert response.status_code == 200
    from bs4 import BeautifulSoup

    temp = BeautifulSoup(response.text, "html.parser").find(attrs={"data-testid": "temp-password"}).get_text()
    user = await StaffUser.select().where(StaffUser.username == "new.user").first()
    assert user["must_change_password"] and user["active"] and temp not in user["password_hash"]
    assert await StaffRole.count().where(StaffRole.staff == user["id"]) == 1
    codes = {r["code"] for r in await StaffScope.select().where(StaffScope.staff == user["id"])}
    assert codes == {"460100", "460105"}
    row = await AuditLog.select().where(AuditLog.action == "staff_create").first()
    detail = json.loads(row["detail"])
    assert detail["after"]["username"] == "new.user" and temp not in row["detail"]
    # The new user logs in with it and must change it first.
    await client.post_form(url_for("logout"))
    r = await login(client, "new.user", temp)
    assert r.headers["location"].startswith(url_for("password_change"))


async def test_create_form_errors_keep_everything_typed(app, client):
    await sign_in_admin(client)
    await make_staff(app, "taken", "Sunny#2026")
    r = await client.post_form(
        url_for("admin_staff_new"),
        {"username": "taken", "display_name": "某某", "mobile": "123", "scope_division": ["460105", "999999"]},
    )
    assert r.status_code == 200
    assert "手机号码应为11位，以1开头" in r.text
    assert "请从列表中选择行政区划" in r.text
    assert 'value="taken"' in r.text and 'value="某某"' in r.text and 'value="123"' in r.text
    assert 'value="460105" selected' in r.text
    assert "app-error-summary" in r.text
    ok = await client.post_form(url_for("admin_staff_new"), {"username": "taken", "display_name": "某某"})
    soup = BeautifulSoup(ok.text, "html.parser")  # the service's Refused, beside its field, the input kept
    assert "该用户名已被使用" in soup.find(id="f-username-error").get_text()
    assert soup.find("input", attrs={"name": "display_name"})["value"] == "某某"


async def test_edit_deactivate_and_audit_before_after(app, client):
    await sign_in_admin(client)
    user = await make_staff(app, "clerk", "Sunny#2026", display_name="办事员")
    soup = await client.page(url_for("admin_staff_edit", uid=user["id"]))
    assert soup.find("input", attrs={"name": "active"}).has_attr("checked")
    r = await client.post_form(
        url_for("admin_staff_edit", uid=user["id"]), {"display_name": "办事员甲", "mobile": "", "scope_agency": ["460105"]}
    )
    assert r.status_code == 303
    row = await StaffUser.select().where(StaffUser.id == user["id"]).first()
    assert row["display_name"] == "办事员甲" and row["active"] is False
    audit_row = await AuditLog.select().where(AuditLog.action == "staff_update").first()
    detail = json.loads(audit_row["detail"])
    assert detail["before"]["active"] is True and detail["after"]["active"] is False
    assert detail["before"]["display_name"] == "办事员" and detail["after"]["scopes"]["agency"] == ["460105"]
    assert "用户名或密码错误" in (await login(client, "clerk", "Sunny#2026")).text


async def test_admin_cannot_deactivate_self_or_drop_own_admin_role(app, client):
    admin = await sign_in_admin(client)
    role_id = (await StaffRole.select(StaffRole.role).where(StaffRole.staff == admin["id"]).first())["role"]
    r = await client.post_form(url_for("admin_staff_edit", uid=admin["id"]), {"display_name": "管理员", "roles": [str(role_id)]})
    assert r.status_code == 200 and "不能停用自己的账户" in r.text
    r = await client.post_form(url_for("admin_staff_edit", uid=admin["id"]), {"display_name": "管理员", "active": "1"})
    assert r.status_code == 200 and "不能取消自己的管理员角色" in r.text
    assert await StaffRole.count().where(StaffRole.staff == admin["id"]) == 1
    ok = await client.post_form(
        url_for("admin_staff_edit", uid=admin["id"]), {"display_name": "总管理员", "active": "1", "roles": [str(role_id)]}
    )
    assert ok.status_code == 303


async def test_reset_password_and_totp(app, client):
    await sign_in_admin(client)
    user = await make_staff(app, "clerk", "Sunny#2026", totp_secret="JBSWY3DPEHPK3PXP")
    r = await client.post_form(url_for("admin_staff_reset_password", uid=user["id"]))
    from bs4 import BeautifulSoup

    temp = BeautifulSoup(r.text, "html.parser").find(attrs={"data-testid": "temp-password"}).get_text()
    assert len(temp) == 16
    assert "用户名或密码错误" in (await login(client, "clerk", "Sunny#2026")).text
    r = await client.post_form(url_for("admin_staff_reset_totp", uid=user["id"]))
    assert r.status_code == 303
    row = await StaffUser.select().where(StaffUser.id == user["id"]).first()
    assert row["totp_secret"] == "" and row["must_change_password"]
    actions = {a["action"] for a in await AuditLog.select(AuditLog.action).where(AuditLog.category == "admin")}
    assert {"staff_reset_password", "staff_reset_totp"} <= actions


async def test_unknown_user_is_404(app, client):
    await sign_in_admin(client)
    assert (await client.get("/admin/staff/999999")).status_code == 404
    assert (await client.post_form("/admin/staff/999999/reset-password")).status_code == 404
