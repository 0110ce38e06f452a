"""Rows with valid random data for tests; every value can be overridden."""

from __future__ import annotations

import itertools
import json
import random
from datetime import UTC, date, datetime
from typing import Any

from domains.employer.tables import Employer
from domains.person.tables import Person
from portal.auth.tables import Role, StaffRole, StaffScope, StaffUser
from portal.validators import id_check_digit, org_check_digit, uscc_check_digit

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


_SEQUENCE = itertools.count(random.randint(0, 999))


def make_id_number(division: str = "460105", born: date | None = None, rng: random.Random | None = None) -> str:
    """A valid 身份证号; without an `rng`, the sequence digits cycle so one test never gets the same one twice."""
    born = born or date((rng or random).randint(1965, 2002), (rng or random).randint(1, 12), (rng or random).randint(1, 28))
    sequence = rng.randint(0, 999) if rng else next(_SEQUENCE) % 1000
    first17 = f"{division}{born:%Y%m%d}{sequence:03d}"
    return first17 + id_check_digit(first17)


def make_uscc(division: str = "460105", rng: random.Random | None = None) -> str:
    rng = rng or random
    org8 = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    first17 = f"91{division}{org8}{org_check_digit(org8)}"
    return first17 + uscc_check_digit(first17)


def now() -> datetime:
    return datetime.now(UTC)


async def make_employer(**overrides: Any) -> dict[str, Any]:
    uscc = overrides.pop("uscc", None) or make_uscc()
    values = {
        "uscc": uscc,
        "name": f"海南测试{random.randint(1000, 9999)}有限公司",
        "org_code": f"{uscc[8:16]}-{uscc[16]}",
        "nature": "10",
        "affiliation": "50",
        "economic_type": "170",
        "industry": "I",
        "division_code": "460105",
        "address": "海口市秀英区测试路1号",
        "legal_rep": "张法人",
        "legal_rep_id_number": make_id_number(),
        "contact_name": "李联系",
        "contact_phone": "13800000001",
        "agent_name": "王经办",
        "agent_id_number": make_id_number(),
        "agent_phone": "13800000002",
        "review_agency": "460105",
        "profile_complete": True,
        "filing_approved": True,
        "created_at": now(),
        "updated_at": now(),
    }
    values.update(overrides)
    row = Employer(**values)
    await row.save()
    return {**values, "id": row.id}


async def make_person(**overrides: Any) -> dict[str, Any]:
    id_number = overrides.pop("id_number", None) or make_id_number()
    values = {
        "id_number": id_number,
        "name": "测试人" + random.choice("甲乙丙丁戊己庚辛"),
        "gender": "男" if int(id_number[16]) % 2 else "女",
        "birth_date": date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14])),
        "mobile": "139" + f"{random.randint(0, 99_999_999):08d}",
        "division_code": id_number[:6],
        "created_at": now(),
    }
    values.update(overrides)
    row = Person(**values)
    await row.save()
    return {**values, "id": row.id}


async def make_staff(
    app: Any,
    username: str = "reviewer1",
    password: str = "Review@2026",
    *,
    permissions: list[str] | tuple[str, ...] = (),
    scopes: dict[str, list[str]] | None = None,
    display_name: str = "审核员",
    **overrides: Any,
) -> dict[str, Any]:
    """A staff user with one role holding `permissions` and the given jurisdiction scopes."""
    user = StaffUser(
        username=username,
        display_name=display_name,
        password_hash=await app.state.passwords.hash(password),
        password_changed_at=now(),
        created_at=now(),
        **overrides,
    )
    await user.save()
    if permissions:
        role = Role(code=f"role_{username}", name=f"{display_name}角色", permissions=json.dumps(list(permissions)))
        await role.save()
        await StaffRole(staff=user.id, role=role.id).save()
    for kind, codes in (scopes or {"division": ["460000"]}).items():
        for code in codes:
            await StaffScope(staff=user.id, kind=kind, code=code).save()
    return {"id": user.id, "username": username, "password": password}
