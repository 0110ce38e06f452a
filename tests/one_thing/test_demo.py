"""The demo data: one 员工录用一件事 已办结 and one 审核中 for the first demo employer, loaded once."""

from __future__ import annotations

from domains.one_thing import service
from domains.one_thing.tables import OneThing
from seeds.demo import load_demo
from tests.one_thing.support import employer_principal


async def test_demo_has_a_finished_and_a_pending_hire(app):
    await load_demo()
    rows = await OneThing.select().order_by(OneThing.id)
    assert [r["name"] for r in rows] == ["陈思远", "王雨桐"]
    from domains.employer.tables import Employer

    employer = await Employer.select().where(Employer.id == rows[0]["employer"]).first()
    states = [(await service.progress(employer_principal(employer), r["id"]))["overall"][0] for r in rows]
    assert states == ["已办结", "审核中"]
    await load_demo()
    assert await OneThing.count() == 2
