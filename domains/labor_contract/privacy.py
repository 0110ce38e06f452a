"""查看完整号码 for labour-contract filings (portal.privacy): the worker's whole 身份证号, found through the
principal's scope — the employer's own filings, or a reviewer's 办件 in their jurisdiction."""

from __future__ import annotations

from domains.labor_contract import service
from domains.labor_contract.matters import CONTRACT_KIND, REVIEW_PERMISSION
from domains.labor_contract.tables import Contract
from portal.auth.principal import Principal
from portal.privacy import Revealable
from portal.workflow import engine as workflow


async def contract_id_number(principal: Principal, contract_id: int) -> str | None:
    if principal.is_employer:
        return (await service.get_contract(principal, contract_id))["id_number"]
    if principal.is_staff:
        row = await Contract.select(Contract.matter_id, Contract.id_number).where(Contract.id == contract_id).first()
        if row is None or not row["matter_id"]:
            return None
        await workflow.get_matter_for(principal, row["matter_id"])  # 404 outside the reviewer's jurisdiction
        return row["id_number"]
    return None


async def matter_id_number(principal: Principal, matter_id: int) -> str | None:
    matter = await workflow.get_matter_for(principal, matter_id)  # 404 outside the principal's scope
    if matter["kind"] != CONTRACT_KIND:
        return None
    # The 办件 payload keeps the number masked only; the filing holds it.
    row = await Contract.select(Contract.id_number).where(Contract.matter_id == matter_id).first()
    return row["id_number"] if row else None


REVEALS = (
    Revealable("lc_contract_id", "身份证号", contract_id_number, permission=REVIEW_PERMISSION),
    Revealable("lc_matter_id", "身份证号", matter_id_number, permission=REVIEW_PERMISSION),
)
