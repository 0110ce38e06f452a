"""History-imported 许可证编号 / 备案编号 move their counters (HRA-12 ③ with HRA-3 / HRA-5): an online approval in the
same 区划 after an import of this year's numbers gets the next number, not one of them (no unique violation, no
500); an approval and a 确认导入 at the same moment, in either order."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from domains.hr_agency import history
from domains.hr_agency.effects import today
from domains.hr_agency.numbers import issue_number
from domains.hr_agency.tables import Agency, Licence, ServiceFiling
from portal.dataservices.tables import ImportJob
from portal.db import write_transaction
from portal.workflow.tables import Matter
from tests.hr_agency.factories import make_agency
from tests.hr_agency.support import (
    acceptor_and_approver,
    agency_employer,
    apply_online,
    fire,
    submit_with_materials,
)
from tests.hr_agency.test_history import history_row, sign_in_manager, upload
from tests.support.urls import url_for


def licence_no(seq: int) -> str:
    return f"（琼）人服证字〔{today().year}〕第460105{seq:04d}号"


def filing_no(seq: int) -> str:
    return f"琼人服备〔{today().year}〕460105{seq:04d}号"


def this_year(n: int, licence: int, **over) -> list:
    return history_row(n, licence_no=licence_no(licence), licence_on=today().isoformat(), **over)


async def uploaded(client, rows: list[list]) -> str:
    response = await upload(client, rows)
    assert response.status_code == 303
    return response.headers["location"].rsplit("/", 1)[1]


async def test_an_approval_after_a_history_import_gets_the_next_number(app, client, other_client):
    await sign_in_manager(app, other_client)
    token = await uploaded(other_client, [
        this_year(41, 7), this_year(42, 3, filing_no=filing_no(5), filed_on=today().isoformat(),
                                   filing_services="人力资源培训")])
    assert (await other_client.post_form(url_for("hra_history_confirm", token=token))).status_code == 303
    assert await Agency.count().where(Agency.source == "history") == 2
    (acc, _), (apr, _) = await acceptor_and_approver(app)
    for slug, services in (("licence", ["L01"]), ("filing", ["F02"])):
        employer, principal = await agency_employer()  # of 秀英区 (FORM), like the imported rows
        await client.sign_in_employer(employer, acting_name="陈法人")
        matter_id = await apply_online(client, slug, services)
        await submit_with_materials(app, principal, matter_id)
        await other_client.sign_in("staff", uid=acc["id"])
        assert (await fire(other_client, matter_id, "accept")).status_code == 303
        await other_client.sign_in("staff", uid=apr["id"])
        assert (await fire(other_client, matter_id, "approve")).status_code == 303
        assert (await Matter.select(Matter.state).where(Matter.id == matter_id).first())["state"] == "approved"
    granted = await Licence.select(Licence.licence_no).where(Licence.matter_id.is_not_null()).first()
    assert granted["licence_no"] == licence_no(8)  # after the highest imported (7), not 1
    filed = await ServiceFiling.select(ServiceFiling.filing_no).where(ServiceFiling.matter_id.is_not_null()).first()
    assert filed["filing_no"] == filing_no(6)


async def _approval(agency_id: int, drawn: asyncio.Event, release: asyncio.Event) -> str:
    """What 准予许可 does with the number, held open until `release`."""
    async with write_transaction():
        number = await issue_number("licence", "460105", today().year)
        await Licence(agency=agency_id, licence_no=number, doc_no=f"DOC-{number}", division_code="460105",
                      services='["L01"]', issued_on=today(), valid_until=today(), created_at=datetime.now(UTC)).save()
        drawn.set()
        await release.wait()
    return number


async def test_a_confirm_waits_for_an_approval_drawing_the_same_number(app, client):
    """The approval drew 0001 and has not committed; the file names 0001. The confirm waits for it and then finds the
    number taken: a row reason, nothing written, no 500 (on PostgreSQL the counter's row lock; SQLite's writer queue)."""
    await sign_in_manager(app, client)
    token = await uploaded(client, [this_year(51, 1)])
    agency = await make_agency(division="460105", licence=False)
    drawn, release = asyncio.Event(), asyncio.Event()
    approval = asyncio.create_task(_approval(agency["id"], drawn, release))
    await drawn.wait()
    confirm = asyncio.create_task(client.post_form(url_for("hra_history_confirm", token=token)))
    try:
        await asyncio.sleep(0.3)
        assert not confirm.done()
    finally:  # a failure above must not leave a transaction open under the clean-up
        release.set()
        results = await asyncio.gather(approval, confirm, return_exceptions=True)
    assert results[0] == licence_no(1)
    assert results[1].status_code == 303
    job = await ImportJob.select().where(ImportJob.token == token).first()
    assert job["status"] == "checked" and not job["written"]
    assert "已被系统中的其他许可使用" in (await client.page(url_for("hra_history_job", token=token))).get_text()
    assert await Agency.count().where(Agency.source == "history") == 0


async def test_an_approval_waits_for_a_confirm_and_goes_on_after_its_numbers(app, client, monkeypatch):
    """The confirm has checked 0001 and 0002 and not yet committed; an approval drawing now waits and gets 0003."""
    await sign_in_manager(app, client)
    token = await uploaded(client, [this_year(61, 1), this_year(62, 2)])
    agency = await make_agency(division="460105", licence=False)
    checked, release = asyncio.Event(), asyncio.Event()
    real = history.checker

    def held(principal):
        check = real(principal)

        async def check_then_wait(rows):
            await check(rows)
            checked.set()
            await release.wait()

        return check_then_wait

    monkeypatch.setattr(history, "checker", held)
    confirm = asyncio.create_task(client.post_form(url_for("hra_history_confirm", token=token)))
    await checked.wait()
    go = asyncio.Event()
    go.set()
    approval = asyncio.create_task(_approval(agency["id"], asyncio.Event(), go))
    try:
        await asyncio.sleep(0.3)
        assert not approval.done()
    finally:
        release.set()
        results = await asyncio.gather(confirm, approval, return_exceptions=True)
    assert results[0].status_code == 303
    assert results[1] == licence_no(3)
    assert await Agency.count().where(Agency.source == "history") == 2
