"""Agencies with a licence / filing straight in the tables (for lists, the register and the tenant matrix), and
their 名录 rows as the services would keep them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from domains.hr_agency import register
from domains.hr_agency.tables import Agency, Licence, ServiceFiling
from portal.db import write_transaction
from tests.support.factories import make_employer

_N = [0]


async def make_agency(*, division: str = "460105", name: str = "", services_label: str = "为劳动者介绍用人单位",
                      services: tuple[str, ...] = ("L01",), employer: bool = True, licence: bool = True,
                      filing: bool = False, **overrides: Any) -> dict[str, Any]:
    _N[0] += 1
    n = _N[0]
    emp = await make_employer(division_code=division) if employer else None
    at = datetime.now(UTC)
    row = Agency(employer=emp["id"] if emp else None, name=name or f"测试人力资源{n}有限公司",
                 uscc=emp["uscc"] if emp else "", legal_rep="赵法人", address=f"测试路{n}号", division_code=division,
                 agency_type="1", contact_name="钱联系", contact_phone="13912345678", source="online",
                 services=json.dumps(list(services)), services_label=services_label, created_at=at, updated_at=at,
                 **overrides)
    await row.save()
    out: dict[str, Any] = {"id": row.id, "employer": emp, "name": row.name}
    if licence:
        lic = Licence(agency=row.id, licence_no=f"LIC-{division}-{n}", doc_no=f"DOC-{n}", division_code=division,
                      services=json.dumps(list(services)), issued_on=date(2026, 3, 1), valid_until=date(2031, 2, 28),
                      created_at=at)
        await lic.save()
        out["licence_id"] = lic.id
    if filing:
        f = ServiceFiling(agency=row.id, filing_no=f"FIL-{division}-{n}", division_code=division, services='["F02"]',
                          filed_on=date(2026, 4, 1), created_at=at)
        await f.save()
        out["filing_id"] = f.id
    async with write_transaction():
        await register.refresh([row.id])  # written past the services: the 名录 row too
    return out
