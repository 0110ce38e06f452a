"""Staff use-cases outside the matter flows: 注销单位行政许可 (HRA-7), scoped by the staff member's division."""

from __future__ import annotations

from datetime import UTC, datetime

from litestar.exceptions import NotFoundException

from domains.hr_agency import effects
from domains.hr_agency.service import Refused
from domains.hr_agency.tables import Licence
from portal import audit
from portal.auth.principal import Principal, division_clause
from portal.dataservices.certificates import revoke_certificate
from portal.db import write_transaction


async def scoped_licence(principal: Principal, licence_id: int) -> dict:
    clause = division_clause(principal, Licence.division_code)
    row = await Licence.select().where((Licence.id == licence_id) & clause).first() if clause is not None else None
    if row is None:
        raise NotFoundException()
    return row


async def revoke_licence(principal: Principal, licence_id: int, *, reason: str, basis: str, ip: str = "") -> dict:
    """注销: one conditional UPDATE (valid → revoked), the agency's listed services refreshed, an audit row; then the
    electronic licence is revoked too, so its verification page says 已注销."""
    if not principal.can("hra.manage"):
        raise Refused("您没有注销行政许可的权限")
    reason, basis = reason.strip(), basis.strip()
    if not reason:
        raise Refused("请填写注销原因", "reason")
    if not basis:
        raise Refused("请填写注销依据", "basis")
    if len(reason) > 500 or len(basis) > 200:
        raise Refused("注销原因不超过500字，注销依据不超过200字", "reason")
    row = await scoped_licence(principal, licence_id)
    async with write_transaction():
        done = await Licence.update({
            Licence.status: "revoked", Licence.revoked_on: effects.today(),
            Licence.revoke_reason: f"{reason}（依据：{basis}）",
        }).where((Licence.id == row["id"]) & (Licence.status == "valid")).returning(Licence.id)
        if not done:
            raise Refused("该行政许可已注销")
        await effects.refresh_services(row["agency"])
    await audit.record(category="hr_agency", action="licence.revoke", actor=principal, ip=ip, object_type="licence",
                       object_id=row["id"], detail={"licence_no": row["licence_no"], "reason": reason, "basis": basis})
    if row["certificate_code"]:
        await revoke_certificate(row["certificate_code"], "行政许可已注销", actor=principal, ip=ip)
    return {**row, "status": "revoked", "at": datetime.now(UTC)}
