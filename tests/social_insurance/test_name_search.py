"""姓名包含 on SI-1 and SI-2 through the name copied onto 参保登记 (person_name): found by a middle fragment, by a new
name at once after a rename (the trigger on person), never another employer's; every writer fills the copy, and the
migration back-fills records made before it."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

from domains.person.tables import Person
from domains.social_insurance import service
from domains.social_insurance.tables import SiEnrolment
from portal.db import write_transaction
from tests.social_insurance.support import assessor, insure
from tests.support.factories import make_employer, make_person
from tests.support.urls import url_for
from tests.test_migrations import ROOT, _pg, _throwaway_database


def _names(soup) -> list[str]:
    table = soup.find(attrs={"data-testid": "grid-table"})
    if table is None:
        return []
    return [tr.find_all("td")[0].get_text(strip=True) for tr in table.find("tbody").find_all("tr")]


async def _two_employers() -> dict:
    a = await make_employer(name="甲方社保有限公司", division_code="460105")
    b = await make_employer(name="乙方保密有限公司", division_code="460202")
    ouyang = await insure(a, start=202601, name="欧阳明华")
    other = await insure(a, start=202601, name="甲职工")
    stranger = await insure(b, start=202601, name="司马阳明")  # the same fragment at another employer
    await service.assess(assessor(), 202610)
    return {"a": a, "b": b, "ouyang": ouyang, "other": other, "stranger": stranger}


async def test_roster_and_fee_details_find_a_middle_fragment_of_their_own_staff_only(client):
    w = await _two_employers()
    await client.sign_in_employer(w["a"])
    roster = await client.page(url_for("si_roster", {"name": "阳明"}))
    assert set(_names(roster)) == {"欧阳明华"} and len(_names(roster)) == 5  # one row per insurance
    assert "司马阳明" not in roster.get_text() and "甲职工" not in roster.get_text()
    fee = await client.page(url_for("si_payable_detail", {"name": "阳明"}, period=202610, insurance="pension"))
    assert _names(fee) == ["欧阳明华"] and "司马阳明" not in fee.get_text()
    everyone = await client.page(url_for("si_payable_detail", period=202610, insurance="pension"))
    assert sorted(_names(everyone)) == ["欧阳明华", "甲职工"]
    # LIKE wildcards typed by a user stay literal in the EXISTS too
    assert _names(await client.page(url_for("si_payable_detail", {"name": "%"}, period=202610,
                                            insurance="pension"))) == []
    export = await client.get(url_for("si_payable_detail", {"name": "阳明", "export": "xlsx"}, period=202610,
                                      insurance="pension"))
    assert export.status_code == 200 and export.content[:2] == b"PK"

    await client.sign_in_employer(w["b"])
    theirs = await client.page(url_for("si_roster", {"name": "阳明"}))
    assert set(_names(theirs)) == {"司马阳明"}
    fee = await client.page(url_for("si_payable_detail", {"name": "阳明"}, period=202610, insurance="pension"))
    assert _names(fee) == ["司马阳明"]


async def test_a_renamed_person_is_found_by_the_new_name_at_once(client):
    w = await _two_employers()
    await client.sign_in_employer(w["a"])
    assert _names(await client.page(url_for("si_roster", {"name": "阳明"})))  # counted and cached before
    # Any writer of person.name (here a plain UPDATE, as a data correction would be): the trigger follows it.
    await Person.update({Person.name: "欧阳晓华"}).where(Person.id == w["ouyang"]["id"])
    copies = await SiEnrolment.select(SiEnrolment.person_name).where(SiEnrolment.person == w["ouyang"]["id"])
    assert [c["person_name"] for c in copies] == ["欧阳晓华"] * 5
    roster = await client.page(url_for("si_roster", {"name": "晓华"}))
    assert set(_names(roster)) == {"欧阳晓华"}
    gone = await client.page(url_for("si_roster", {"name": "阳明"}))
    assert _names(gone) == [] and "没有符合条件的参保职工" in gone.get_text()
    fee = await client.page(url_for("si_payable_detail", {"name": "晓华"}, period=202610, insurance="pension"))
    assert _names(fee) == ["欧阳晓华"]
    assert _names(await client.page(url_for("si_payable_detail", {"name": "明华"}, period=202610,
                                            insurance="pension"))) == []
    # Another column of the person changes nothing; another person's copies stay theirs.
    await Person.update({Person.mobile: "13900000000"}).where(Person.id == w["ouyang"]["id"])
    others = await SiEnrolment.select(SiEnrolment.person_name).where(SiEnrolment.person == w["stranger"]["id"])
    assert {c["person_name"] for c in others} == {"司马阳明"}


async def test_the_bulk_writer_fills_the_copy_from_the_person_record():
    employer = await make_employer()
    people = [await make_person(name=name) for name in ("符海燕", "邢立新")]
    async with write_transaction():
        await service.start_records([{"person": p["id"], "employer": employer["id"], "insurance": insurance,
                                      "base": 500000, "start_period": 202601, "identity": "11"}
                                     for p in people for insurance in ("pension", "medical")])
    rows = await SiEnrolment.select(SiEnrolment.person, SiEnrolment.person_name).where(
        SiEnrolment.employer == employer["id"])
    assert sorted((r["person"], r["person_name"]) for r in rows) == sorted(
        (p["id"], p["name"]) for p in people for _ in range(2))


# Run in a child process on a database of its own: piccolo_conf binds its engine to PORTAL_DATABASE_URL on import.
BACKFILL = r'''
import asyncio, json
from datetime import datetime, timezone
from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.engine.finder import engine_finder
from piccolo.querystring import QueryString

BEFORE = "2026-12-05T18:20:00:000000"  # the last social_insurance migration without person_name


async def main():
    engine = engine_finder()
    async def sql(text, *args):  # plain dicts on both engines (asyncpg gives Records)
        return [dict(r) for r in await engine.run_querystring(QueryString(text, *args))]
    for app in BaseMigrationManager().get_sorted_app_names():
        assert (await run_forwards(app, migration_id=BEFORE if app == "social_insurance" else "all")).success, app
    at = datetime.now(timezone.utc)
    await sql("INSERT INTO employer (uscc, name, created_at, updated_at) VALUES ({}, {}, {}, {})",
              "91460000MA5T2QXXXX", "旧记录有限公司", at, at)
    employer = (await sql("SELECT id FROM employer"))[0]["id"]
    for id_number, name in (("460105199001011234", "云海生"), ("46010519900202123X", "麦小雨")):
        await sql("INSERT INTO person (id_number, name, gender, mobile, division_code, created_at)"
                  " VALUES ({}, {}, {}, {}, {}, {})", id_number, name, "", "", "460105", at)
    for person in await sql("SELECT id FROM person ORDER BY id"):
        for insurance in ("pension", "medical"):
            await sql("INSERT INTO si_enrolment (person, employer, insurance, status, identity, base, start_period,"
                      " created_at, updated_at) VALUES ({}, {}, {}, 'active', '11', 500000, 202601, {}, {})",
                      person["id"], employer, insurance, at, at)
    assert (await run_forwards("all")).success
    filled = await sql("SELECT p.name, e.person_name FROM si_enrolment e JOIN person p ON p.id = e.person ORDER BY e.id")
    await sql("UPDATE person SET name = {} WHERE name = {}", "云海升", "云海生")
    renamed = await sql("SELECT e.person_name FROM si_enrolment e ORDER BY e.id")
    print("RESULT " + json.dumps({"filled": filled, "renamed": [r["person_name"] for r in renamed]},
                                 ensure_ascii=False))


asyncio.run(main())
'''


async def test_the_migration_back_fills_records_made_before_it_and_installs_the_trigger(tmp_path):
    url, pg_name = _throwaway_database(tmp_path)
    server = os.environ.get("PORTAL_TEST_DATABASE_URL", "")
    if pg_name:
        await _pg(server, f'CREATE DATABASE "{pg_name}"')
    try:
        env = {**os.environ, "PORTAL_DATABASE_URL": url, "PICCOLO_CONF": "piccolo_conf"}
        done = await asyncio.to_thread(subprocess.run, [sys.executable, "-c", BACKFILL], cwd=ROOT, env=env,
                                       capture_output=True, text=True, timeout=300)
    finally:
        if pg_name:
            await _pg(server, f'DROP DATABASE IF EXISTS "{pg_name}"')
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.split("RESULT ", 1)[1])
    assert [(r["name"], r["person_name"]) for r in result["filled"]] == [
        ("云海生", "云海生"), ("云海生", "云海生"), ("麦小雨", "麦小雨"), ("麦小雨", "麦小雨")]
    assert result["renamed"] == ["云海升", "云海升", "麦小雨", "麦小雨"]
