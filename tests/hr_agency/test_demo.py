"""The demo loader: idempotent, the demo agency's licence went through both posts, data across regions and years."""

from __future__ import annotations

from domains.hr_agency import demo, register
from domains.hr_agency.tables import Agency, AnnualReport, JobFair, Licence, ServiceFiling
from portal.validators import uscc_error
from portal.workflow.tables import Matter, MatterEvent
from seeds.demo_identities import AGENCY


async def test_demo_load_is_idempotent_and_has_shape(app, client):
    assert (await demo.load())["agencies"] == 11
    assert (await demo.load())["agencies"] == 0
    agency = await Agency.select().where(Agency.uscc == AGENCY.uscc).first()
    licence = await Licence.select().where(Licence.agency == agency["id"]).first()
    assert licence["status"] == "valid" and licence["licence_no"].endswith("4601050001号")
    events = await MatterEvent.select(MatterEvent.actor_id, MatterEvent.action).where(
        MatterEvent.matter == licence["matter_id"])
    by_action = {e["action"]: e["actor_id"] for e in events}
    assert by_action["accept"] != by_action["approve"]
    states = sorted((m["kind"], m["state"]) for m in await Matter.select(Matter.kind, Matter.state))
    assert states == [("hra_branch", "approved"), ("hra_branch", "returned"), ("hra_change", "submitted"),
                      ("hra_filing", "submitted"), ("hra_licence", "approved")]
    assert "三亚分公司" in (await client.page("/hr-agencies/?region=460200")).get_text()  # the branch, listed
    assert (await AnnualReport.select().first())["status"] == "returned" and await JobFair.count() == 1
    years = {r["issued_on"].year for r in await Licence.select(Licence.issued_on)}
    years |= {r["filed_on"].year for r in await ServiceFiling.select(ServiceFiling.filed_on)}
    assert len(years) >= 4 and len({r["division_code"][:4] for r in await Agency.select(Agency.division_code)}) >= 4
    assert all(uscc_error(r["uscc"]) is None for r in await Agency.select(Agency.uscc))
    text = (await client.page("/hr-agencies/")).get_text()
    assert AGENCY.name in text and "三亚鹿城" not in text  # deregistered agencies are not listed
    assert await register.stale() == []
