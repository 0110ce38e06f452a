"""分支机构 (manual 2.9): an approved branch carries its parent's licence and filings. Nothing is copied: the branch
shows its parent's registrations as they stand, so a licence the parent gives up (注销) shows 已注销 on the branch
too, and a filing the parent gains later is carried as well. Staff see a branch in their jurisdiction when the
branch or its parent lies in it."""

from __future__ import annotations

import json
from typing import Any

from litestar.exceptions import NotFoundException

from domains.hr_agency.tables import Agency, Branch, Licence, ServiceFiling
from portal.auth.principal import Principal, division_clause
from portal.core import dictionary
from portal.dataservices.grid import Scope


async def inherited(agency_id: int) -> list[dict[str, Any]]:
    """The parent's licences and filings, valid and ended, as a branch shows them (继承自总机构)."""
    labels = await dictionary.labels("hra_service")
    out = []
    for table, kind, number, day in ((Licence, "行政许可", "licence_no", "issued_on"),
                                     (ServiceFiling, "业务备案", "filing_no", "filed_on")):
        for r in await table.select().where(table.agency == agency_id).order_by(table.id):
            out.append({
                "kind": kind, "no": r[number], "day": r[day], "valid_until": r.get("valid_until"),
                "valid": r["status"] == "valid", "revoked_on": r["revoked_on"],
                "services": "、".join(labels.get(c, c) for c in json.loads(r["services"] or "[]")),
            })
    return out


async def branches_of(agency_id: int) -> list[dict[str, Any]]:
    return await Branch.select().where((Branch.agency == agency_id) & (Branch.status == "active")).order_by(Branch.id)


def staff_clause(principal: Principal, parent_division: Any = None) -> Any:
    """Branches lying, or whose parent lies, in the staff member's jurisdiction; None without a division scope.
    `parent_division`: the parent's division column as the query names it (default: joined through the key)."""
    own = division_clause(principal, Branch.division_code)
    parent = division_clause(principal, parent_division or Branch.agency.division_code)
    return None if own is None else own | parent


def staff_scope(principal: Principal) -> Scope:
    """For the grid, whose source joins hra_agency under its own name."""
    clause = staff_clause(principal, Agency.division_code)
    return Scope.where(clause) if clause is not None else Scope("1 = 0")


async def scoped_branch(principal: Principal, branch_id: int) -> dict[str, Any]:
    """One branch with its parent's record, in the staff member's jurisdiction; 404 otherwise."""
    clause = staff_clause(principal)
    row = await Branch.select(
        Branch.all_columns(), Branch.agency.name.as_alias("parent_name"), Branch.agency.uscc.as_alias("parent_uscc"),
        Branch.agency.division_code.as_alias("parent_division"), Branch.agency.status.as_alias("parent_status"),
    ).where((Branch.id == branch_id) & clause).first() if clause is not None else None
    if row is None:
        raise NotFoundException()
    return row
