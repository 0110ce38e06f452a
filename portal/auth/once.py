"""One-time values (SSO codes, TOTP steps, 电子社保卡 codes): the UNIQUE index of UsedToken spends each once."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from portal.auth.tables import UsedToken
from portal.db import write_transaction


def digest(value: str) -> str:
    # Codes are bearer secrets: only their hash is kept.
    return hashlib.sha256(value.encode()).hexdigest()


async def spend_once(kind: str, value: str, *, owner: int | None = None) -> bool:
    """True the first time `value` is seen; False on any replay, also a concurrent one in another worker."""
    try:
        async with write_transaction():
            if await UsedToken.exists().where(UsedToken.value == value):
                return False
            await UsedToken.insert(UsedToken(kind=kind, value=value, at=datetime.now(UTC), owner=owner))
    except Exception as exc:  # a concurrent insert of the same value lost the race on the UNIQUE index
        if "unique" in str(exc).lower() or "duplicate" in str(exc).lower():
            return False
        raise
    return True
