"""The portal starts, renders its home page and keeps the security headers on."""

from tests.support.factories import make_employer, make_staff
from tests.support.urls import url_for


async def test_home_page_renders(client):
    soup = await client.page(url_for("home"))
    assert "网上办事大厅" in soup.title.get_text()
    assert soup.find("a", class_="app-skip-link")


async def test_unknown_page_is_chinese_404_with_correlation_id(client):
    response = await client.get("/no-such-page")
    assert response.status_code == 404
    assert "页面不存在" in response.text
    assert response.headers["x-correlation-id"]
    assert "Traceback" not in response.text


async def test_staff_login_and_logout(app, client):
    await make_staff(app, "alice", "Alice@2026")
    response = await client.post_form(url_for("login_staff"), {"username": "alice", "password": "Alice@2026"})
    assert response.status_code in (302, 303)
    soup = await client.page(url_for("home"))
    assert "审核员" in soup.find(attrs={"data-testid": "whoami"}).get_text()
    await client.post_form(url_for("logout"))
    soup = await client.page(url_for("home"))
    assert soup.find(attrs={"data-testid": "whoami"}) is None


async def test_sign_in_shortcut_for_employer(client):
    employer = await make_employer(name="海南椰风有限公司")
    await client.sign_in_employer(employer, acting_name="王法人")
    soup = await client.page(url_for("home"))
    assert "海南椰风有限公司" in soup.find(attrs={"data-testid": "whoami"}).get_text()
