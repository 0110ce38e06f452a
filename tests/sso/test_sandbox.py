"""The sandbox network's own pages: registration with check digits, password reset via the SMS outbox, CSRF."""

from __future__ import annotations

from bs4 import BeautifulSoup

from sso.sandbox.tables import NetSms, NetUser
from tests.support.factories import make_id_number, make_uscc
from tests.support.network import net_user, sso_settings, start

BASE = "/sandbox-network"


async def sbx_post(client, path: str, data: dict):
    if not client.cookies.get("sbx_csrftoken", path=BASE):
        await client.get(BASE + "/")
    return await client.post(BASE + path, data={**data, "_csrf_token": client.cookies.get("sbx_csrftoken", path=BASE)})


async def test_sandbox_has_its_own_look(client):
    response = await client.get(BASE + "/")
    assert response.status_code == 200
    soup = BeautifulSoup(response.text, "html.parser")
    assert "政务服务网" in soup.title.get_text() and "沙箱" in soup.get_text()
    assert soup.find(class_="app-banner") is None  # not the portal's layout
    assert client.cookies.get("portal_session") is None  # and not the portal's session


async def test_legal_registration_checks_the_uscc_and_keeps_the_resume(client):
    entry = await start(client, "employer", "/employer/agents")
    login_url = (await client.get(entry)).headers["location"]
    resume = login_url.split("resume=", 1)[1]
    uscc = make_uscc()
    bad = {"login_name": uscc[:17] + ("0" if uscc[17] != "0" else "1"), "name": "新法人有限公司", "legal_rep": "吴某",
           "legal_rep_id_number": make_id_number(), "mobile": "13900001111", "password": "Reg@2026x",
           "password2": "Reg@2026x", "resume": ""}
    response = await sbx_post(client, "/register/legal", bad)
    assert response.status_code == 200 and "统一社会信用代码校验位不正确" in response.text
    assert "新法人有限公司" in response.text  # nothing typed is lost
    from urllib.parse import unquote

    response = await sbx_post(client, "/register/legal", {**bad, "login_name": uscc, "resume": unquote(resume)})
    assert response.status_code == 303
    assert response.headers["location"].startswith(BASE + "/login?tab=legal&registered=1&resume=%2Foauth2%2Fauthorize")
    row = await NetUser.select().where(NetUser.login_name == uscc).first()
    assert row["kind"] == "legal" and row["password_hash"].startswith("$argon2id$")


async def test_natural_registration_refuses_duplicates_weak_passwords_and_bad_ids(app, client):
    existing = await net_user(app, "natural")
    base = {"name": "新个人", "mobile": "13900002222", "password": "Reg@2026x", "password2": "Reg@2026x"}
    response = await sbx_post(client, "/register/natural", {**base, "login_name": existing["login_name"]})
    assert "该号码已注册" in response.text
    response = await sbx_post(client, "/register/natural", {**base, "login_name": make_id_number(),
                                                             "password": "abc", "password2": "abc"})
    assert "密码长度至少8位" in response.text
    response = await sbx_post(client, "/register/natural", {**base, "login_name": "46010519900101123"})
    assert "身份证号应为18位" in response.text
    assert await NetUser.count() == 1


async def test_sandbox_forms_need_their_own_csrf_token(app, client):
    await client.get(BASE + "/")
    response = await client.post(BASE + "/login", data={"tab": "legal", "login_name": make_uscc(), "password": "x"})
    assert response.status_code == 403


async def test_wrong_password_is_refused_without_saying_which_part(app, client):
    user = await net_user(app, "legal")
    response = await sbx_post(client, "/login", {"tab": "legal", "login_name": user["login_name"], "password": "Wrong@123"})
    assert response.status_code == 200 and "账号或密码错误" in response.text
    response = await sbx_post(client, "/login", {"tab": "legal", "login_name": make_uscc(), "password": "Wrong@123"})
    assert "账号或密码错误" in response.text


async def test_password_reset_through_the_sms_outbox(app, client):
    user = await net_user(app, "natural", mobile="13955556666")
    response = await sbx_post(client, "/reset", {"login_name": user["login_name"]})
    assert response.status_code == 200 and "短信发件箱" in response.text
    sms = await NetSms.select().where(NetSms.mobile == "13955556666").first()
    code = sms["text"].split("验证码", 1)[1][:6]
    outbox = await client.get(BASE + "/sms")
    assert code in outbox.text
    wrong = "000000" if code != "000000" else "111111"
    data = {"login_name": user["login_name"], "code": wrong, "password": "New@2026xy", "password2": "New@2026xy"}
    response = await sbx_post(client, "/reset/confirm", data)
    assert "验证码不正确或已过期" in response.text
    response = await sbx_post(client, "/reset/confirm", {**data, "code": code})
    assert response.status_code == 303 and response.headers["location"] == BASE + "/login?reset=1"
    response = await sbx_post(client, "/reset/confirm", {**data, "code": code})
    assert "验证码不正确或已过期" in response.text  # single use
    response = await sbx_post(client, "/login", {"tab": "natural", "login_name": user["login_name"],
                                                 "password": "New@2026xy"})
    assert response.status_code == 303


async def test_reset_does_not_reveal_whether_an_account_exists(client):
    response = await sbx_post(client, "/reset", {"login_name": make_id_number()})
    assert response.status_code == 200 and "如该账号已注册" in response.text
    assert await NetSms.count() == 0


async def test_login_never_resumes_to_an_outside_url(app, client):
    user = await net_user(app, "natural")
    response = await sbx_post(client, "/login", {"tab": "natural", "login_name": user["login_name"],
                                                 "password": user["password"], "resume": "//evil.example/x"})
    assert response.status_code == 303 and response.headers["location"] == BASE + "/"


async def test_sandbox_is_absent_when_disabled(app, client):
    with sso_settings(app, sandbox_enabled=False):
        assert (await client.get(BASE + "/")).status_code == 404


async def test_reset_codes_are_burnt_after_five_wrong_guesses(app, client):
    user = await net_user(app, "natural", mobile="13955557777")
    await sbx_post(client, "/reset", {"login_name": user["login_name"]})
    sms = await NetSms.select().where(NetSms.mobile == "13955557777").first()
    code = sms["text"].split("验证码", 1)[1][:6]
    wrong = "000000" if code != "000000" else "111111"
    data = {"login_name": user["login_name"], "password": "New@2026xy", "password2": "New@2026xy"}
    for _ in range(5):
        assert "验证码不正确" in (await sbx_post(client, "/reset/confirm", {**data, "code": wrong})).text
    response = await sbx_post(client, "/reset/confirm", {**data, "code": code})
    assert "错误次数过多" in response.text
    response = await sbx_post(client, "/login", {"tab": "natural", "login_name": user["login_name"],
                                                 "password": "New@2026xy"})
    assert response.status_code == 200  # the password did not change
