"""The government layout through HTTP: 长辈版 cookie, banner, nav by account type, breadcrumbs, footer (X-8, X-10)."""

from __future__ import annotations

from tests.support.factories import make_employer
from tests.support.urls import url_for


async def test_elder_mode_switch_sets_a_cookie_and_persists(client):
    soup = await client.page(url_for("login", {"tab": "staff"}))
    assert "app-elder" not in (soup.html.get("class") or [])
    form = soup.find("form", action=url_for("elder_mode"))
    assert form.find("input", attrs={"name": "next"})["value"] == url_for("login", {"tab": "staff"})  # back to the same view
    button = form.find("button")
    assert button.get_text(strip=True) == "长辈版" and button["aria-pressed"] == "false"
    response = await client.post_form(url_for("elder_mode"), {"next": url_for("login", {"tab": "staff"})})
    assert response.status_code == 303 and response.headers["location"] == url_for("login", {"tab": "staff"})
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("elder=1;") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Max-Age=31536000" in cookie and "Path=/" in cookie
    for url in (url_for("home"), url_for("login")):  # every page after the switch
        soup = await client.page(url)
        assert "app-elder" in soup.html["class"]
        button = soup.find("form", action=url_for("elder_mode")).find("button")
        assert button.get_text(strip=True) == "标准版" and button["aria-pressed"] == "true"
    response = await client.post_form(url_for("elder_mode"), {"next": url_for("home")})
    assert response.headers["set-cookie"].startswith("elder=0;")
    soup = await client.page(url_for("home"))
    assert "app-elder" not in (soup.html.get("class") or [])


async def test_elder_mode_only_returns_to_local_pages(client):
    for bad in ("//evil.example/", "https://evil.example/", "javascript:alert(1)", "\\\\evil"):
        response = await client.post_form(url_for("elder_mode"), {"next": bad})
        assert response.headers["location"] == url_for("home"), bad


async def test_banner_skip_link_and_footer(app, client):
    soup = await client.page(url_for("home"))
    skip = soup.find("a", class_="app-skip-link")
    assert skip["href"] == "#main" and soup.find(id="main").name == "main"
    assert soup.body.contents.index(skip) < soup.body.contents.index(soup.find("header"))
    site = app.state.settings.site
    assert site.name in soup.find("header").get_text() and site.hall_name in soup.find("header").get_text()
    footer = soup.find("footer").get_text()
    for text in (site.sponsor, site.site_code, site.icp, site.police_record):
        assert text in footer
    assert soup.find("html")["lang"] == "zh-CN"


async def test_navigation_depends_on_the_account_type(app, client, other_client):
    await client.sign_in_staff("navadmin", "Nav@2026pw", permissions=["admin.dictionary"])
    soup = await client.page(url_for("dictionary_categories"))
    nav = soup.find("nav", attrs={"aria-label": "主导航"})
    links = {a.get_text(strip=True): a for a in nav.find_all("a")}
    assert "字典管理" in links and "节假日管理" in links
    assert links["字典管理"].get("aria-current") == "page"
    crumbs = soup.find("nav", attrs={"aria-label": "当前位置"})
    assert [li.get_text(strip=True) for li in crumbs.find_all("li")] == ["首页", "字典管理"]
    employer = await make_employer()
    await other_client.sign_in_employer(employer, acting_name="王经办", acting_role="agent")
    soup = await other_client.page(url_for("home"))
    nav = soup.find("nav", attrs={"aria-label": "主导航"})
    texts = nav.get_text() if nav else ""
    assert "字典管理" not in texts and "节假日管理" not in texts


async def test_breadcrumbs_lead_back_up_the_tree(app, client):
    await client.sign_in_staff("crumbs", "Crumb@2026pw", permissions=["admin.dictionary"])
    soup = await client.page("/admin/dictionary/division/new")
    items = soup.find("nav", attrs={"aria-label": "当前位置"}).find_all("li")
    assert [li.get_text(strip=True) for li in items] == ["首页", "字典管理", "行政区划", "新增条目"]
    assert items[1].a["href"] == url_for("dictionary_categories") and items[2].a["href"] == "/admin/dictionary/division"
    assert items[3].find(attrs={"aria-current": "page"})


# Issue 14 §22 (home cards unique, each with its hint) moved with the home page: tests/hall/test_home.py.


async def test_login_tabs_are_a_navigation_of_links(client):
    soup = await client.page(url_for("login", {"tab": "person", "next": "/matters"}))
    tabs = soup.find("nav", attrs={"aria-label": "登录方式"})
    links = tabs.select("ul > li > a")
    assert [a.get_text(strip=True) for a in links] == ["单位登录", "个人登录", "工作人员登录"]
    assert not tabs.find(attrs={"role": True})  # plain list semantics, no role overrides on the links
    assert [a.get("aria-current") for a in links] == [None, "page", None]
    assert all(a["href"].endswith("next=/matters") for a in links)  # the way back after login is kept
