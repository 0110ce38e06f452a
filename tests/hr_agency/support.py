"""Helpers for agency tests: an agency signed in, an application submitted with its materials, staff roles."""

from __future__ import annotations

from typing import Any

from domains.hr_agency.matters import ACCEPT, APPROVE, FILING, LICENCE
from portal.workflow import engine
from portal.workflow.materials import upload_material
from portal.workflow.tables import Matter
from tests.support.factories import make_employer, make_staff
from tests.support.files import pdf_bytes
from tests.support.urls import url_for
from tests.workflow.support import employer_principal, staff_principal

PDF = pdf_bytes("agency material")

FORM = {"name": "海南英才人力资源服务有限公司", "legal_rep": "陈法人", "agency_type": "1", "division_code": "460105",
        "address": "海口市秀英区长滨路1号", "contact_name": "林联系", "contact_phone": "13800001111"}


async def agency_employer(**overrides: Any):
    employer = await make_employer(**overrides)
    return employer, employer_principal(employer)


async def apply_online(client, slug: str, services: list[str], **changes) -> int:
    """申请行政许可 (slug licence) / 业务备案 (filing) through the form with FORM: the new matter's id."""
    response = await client.post_form(url_for("hra_apply", slug=slug), {**FORM, **changes, "services": services})
    assert response.status_code == 303, response.text
    return int(response.headers["location"].split("/matters/")[1].split("?")[0])


async def fire(client, matter_id: int, transition: str, opinion: str = ""):
    """A staff transition on the workbench at the matter's current version."""
    version = (await Matter.select(Matter.version).where(Matter.id == matter_id).first())["version"]
    return await client.post_form(url_for("workbench_fire", matter_id=matter_id),
                                  {"transition": transition, "version": str(version), "opinion": opinion})


async def submit_with_materials(app, principal, matter_id: int) -> dict:
    kind = LICENCE if (await engine.get_matter_for(principal, matter_id))["kind"] == LICENCE.code else FILING
    for m in kind.materials:
        await upload_material(principal, matter_id, m.code, f"{m.code}.pdf", PDF,
                              storage_dir=app.state.settings.storage_dir)
    matter = await engine.get_matter_for(principal, matter_id)
    return await engine.fire(principal, matter_id, "submit", expected_version=matter["version"])


async def staff(app, username: str, permissions: list[str], division: str = "460100"):
    row = await make_staff(app, username, permissions=permissions, scopes={"division": [division]})
    return row, staff_principal(row["id"], permissions, division, username)


async def acceptor_and_approver(app, division: str = "460100"):
    return await staff(app, "hra_acc", [ACCEPT], division), await staff(app, "hra_apr", [APPROVE], division)
