"""Person use-cases other domains may call: loading the person Principal, reading the record."""

from __future__ import annotations

from typing import Any

from domains.person.tables import Person
from portal.auth.principal import Principal, register_loader


async def get_person(person_id: int) -> dict[str, Any] | None:
    return await Person.select().where(Person.id == person_id).first()


async def load_person_principal(session: dict[str, Any]) -> Principal | None:
    person_id = session.get("person_id")
    if not isinstance(person_id, int):
        return None
    row = await Person.select(Person.id, Person.name).where(Person.id == person_id).first()
    if row is None:
        return None
    return Principal(
        kind="person",
        account_id=int(session.get("account_id") or 0),
        display_name=row["name"],
        person_id=row["id"],
        login_type=str(session.get("login_type", "")),
        realname_level=str(session.get("realname_level", "")),
    )


register_loader("person", load_person_principal)
