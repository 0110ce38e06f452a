"""Demo 一件事一次办 (idempotent, after the labour-contract and personnel-change demos): for the first demo employer one
员工录用一件事 已办结 (both 办件 approved by their reviewers) and one 审核中."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domains.employer import service as employers
from domains.one_thing import service
from domains.one_thing.tables import OneThing
from domains.personnel_change import service as pc
from domains.social_insurance import service as si
from portal.auth.principal import Principal
from portal.validators import id_check_digit
from portal.workflow import engine as workflow
from portal.workflow.deadlines import local_date
from seeds.demo_identities import EMPLOYERS


def _id(born: date, serial: int) -> str:
    first17 = f"460106{born:%Y%m%d}{serial:03d}"
    return first17 + id_check_digit(first17)


def _hire(id_number: str, name: str, period: int) -> dict:
    start = date(period // 100, period % 100, 1)
    return {
        "id_number": id_number,
        "worker_name": name,
        "ethnicity": "01",
        "hukou": "10",
        "address": "海南省海口市龙华区滨海大道8号",
        "phone": "13976000000",
        "work_start": date(2019, 7, 1),
        "employment_form": "01",
        "contract_type": "1",
        "contract_template": "own",
        "contract_number": "",
        "start_date": start,
        "end_date": start.replace(year=start.year + 3),
        "probation_months": 2,
        "post": "会计",
        "workplace": "海口市龙华区",
        "monthly_wage": 700000,
        "pay_day": 10,
        "work_hours_system": "1",
        "ins_pension": True,
        "ins_medical": True,
        "ins_injury": True,
        "identity": "11",
        "base": 700000,
        "period": period,
    }


async def _approve(matter_id: int, permission: str, scopes: dict) -> None:
    staff = Principal(
        kind="staff",
        account_id=0,
        display_name="一件事审核（演示）",
        permissions=frozenset({permission}),
        scopes=scopes,
    )
    matter = await workflow.get_matter_for(staff, matter_id)
    await workflow.fire(staff, matter_id, "approve", expected_version=matter["version"])


async def load() -> dict[str, int]:
    row = await employers.get_by_uscc(EMPLOYERS[0].uscc)
    if row is None or await OneThing.exists().where(OneThing.employer == row["id"]):
        return {"one_things": 0}
    principal = Principal(
        kind="employer",
        account_id=0,
        display_name=row["name"],
        employer_id=row["id"],
        employer_name=row["name"],
        acting_name="经办人（演示）",
        acting_role="agent",
    )
    today = local_date(datetime.now(UTC))
    period = max(today.year * 100 + today.month, await si.employer_first_period(row["id"]))
    done = await service.hire(principal, _hire(_id(date(1996, 3, 8), 721), "陈思远", period))
    await _approve(done["lc_matter_id"], "lc.review", {"agency": (row["review_agency"],)})
    await _approve(done["pc_matter_id"], pc.REVIEW_PERMISSION, {"division": ("460000",)})
    await service.hire(principal, _hire(_id(date(1998, 11, 2), 733), "王雨桐", period))
    return {"one_things": 2}
