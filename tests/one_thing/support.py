"""Helpers for 一件事一次办 tests: what a person types on the two forms, an employer with a worker ready to leave."""

from __future__ import annotations

from datetime import date
from typing import Any

from domains.one_thing import forms
from tests.labor_contract.support import completed_contract
from tests.labor_contract.support import employer_principal as lc_principal
from tests.personnel_change.support import insure
from tests.support.factories import make_id_number

employer_principal = lc_principal


def hire_data(id_number: str | None = None, **overrides: Any) -> dict[str, str]:
    """The 员工录用一件事 form as typed (raw strings): a contract from 2026-12-01 and 增员 from 2026-12."""
    data = {
        "id_number": id_number or make_id_number("460106", date(1990, 5, 17)),
        "worker_name": "新职工",
        "ethnicity": "01",
        "hukou": "10",
        "address": "海口市龙华区滨海大道1号",
        "phone": "13800138000",
        "work_start": "2015-07-01",
        "employment_form": "01",
        "contract_type": "1",
        "contract_template": "own",
        "contract_number": "",
        "start_date": "2026-12-01",
        "end_date": "2029-11-30",
        "probation_months": "2",
        "post": "软件工程师",
        "workplace": "海口市龙华区",
        "monthly_wage": "8500",
        "pay_day": "10",
        "work_hours_system": "1",
        "ins_pension": "1",
        "ins_medical": "1",
        "identity": "11",
        "base": "6000",
        "period": "2026-12",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def leave_data(**overrides: Any) -> dict[str, str]:
    """The 员工离职一件事 form as typed: ended today (2026-12-05 in the suite's clock or later), 终止参保 from the next
    month."""
    from domains.labor_contract import service as lc

    today = lc.today_local()
    following = date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    data = {
        "termination_date": today.isoformat(),
        "termination_reason": "02",
        "compensation": "3000",
        "kind": "terminate",
        "ins_pension": "1",
        "ins_medical": "1",
        "reason": "11",
        "period": f"{following:%Y-%m}",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


async def hire_cleaned(data: dict[str, str]) -> dict[str, Any]:
    form = forms.hire_form(data)
    assert await form.validate(), form.errors
    return form.cleaned


async def leave_cleaned(data: dict[str, str], contract: dict[str, Any]) -> dict[str, Any]:
    form = await forms.leave_form(data, contract)
    assert await form.validate(), form.errors
    return form.cleaned


async def worker(employer: dict[str, Any], name: str = "离职职工") -> dict[str, Any]:
    """Someone insured at the employer since 2025-01 (every insurance) with a completed contract since 2025-01-01."""
    person = await insure(employer, base=600000, start=202501, name=name)
    contract = await completed_contract(
        employer,
        worker_name=person["name"],
        id_number=person["id_number"],
        start_date=date(2025, 1, 1),
        end_date=date(2027, 12, 31),
    )
    return {**person, "contract": contract}
