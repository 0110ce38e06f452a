"""Helpers for labour-contract tests: principals, valid form values, filings in any state."""

from __future__ import annotations

from datetime import date
from typing import Any

from domains.labor_contract import service
from domains.labor_contract.matters import REVIEW_PERMISSION
from domains.labor_contract.tables import Contract
from portal.auth.principal import Principal
from portal.workflow import engine as workflow
from tests.support.factories import make_id_number

GUIDE_ID = "630101199501010072"  # the guide's sample row (马五)


def employer_principal(employer: dict[str, Any], acting_name: str = "王经办") -> Principal:
    return Principal(
        kind="employer", account_id=employer["id"] + 1000, display_name=employer["name"],
        employer_id=employer["id"], employer_name=employer["name"], acting_name=acting_name, acting_role="agent",
    )


def reviewer_principal(staff_id: int = 1, agency: str = "460105", name: str = "审核员") -> Principal:
    return Principal(
        kind="staff", account_id=staff_id, display_name=name, permissions=frozenset({REVIEW_PERMISSION}),
        scopes={"agency": (agency,)},
    )


def form_data(**overrides: Any) -> dict[str, str]:
    """What a person types on the 新订 page (raw strings)."""
    data = {
        "worker_name": "马五",
        "id_number": make_id_number(born=date(1990, 5, 17)),
        "employment_form": "01",
        "contract_type": "1",
        "contract_template": "own",
        "contract_number": "",
        "start_date": "2025-01-01",
        "end_date": "2027-12-31",
        "probation_months": "2",
        "post": "软件工程师",
        "workplace": "海口市秀英区",
        "monthly_wage": "8500.50",
        "pay_day": "4",
        "work_hours_system": "1",
    }
    data.update(overrides)
    return data


def cleaned(**overrides: Any) -> dict[str, Any]:
    values = {
        "worker_name": "马五",
        "id_number": make_id_number(born=date(1990, 5, 17)),
        "employment_form": "01",
        "contract_type": "1",
        "contract_template": "own",
        "contract_number": "",
        "start_date": date(2025, 1, 1),
        "end_date": date(2027, 12, 31),
        "probation_months": 2,
        "post": "软件工程师",
        "workplace": "海口市秀英区",
        "monthly_wage": 850050,
        "pay_day": 4,
        "work_hours_system": "1",
    }
    values.update(overrides)
    return values


async def review(contract_id: int, transition: str = "approve", opinion: str = "", staff_id: int = 1) -> None:
    row = await Contract.select(Contract.matter_id, Contract.employer.review_agency).where(
        Contract.id == contract_id).first()
    staff = reviewer_principal(staff_id, agency=row["employer.review_agency"])
    matter = await workflow.get_matter_for(staff, row["matter_id"])
    await workflow.fire(staff, matter["id"], transition, expected_version=matter["version"], opinion=opinion)


async def completed_contract(employer: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """A 新订 filing approved and put on a roster: ready for 续订 or 解除(终止)."""
    filed = await service.file_new(employer_principal(employer), cleaned(**overrides))
    await review(filed["id"])
    await Contract.update({Contract.in_roster: True}).where(Contract.id == filed["id"])
    return await Contract.select().where(Contract.id == filed["id"]).first()



async def sign_in_reviewer(app: Any, client: Any, username: str = "lc_reviewer", agency: str = "460105") -> dict:

    staff = await client.sign_in_staff(username, permissions=[REVIEW_PERMISSION], scopes={"agency": [agency]})
    return staff
