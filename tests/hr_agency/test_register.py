"""The 名录's listing (register.py, HRA-13): what every writer keeps in hra_register is what the records give, in
the records' order and pages; 机构管理's edits and deletions show at once; branches follow their parent; the
indexes that serve the order, the region and (PostgreSQL) the contains filters exist."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from domains.hr_agency import register
from domains.hr_agency.matters import MANAGE
from domains.hr_agency.tables import Agency, Branch
from portal.db import current_engine, fetch, is_sqlite, write_transaction
from tests.hr_agency.factories import make_agency
from tests.hr_agency.support import staff
from tests.support.urls import url_for


async def _branch(agency_id: int, name: str, division: str) -> None:
    async with write_transaction():  # what effects.branch_approved writes
        await Branch(agency=agency_id, name=name, address=f"{name}路1号", division_code=division, leader="孙负责",
                     created_at=datetime.now(UTC)).save()
        await register.refresh([agency_id])


def _names(soup) -> list[str]:
    return [tr.find("td").get_text() for tr in soup.select("table tbody tr")]


async def test_staff_edits_and_deletions_show_at_once_with_the_branches(app, client):
    a = await make_agency(name="椰林人力资源有限公司", division="460105")
    await _branch(a["id"], "椰林人力三亚分公司", "460202")
    assert _names(await client.page(url_for("hra_register", {"name": "椰林"}))) == [
        "椰林人力三亚分公司（分支机构，总机构：椰林人力资源有限公司）", "椰林人力资源有限公司"]
    manager, _ = await staff(app, "hra_reg_manager", [MANAGE], division="460100")
    await client.sign_in("staff", uid=manager["id"])
    url = url_for("hra_agency_detail", agency_id=a["id"])
    record = await Agency.select().where(Agency.id == a["id"]).first()
    form = {k: record[k] for k in ("name", "legal_rep", "agency_type", "address", "contact_name", "contact_phone")}
    saved = await client.post_form(url, {**form, "name": "椰风人力资源有限公司", "division_code": "460106",
                                         "address": "龙华路9号"})
    assert saved.status_code == 303
    assert await register.stale() == []
    page = await client.page(url_for("hra_register", {"name": "椰"}))
    assert _names(page) == ["椰林人力三亚分公司（分支机构，总机构：椰风人力资源有限公司）", "椰风人力资源有限公司"]
    assert "龙华路9号" in page.get_text()
    # The agency's new county (龙华区) is still 海口: the region filter reads the stored city.
    assert "椰风人力资源有限公司" in _names(await client.page(url_for("hra_register", {"region": "460100"})))
    deleted = await client.post_form(url + "/delete", {"reason": "重复录入"})
    assert deleted.status_code == 303
    assert await register.stale() == []
    assert _names(await client.page(url_for("hra_register", {"name": "椰"}))) == []


async def test_order_and_pages_are_the_records_own(app, client):
    """Names sorted with the uid as tie-breaker (two agencies of one name, a branch between), page by page forward
    and back, ascending and descending; the 注销 agency and its branch are absent."""
    for n in range(23):
        await make_agency(name=f"名录{n % 11:02d}人力资源有限公司", division="460105" if n % 2 else "460202",
                          licence=n % 3 != 0, filing=n % 3 != 1)
    parent = await make_agency(name="名录05人力资源有限公司", division="460105")
    await _branch(parent["id"], "名录05人力儋州分公司", "460400")
    gone = await make_agency(name="名录99已注销有限公司", status="deregistered")
    await _branch(gone["id"], "名录99三亚分公司", "460202")
    assert await register.stale() == []
    expected = [r["name"] for r in await fetch("SELECT name FROM hra_register ORDER BY name, uid")]
    assert len(expected) == 25 and not any("名录99" in n for n in expected)
    descending = [r["name"] for r in sorted(await fetch("SELECT name, uid FROM hra_register"),
                                            key=lambda r: (r["name"], r["uid"]), reverse=True)]
    # A 名称 search with few matches sorts without the name index on PostgreSQL (grids.SORT_MATCHES_UP_TO): the
    # same order and pages.
    for params, want in (({"sort": "name"}, expected), ({"sort": "-name"}, descending), ({"name": "人力资"}, expected),
                         ({"name": "人力资", "sort": "-name"}, descending)):
        seen, url, pages = [], url_for("hra_register", params), []
        while url:
            soup = await client.page(url)
            pages.append(url)
            seen += _names(soup)
            link = soup.select_one("a[rel=next]")
            url = link["href"] if link else ""
        assert seen == want and len(pages) == 2
        back = (await client.page(pages[1])).select_one("a[rel=prev]")["href"]
        assert _names(await client.page(back)) == want[:20]


async def test_searches_by_name_region_and_service_find_agencies_and_branches(app, client):
    await make_agency(name="琼州英才人力资源有限公司", division="460105", services_label="组织开展现场招聘会")
    b = await make_agency(name="鹿城100%人才服务有限公司", division="460202", licence=False, filing=True,
                          services_label="人力资源培训")
    await _branch(b["id"], "鹿城人才海口分公司", "460106")
    await make_agency(name="琼州已注销人力有限公司", status="deregistered", services_label="组织开展现场招聘会")
    assert _names(await client.page(url_for("hra_register", {"name": "州英才"}))) == ["琼州英才人力资源有限公司"]
    # A branch's listed name carries its parent's: found by the parent's name too.
    both = ["鹿城100%人才服务有限公司", "鹿城人才海口分公司（分支机构，总机构：鹿城100%人才服务有限公司）"]
    assert _names(await client.page(url_for("hra_register", {"name": "100%"}))) == both
    assert _names(await client.page(url_for("hra_register", {"name": "0%人"}))) == both
    assert _names(await client.page(url_for("hra_register", {"name": "_"}))) == []  # LIKE's wildcards are escaped
    haikou = _names(await client.page(url_for("hra_register", {"region": "460100"})))
    assert haikou == ["琼州英才人力资源有限公司", "鹿城人才海口分公司（分支机构，总机构：鹿城100%人才服务有限公司）"]
    assert _names(await client.page(url_for("hra_register", {"region": "460100", "service": "培训"}))) == [
        "鹿城人才海口分公司（分支机构，总机构：鹿城100%人才服务有限公司）"]
    assert _names(await client.page(url_for("hra_register", {"service": "现场招聘"}))) == ["琼州英才人力资源有限公司"]
    text = (await client.page(url_for("hra_register", {"name": "鹿城"}))).get_text()
    assert "FIL-460202-" in text and "孙负责" not in text and "赵法人" not in text and "13912345678" not in text


async def test_the_indexes_that_serve_the_register_exist():
    engine = current_engine()
    if is_sqlite(engine):
        names = {r["name"] for r in await fetch("SELECT name FROM sqlite_master WHERE type = 'index' "
                                                "AND tbl_name = 'hra_register'")}
        assert {"hra_register_name", "hra_register_region"} <= names
        # The first page walks the name index: no sort of every listed row.
        for where in ("1 = 1", "hra_register.region = '460100'"):
            plan = " ".join(r["detail"] for r in await fetch(
                f"EXPLAIN QUERY PLAN SELECT uid FROM hra_register WHERE {where} ORDER BY name, uid LIMIT 21"))
            assert "TEMP B-TREE" not in plan, plan
    else:
        names = {r["indexname"] for r in await fetch("SELECT indexname FROM pg_indexes "
                                                     "WHERE tablename = 'hra_register'")}
        assert {"hra_register_name", "hra_register_region", "hra_register_name_trgm",
                "hra_register_services_trgm"} <= names
        assert await fetch("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")


async def test_writers_refreshing_one_agency_at_once_all_commit():
    """Five branch approvals of one agency at the same moment: each waits for the one before (PostgreSQL: a row
    lock on the agency; SQLite: one writer at a time), none collides with another's rows, all five are listed."""
    a = await make_agency(name="并发人力资源有限公司", division="460105")

    async def approve(n: int) -> None:
        async with write_transaction():
            await Branch(agency=a["id"], name=f"并发人力{n}号分公司", address="路", division_code="460106",
                         leader="孙负责", created_at=datetime.now(UTC)).save()
            await asyncio.sleep(0.01)  # the others start meanwhile
            await register.refresh([a["id"]])

    await asyncio.gather(*(approve(n) for n in range(5)))
    assert await register.stale() == []
    assert len(await fetch("SELECT uid FROM hra_register WHERE holder = {}", a["id"])) == 6


async def test_a_rare_fragment_sorts_its_matches_on_postgresql(monkeypatch):
    from domains.hr_agency import grids

    await make_agency(name="琼海椰风人力资源有限公司", division="460105")
    # No filter, a region, a two-character fragment (no trigram to look up): the walk; three characters: sorted.
    name_sql = [(await grids.register_grid(p)).columns[0].sql
                for p in ({}, {"region": "460100"}, {"name": "椰风"}, {"name": "椰风人"})]
    postgres = not is_sqlite(current_engine())
    assert name_sql == ["hra_register.name"] * 3 + ["(hra_register.name || '')" if postgres else "hra_register.name"]
    monkeypatch.setattr(grids, "SORT_MATCHES_UP_TO", 0)  # a common fragment keeps the index walk
    assert (await grids.register_grid({"service": "介绍用"})).columns[0].sql == "hra_register.name"
