"""Helpers for 书面审查 tests: questionnaire data, a filled staff workbook, squad reviewers."""

from __future__ import annotations

from typing import Any

from domains.labor_inspection import service
from tests.support.factories import make_id_number
from tests.support.workbooks import filled, workbook

SQUAD = "Z460105001"  # 秀英街道劳动保障监察中队, covers 460105001
STREET = "460105001"


def answers(**overrides: Any) -> dict[str, str]:
    data = {"total_staff": "3", "contract_signed": "3", "wage_paid": "是", "wage_arrears": "", "lowest_wage": "2500",
            "below_minimum": "否", "overtime_hours": "20", "insured_count": "3", "female_protected": "是",
            "child_labour": "否", "dispatch_count": "0", "rules_published": "是"}
    data.update(overrides)
    return data


def staff_rows(n: int = 3) -> list[list[Any]]:
    return [[f"职工{i}", make_id_number("460105"), "操作工", "2024-03-01", "是", "2027-02-28", "是", "4500"]
            for i in range(n)]


async def upload_staff(client, rows: list[list[Any]]):
    template = await client.get("/labor-inspection/review/staff/template.xlsx")
    assert template.status_code == 200
    return await client.post_form("/labor-inspection/review/staff",
                                  files={"file": ("用工.xlsx", filled(workbook(template.content), rows))})


async def sign_in_squad(client, username: str = "ins_squad", squad: str = SQUAD) -> dict:
    return await client.sign_in_staff(username, permissions=[service.REVIEW_PERMISSION], scopes={"squad": [squad]})


async def complete_steps(client, **answer_overrides: Any) -> None:
    """The employer (signed in) goes through steps ①–③."""
    saved = await client.post_form("/labor-inspection/review/questionnaire", answers(**answer_overrides))
    assert saved.status_code == 303, saved.text[:600]
    imported = await upload_staff(client, staff_rows())
    assert imported.status_code == 303, imported.text[:600]
    chosen = await client.post_form("/labor-inspection/review/squad", {"division_code": STREET, "squad_code": SQUAD})
    assert chosen.status_code == 303, chosen.text[:600]
