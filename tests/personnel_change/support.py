"""Helpers for 人员增减员 tests: employers with insured staff, form data, principals."""

from __future__ import annotations

from typing import Any

from domains.personnel_change import service
from portal.auth.principal import Principal
from tests.social_insurance.support import insure  # noqa: F401 (re-exported)
from tests.support.factories import make_employer, make_id_number


def employer_principal(employer: dict[str, Any]) -> Principal:
    return Principal(kind="employer", account_id=employer["id"] + 1000, display_name=employer["name"],
                     employer_name=employer["name"], employer_id=employer["id"], acting_name="张法人",
                     acting_role="legal_rep")


def reviewer(division: str = "460000", staff_id: int = 7) -> Principal:
    return Principal(kind="staff", account_id=staff_id, display_name="增减员审核员",
                     permissions=frozenset({service.REVIEW_PERMISSION}), scopes={"division": (division,)})


def enrol_data(id_number: str, **overrides: Any) -> dict[str, str]:
    data = {"id_number": id_number, "name": "新职工", "ethnicity": "01", "hukou": "10", "address": "海口市龙华区滨海大道1号",
            "phone": "13800138000", "employment_form": "01", "work_start": "2015-07-01", "ins_pension": "1",
            "ins_medical": "1", "identity": "11", "base": "6000", "period": "2026-12"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def withdraw_data(id_number: str, **overrides: Any) -> dict[str, str]:
    data = {"id_number": id_number, "kind": "terminate", "ins_pension": "1", "reason": "11", "period": "2026-12"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


async def cleaned(form_factory, data: dict[str, str]) -> dict[str, Any]:
    form = form_factory(data)
    assert await form.validate(), form.errors
    return form.cleaned


async def two_employers() -> dict[str, Any]:
    """A (Haikou 龙华) and B (三亚) with one worker each insured since 2025-01 for every insurance."""
    a = await make_employer(name="甲方增员有限公司", division_code="460106")
    b = await make_employer(name="乙方调出有限公司", division_code="460202")
    a1 = await insure(a, base=600000, start=202501, name="甲在职")
    b1 = await insure(b, base=700000, start=202501, name="乙在职")
    return {"a": a, "b": b, "a1": a1, "b1": b1}


async def sign_in_reviewer(client, username: str = "pc_reviewer", division: str = "460100") -> dict:
    return await client.sign_in_staff(username, permissions=[service.REVIEW_PERMISSION], scopes={"division": [division]})


def id_for(born, *, male: bool = True, division: str = "460106") -> str:
    """A valid 身份证号 of a man or a woman born on `born`."""
    while True:
        value = make_id_number(division, born)
        if (int(value[16]) % 2 == 1) == male:
            return value


__all__ = ["make_id_number"]
