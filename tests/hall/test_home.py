"""The service hall through HTTP: tabs, every declared service with its guide and 在线办理, the search, ACC-6."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.support.factories import make_employer, make_staff
from tests.support.network import net_user, sign_in_via_network


def _rows(soup) -> dict[str, dict]:
    out = {}
    for li in soup.find_all(attrs={"data-testid": "service"}):
        out[li["data-service"]] = {
            "name": li.find(class_="app-service__name").get_text(" ", strip=True),
            "hint": li.find(class_="app-hint").get_text(strip=True) if li.find(class_="app-hint") else "",
            "guide": li.find("a", attrs={"data-testid": "service-guide"})["href"],
            "apply": li.find("a", attrs={"data-testid": "service-apply"})["href"],
        }
    return out


async def test_tabs_list_every_declared_service_once_with_its_hint_guide_and_apply(app, client):
    services = app.state.services
    for audience in ("person", "employer"):
        soup = await client.page(f"/?tab={audience}")
        current = soup.find("nav", attrs={"aria-label": "服务对象"}).find(attrs={"aria-current": "page"})
        assert current["data-testid"] == f"hall-tab-{audience}"
        rows = _rows(soup)
        declared = [s for s in services if s.audience == audience]
        assert set(rows) == {s.code for s in declared}
        assert len(soup.find_all(attrs={"data-testid": "service"})) == len(declared)  # once each
        themes = [h.get_text() for h in soup.find(attrs={"data-testid": "hall"}).find_all("h3")]
        assert len(themes) == len(set(themes)) and themes == list(dict.fromkeys(s.theme for s in declared))
        for s in declared:
            row = rows[s.code]
            assert row["hint"], s.code  # every service says what it is
            assert row["guide"] == f"/services/{s.code}"
            target = app.route_reverse(s.route, **dict(s.params))
            if s.public:
                assert row["apply"] == target
            else:  # signed out: that audience's login, then back to the service (ACC-6)
                parts = urlsplit(row["apply"])
                assert parts.path == "/login"
                assert parse_qs(parts.query) == {"tab": [audience], "next": [target]}
    # The default tab is 个人服务; the labour-contract services are under 单位服务 only.
    assert "lc_new" in _rows(await client.page("/?tab=employer")) and "lc_new" not in _rows(await client.page("/"))


async def test_signed_in_employer_applies_directly_and_sees_the_employer_tab(client):
    employer = await make_employer()
    await client.sign_in("employer", employer_id=employer["id"], acting_name="张法人", acting_role="legal_rep")
    rows = _rows(await client.page("/"))
    assert rows["lc_new"]["apply"] == "/labor-contract/new"
    assert rows["hra_licence"]["apply"] == "/hr-agency/apply/licence"
    person_rows = _rows(await client.page("/?tab=person"))
    assert person_rows["si_my_certificate"]["apply"].startswith("/login?tab=person")


async def test_staff_home_is_their_cards(app, client):
    staff = await make_staff(app, "hallstaff", permissions=["admin.dictionary", "admin.notices"])
    await client.sign_in("staff", uid=staff["id"])
    soup = await client.page("/")
    titles = [a.find(class_="app-card__title").get_text() for a in soup.find_all("a", class_="app-card")]
    assert "通知公告管理" in titles and "字典管理" in titles and len(titles) == len(set(titles))
    assert all(a.find(attrs={"data-testid": "card-hint"}) for a in soup.find_all("a", class_="app-card"))
    assert soup.find(attrs={"data-testid": "hall"}) is None


async def test_choose_then_sign_in_then_land_on_the_service(app, client):
    """ACC-6 from the hall: 参保证明打印 → 在线办理 → 个人登录 → the network → back on the certificate page."""
    apply = _rows(await client.page("/?tab=person"))["si_my_certificate"]["apply"]
    login = await client.page(apply)
    sso = login.find("a", href=lambda h: h and h.startswith("/sso/login"))
    next_path = parse_qs(urlsplit(sso["href"]).query)["next"][0]
    assert next_path == "/person/insurance/certificate"
    user = await net_user(app, "natural", name="符小红")
    response = await sign_in_via_network(client, kind="person", next_path=next_path, tab="natural",
                                         login_name=user["login_name"], password=user["password"])
    assert response.status_code == 303 and response.headers["location"] == "/person/insurance/certificate"


async def test_search_over_services_and_guides(client):
    soup = await client.page("/?q=参保证明")
    results = _rows(soup)
    assert "si_my_certificate" in results
    assert "参保证明" in soup.find(attrs={"data-testid": "hall"}).find("h2").get_text()
    # Words only in a guide (the licence's materials) still find the service; both audiences are searched.
    by_material = _rows(await client.page("/?q=营业执照"))
    assert {"hra_licence", "employer_filing"} <= set(by_material)
    assert {"matters_person", "matters_employer"} <= set(_rows(await client.page("/?q=我的办件")))
    nothing = await client.page("/?q=没有这种事项")
    assert not _rows(nothing) and "没有找到相关的服务事项" in nothing.get_text()
    # htmx: only the hall's panel answers; the search term is escaped.
    response = await client.get("/?q=<script>x</script>", headers={"HX-Request": "true"})
    assert response.text.lstrip().startswith('<section id="hall"') and "<script>x" not in response.text
    assert "通知公告" not in response.text


async def test_service_guide_pages(app, client):
    for service in app.state.services:  # every declared service has a guide page that names it
        assert service.name in (await client.page(f"/services/{service.code}")).get_text(), service.code
    soup = await client.page("/services/lc_new")
    text = soup.get_text()
    assert "办事指南：劳动合同新订备案" in text and "法定办结时限" in text and "新签" in text
    assert soup.find("a", attrs={"data-testid": "service-apply"})["href"].startswith("/login?tab=employer")
    query = await client.page("/services/si_my")
    assert "个人参保信息查询" in query.get_text() and "法定办结时限" not in query.get_text()  # no matter kind
    public = await client.page("/services/hra_register")
    assert public.find("a", attrs={"data-testid": "service-apply"})["href"] == "/hr-agencies"
    assert (await client.get("/services/nope")).status_code == 404
