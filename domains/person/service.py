"""Person use-cases other domains may call: the person Principal, the record, find-or-create at network login."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from domains.person.tables import Person
from portal.auth.principal import Principal
from portal.db import bulk_insert, fetch_keyed, reserve_ids, write_transaction
from portal.validators import id_birth_date, id_gender
from portal.workflow.feedback import unread_count_sql

# One round trip per request: the person and the header's unread count.
_PRINCIPAL_SQL = f"SELECT p.id, p.name, {unread_count_sql('person', 'p.id')} AS unread FROM person p WHERE p.id = {{}}"


async def get_person(person_id: int) -> dict[str, Any] | None:
    return await Person.select().where(Person.id == person_id).first()


async def get_by_id_number(id_number: str) -> dict[str, Any] | None:
    return await Person.select().where(Person.id_number == id_number).first()


async def find_or_create_for_network(*, id_number: str, name: str, mobile: str) -> tuple[dict[str, Any], bool]:
    """The person with this 身份证号 (ACC-4); created from the network's data when new, mobile kept current."""
    async with write_transaction():
        row = await Person.select().where(Person.id_number == id_number).first()
        if row is not None:
            if mobile and row["mobile"] != mobile:
                await Person.update({Person.mobile: mobile}).where(Person.id == row["id"])
            return {**row, "mobile": mobile or row["mobile"]}, False
        person = Person(
            id_number=id_number, name=name[:40], gender=id_gender(id_number), birth_date=id_birth_date(id_number),
            mobile=mobile, division_code=id_number[:6], created_at=datetime.now(UTC),
        )
        await person.save()
    return await get_person(person.id), True  # type: ignore[return-value]


async def load_person_principal(session: dict[str, Any]) -> Principal | None:
    person_id = session.get("person_id")
    if not isinstance(person_id, int):
        return None
    rows = await fetch_keyed(_PRINCIPAL_SQL, person_id)
    if not rows:
        return None
    row = rows[0]
    return Principal(
        kind="person",
        account_id=int(session.get("account_id") or 0),
        display_name=row["name"],
        person_id=row["id"],
        login_type=str(session.get("login_type", "")),
        realname_level=str(session.get("realname_level", "")),
        unread_messages=int(row["unread"]),
    )


# The message never repeats the name on record: an employer learns only whether the pair it typed matches.
NAME_MISMATCH = "姓名与该身份证号已登记的姓名不一致，请核对后重新输入"


def name_refusal(person: dict[str, Any] | None, typed: str) -> str | None:
    """An employer filing for a person the hall knows must type the name on record (the check of 身份证号 + 姓名)."""
    if person is not None and (typed or "").strip() != person["name"]:
        return NAME_MISMATCH
    return None


async def persons_by_id_number(id_numbers: set[str]) -> dict[str, dict[str, Any]]:
    """Known persons by 身份证号, one query per 500 numbers (whole-file checks of uploads)."""
    found: dict[str, dict[str, Any]] = {}
    values = sorted(id_numbers)
    for i in range(0, len(values), 500):
        rows = await Person.select().where(Person.id_number.is_in(values[i:i + 500]))
        found.update({r["id_number"]: r for r in rows})
    return found


async def ensure_persons(people: list[tuple[str, str, str]]) -> dict[str, int]:
    """ensure_person() for many (身份证号, name, mobile): the known ones read, the unknown ones inserted together
    (inside the caller's transaction); 身份证号 → person id."""
    known = {n: p["id"] for n, p in (await persons_by_id_number({n for n, _, _ in people})).items()}
    new = {n: (name, mobile) for n, name, mobile in people if n not in known}
    if new:
        ids = await reserve_ids(Person, len(new))
        now = datetime.now(UTC)
        await bulk_insert(Person, [
            {"id": i, "id_number": n, "name": name[:40], "gender": id_gender(n), "birth_date": id_birth_date(n),
             "mobile": mobile, "division_code": n[:6], "created_at": now}
            for i, (n, (name, mobile)) in zip(ids, new.items(), strict=True)])
        known.update(zip(new, ids, strict=True))
    return known


async def ensure_person(id_number: str, name: str, mobile: str = "") -> int:
    """The person's id, created from what the employer entered when unknown (inside the caller's transaction);
    a known person's record is never changed by an employer."""
    row = await Person.select(Person.id).where(Person.id_number == id_number).first()
    if row is not None:
        return row["id"]
    rows = await Person.insert(Person(
        id_number=id_number, name=name[:40], gender=id_gender(id_number), birth_date=id_birth_date(id_number),
        mobile=mobile, division_code=id_number[:6], created_at=datetime.now(UTC),
    )).returning(Person.id)
    return rows[0]["id"]
