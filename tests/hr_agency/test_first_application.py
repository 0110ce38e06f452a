"""HRA-1 first application: refused while staff hold a record of the same 统一社会信用代码 (机构管理 or 历史数据采集),
with the reason beside the code and everything typed kept; a fresh code goes through; a 机构管理 add racing the
application leaves one record."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from domains.hr_agency import manage, rules, service
from domains.hr_agency.matters import MANAGE
from domains.hr_agency.tables import Agency
from portal.refusal import Refused
from portal.workflow.tables import Matter
from tests.hr_agency.support import FORM, agency_employer, apply_online, staff
from tests.support.urls import url_for


async def staff_record(uscc: str, source: str, status: str = "active") -> None:
    at = datetime.now(UTC)
    await Agency(name="线下登记的机构", uscc=uscc, legal_rep="周法人", address="秀英路3号", division_code="460105",
                 agency_type="1", contact_name="", contact_phone="", source=source, status=status, created_at=at,
                 updated_at=at).save()


@pytest.mark.parametrize("source", ["staff", "history"])
async def test_a_code_with_a_record_is_refused_beside_it_and_the_input_kept(app, client, source):
    employer, _ = await agency_employer()
    await staff_record(employer["uscc"], source)
    await client.sign_in_employer(employer, acting_name="陈法人")
    typed = {**FORM, "name": "网上申请的<机构>", "address": "龙华路9号", "services": ["L01", "L02"]}
    response = await client.post_form(url_for("hra_apply", slug="licence"), typed)
    assert response.status_code == 200
    assert rules.RECORD_EXISTS in response.text and "联系所在地人社部门" in response.text
    assert 'id="f-uscc-error"' in response.text and 'href="#f-uscc"' in response.text  # beside the code, linked
    assert employer["uscc"] in response.text
    assert 'value="网上申请的&lt;机构&gt;"' in response.text and 'value="龙华路9号"' in response.text
    assert 'value="L01" checked' in response.text and 'value="L02" checked' in response.text
    assert await Agency.count() == 1 and await Matter.count() == 0


async def test_a_deleted_record_does_not_block_and_a_fresh_code_goes_through(app, client):
    employer, _ = await agency_employer()
    await staff_record(employer["uscc"], "staff", status="deleted")  # deleted rows keep their code
    await client.sign_in_employer(employer, acting_name="陈法人")
    matter_id = await apply_online(client, "filing", ["F02"])
    agency = await Agency.select().where(Agency.employer == employer["id"]).first()
    assert agency["source"] == "online" and agency["uscc"] == employer["uscc"]
    assert (await Matter.select(Matter.kind).where(Matter.id == matter_id).first())["kind"] == "hra_filing"
    # the agency's later applications are not first ones: its own record does not refuse them
    await apply_online(client, "licence", ["L01"])


async def test_an_add_and_an_application_at_once_leave_one_record(app, monkeypatch):
    """机构管理 add and the first application of one code, both past their check before either writes: the shared
    USCC lock makes the second wait and then find the first's record."""
    employer, principal = await agency_employer()
    _, manager = await staff(app, "hra_race_man", [MANAGE], division="460100")
    checked = asyncio.Event()
    real = service.live_agency_exists

    async def slow(uscc: str) -> bool:
        found = await real(uscc)
        checked.set()
        await asyncio.sleep(0.3)  # the other one would pass its check now, were it not held by the lock
        return found

    monkeypatch.setattr(service, "live_agency_exists", slow)
    monkeypatch.setattr(manage, "live_agency_exists", slow)
    record = {k: FORM[k] for k in rules.RECORD_KEYS}
    results = await asyncio.gather(
        service.apply(principal, "hra_filing", record, ["F02"]),
        manage.add(manager, {**record, "uscc": employer["uscc"]}), return_exceptions=True)
    assert await Agency.count().where(Agency.uscc == employer["uscc"]) == 1
    refused = [r for r in results if isinstance(r, Refused)]
    assert len(refused) == 1 and not any(isinstance(r, BaseException) and not isinstance(r, Refused) for r in results)
