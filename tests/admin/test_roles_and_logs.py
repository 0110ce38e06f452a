"""业务角色管理, 登录日志 and 审计日志: filters, exports with inert cells, the chain check."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook

from portal import audit
from portal.admin.auditlog import inert
from portal.auth.tables import Role, StaffRole
from portal.core.tables import AuditLog
from tests.support.factories import make_staff
from tests.support.staff import login, sign_in_admin
from tests.support.urls import url_for


async def test_create_and_edit_a_role_from_registered_permissions(app, client):
    await sign_in_admin(client)
    soup = await client.page(url_for("admin_role_new"))
    offered = {i["value"] for i in soup.find_all("input", attrs={"name": "permissions"})}
    from portal.auth.permissions import PERMISSIONS

    assert offered == set(PERMISSIONS)
    r = await client.post_form(url_for("admin_role_new"), {"code": "auditor", "name": "审计员", "permissions": ["admin.audit"]})
    assert r.status_code == 303
    role = await Role.select().where(Role.code == "auditor").first()
    assert json.loads(role["permissions"]) == ["admin.audit"]
    r = await client.post_form(
        url_for("admin_role_edit", rid=role["id"]), {"code": "auditor", "name": "审计管理员", "permissions": ["admin.audit", "nope"]}
    )
    assert r.status_code == 200 and "请从列表中选择权限" in r.text and 'value="审计管理员"' in r.text
    r = await client.post_form(
        url_for("admin_role_edit", rid=role["id"]),
        {"code": "auditor", "name": "审计管理员", "permissions": ["admin.audit", "admin.staff"]},
    )
    assert r.status_code == 303
    rows = await AuditLog.select().where(AuditLog.object_type == "role").order_by(AuditLog.id)
    assert [x["action"] for x in rows] == ["role_create", "role_update"]
    detail = json.loads(rows[1]["detail"])
    assert detail["before"]["permissions"] == ["admin.audit"]
    assert detail["after"]["permissions"] == ["admin.audit", "admin.staff"]
    listing = await client.page(url_for("admin_roles"))
    assert "审计管理员" in listing.get_text()


async def test_role_code_is_unique_and_well_formed(app, client):
    await sign_in_admin(client)
    r = await client.post_form(url_for("admin_role_new"), {"code": "Bad Code", "name": "x"})
    assert "角色代码为2至40位小写字母" in r.text
    clash = await client.post_form(url_for("admin_role_new"), {"code": "role_admin1", "name": "重复"})
    assert "该角色代码已被使用" in clash.text


async def test_admin_cannot_strip_admin_permissions_from_own_role(app, client):
    admin = await sign_in_admin(client)
    role_id = (await StaffRole.select(StaffRole.role).where(StaffRole.staff == admin["id"]).first())["role"]
    r = await client.post_form(url_for("admin_role_edit", rid=role_id), {"code": "role_admin1", "name": "管理员角色",
                                                           "permissions": ["admin.audit"]})
    assert r.status_code == 200 and "不能取消自己的管理员权限" in r.text


async def test_login_log_lists_logins_and_failures(app, client, other_client):
    await make_staff(app, "clerk", "Sunny#2026")
    await login(other_client, "clerk", "wrong")
    await login(other_client, "clerk", "Sunny#2026")
    await sign_in_admin(client)
    soup = await client.page(url_for("admin_login_log"))
    text = soup.select_one("#audit-results").get_text()
    assert "clerk" in text and "failed" in text
    fragment = await client.page(url_for("admin_login_log", {"actor": "nobody"}), htmx=True)
    assert "没有符合条件的记录" in fragment.get_text()


async def test_audit_filters(app, client):
    admin = await sign_in_admin(client)
    await audit.record(category="workflow", action="lc_approve", actor_name="审核员甲", object_type="matter", object_id=1)
    await audit.record(category="admin", action="staff_update", actor_name="管理员", object_type="staff", object_id=2)
    old = datetime.now(UTC) - timedelta(days=10)
    await AuditLog.update({AuditLog.at: old}).where(AuditLog.action == "lc_approve")
    soup = await client.page(url_for("admin_audit", {"category": "workflow"}))
    assert "lc_approve" in soup.get_text() and "staff_update" not in soup.select_one("#audit-results").get_text()
    today = datetime.now(UTC).date().isoformat()
    soup = await client.page(url_for("admin_audit", {"date_from": today}))
    assert "lc_approve" not in soup.select_one("#audit-results").get_text()
    soup = await client.page(url_for("admin_audit", {"actor": "审核员"}))
    assert "lc_approve" in soup.select_one("#audit-results").get_text()
    bad = await client.page(url_for("admin_audit", {"date_from": "2026-13-40", "category": "zzz"}))
    assert "日期不存在" in bad.get_text() or "日期格式" in bad.get_text()
    assert "请从列表中选择类别" in bad.get_text()
    assert admin


async def test_export_xlsx_and_csv_neutralise_formulas(app, client):
    await sign_in_admin(client)
    await audit.record(category="admin", action="x", actor_name="=HYPERLINK(\"http://evil\")", object_id="+1")
    r = await client.get(url_for("admin_audit_export", {"format": "xlsx", "action": "x"}))
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "时间（北京时间）"
    assert rows[1][2] == "'=HYPERLINK(\"http://evil\")" and rows[1][7] == "'+1"
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    csv_response = await client.get(url_for("admin_audit_export", {"format": "csv", "action": "x"}))
    text = csv_response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=" not in text
    assert await AuditLog.exists().where(AuditLog.action == "audit_export")


def test_inert_prefixes_every_dangerous_start():
    for start in ("=", "+", "-", "@", "\t", "\r", "\0"):
        assert inert(start + "x") == "'" + start + "x"
    assert inert("正常") == "正常" and inert(5) == 5


async def test_verify_chain_button_reports_ok_and_tampering(app, client):
    await sign_in_admin(client)
    for i in range(3):
        await audit.record(category="admin", action=f"a{i}", actor_name="x")
    r = await client.post_form(url_for("admin_audit_verify"))
    assert r.status_code == 200 and "校验通过" in r.text
    victim = await AuditLog.select(AuditLog.id).where(AuditLog.action == "a1").first()
    await AuditLog.update({AuditLog.actor_name: "someone else"}).where(AuditLog.id == victim["id"])
    r = await client.post_form(url_for("admin_audit_verify"))
    assert "校验失败" in r.text and str(victim["id"]) in r.text


async def test_staff_admin_nav_depends_on_permissions(app, client, other_client):
    await sign_in_admin(client)
    soup = await client.page(url_for("home"))
    labels = [a.get_text() for a in soup.select("nav.app-nav a")]
    assert {"工作人员管理", "业务角色管理", "登录日志", "审计日志"} <= set(labels)
    await other_client.sign_in_staff("clerk", "Sunny#2026", permissions=["admin.audit"])
    labels = [a.get_text() for a in (await other_client.page(url_for("home"))).select("nav.app-nav a")]
    assert "审计日志" in labels and "工作人员管理" not in labels
