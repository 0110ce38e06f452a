"""Helpers for 信用等级 tests: a declaration as posted, the squad's graders, the matter of a declaration."""

from __future__ import annotations

import json
import secrets
from typing import Any

from domains.labor_inspection import grade_rules, grades, service
from portal.workflow.tables import Matter
from tests.labor_inspection.support import SQUAD, STREET


def declaration(**overrides: Any) -> dict[str, str]:
    data = {code: grade_rules.KEPT for code, _ in grade_rules.CRITERIA}
    data.update({"year": grades.year_choices()[0][0], "other": "", "opinion": "本单位严格遵守劳动保障法律法规",
                 "proposed_grade": "A", "division_code": STREET, "contact_name": "李联系",
                 "contact_phone": "13800000001", "form_token": secrets.token_urlsafe(16)})
    data.update(overrides)
    return data


async def declare(client, **overrides: Any) -> dict[str, Any]:
    """The signed-in employer declares; the 办件 created."""
    response = await client.post_form("/labor-inspection/grade", declaration(**overrides))
    assert response.status_code == 303, response.text[response.text.find("app-error-summary"):][:600]
    matter = await Matter.select().where(Matter.kind == service.GRADE_KIND).order_by(Matter.id, ascending=False).first()
    if isinstance(matter["payload"], str):
        matter["payload"] = json.loads(matter["payload"])
    return matter


async def sign_in_grader(client, username: str, squad: str = SQUAD, **kw: Any) -> dict:
    return await client.sign_in_staff(username, permissions=[service.GRADE_PERMISSION], scopes={"squad": [squad]},
                                      **kw)


async def fire(client, matter_id: int, transition: str, **values: str):
    """A staff decision in the workbench modal (htmx); the current version is read, as the modal would show it."""
    version = (await Matter.select(Matter.version).where(Matter.id == matter_id).first())["version"]
    return await client.post_form(f"/workbench/matters/{matter_id}/fire",
                                  {"transition": transition, "version": str(version), **values}, htmx=True)


async def state_of(matter_id: int) -> str:
    return (await Matter.select(Matter.state).where(Matter.id == matter_id).first())["state"]
