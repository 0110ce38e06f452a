"""The sandbox network's state: one-time grants (codes, tickets, reset codes), access tokens and login sessions."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from portal.db import write_transaction
from sso.sandbox.tables import NetGrant, NetSession, NetSms, NetUser

CODE_TTL_S = 60  # codes and tickets: single use, 60 seconds
TOKEN_TTL_S = 600
RESET_TTL_S = 600
SESSION_TTL_S = 30 * 60


def digest(value: str) -> str:
    # Only hashes are stored: a database dump hands out no live code, token or session.
    return hashlib.sha256(value.encode()).hexdigest()


def now() -> datetime:
    return datetime.now(UTC)


async def issue_grant(kind: str, user_id: int, *, ttl_s: int, prefix: str = "", **fields: Any) -> str:
    value = prefix + secrets.token_urlsafe(32)
    async with write_transaction():
        await NetGrant.insert(
            NetGrant(kind=kind, value_hash=digest(value), user=user_id, expires_at=now() + timedelta(seconds=ttl_s),
                     **fields)
        )
    return value


async def consume_grant(kind: str, value: str) -> dict[str, Any] | None:
    """Mark a one-time grant used and return it; None when unknown, expired or already used (atomically)."""
    if not value:
        return None
    async with write_transaction():
        rows = await NetGrant.update({NetGrant.used_at: now()}).where(
            (NetGrant.value_hash == digest(value)) & (NetGrant.kind == kind) & NetGrant.used_at.is_null()
            & (NetGrant.expires_at > now())
        ).returning(*NetGrant.all_columns())
    return rows[0] if rows else None


async def peek_grant(kind: str, value: str) -> dict[str, Any] | None:
    """A reusable grant (an access token) that is still valid."""
    if not value:
        return None
    return await NetGrant.select().where(
        (NetGrant.value_hash == digest(value)) & (NetGrant.kind == kind) & (NetGrant.expires_at > now())
    ).first()


async def start_session(user_id: int, agent_id: int | None, login_type: str) -> str:
    token = secrets.token_urlsafe(32)
    async with write_transaction():
        await NetSession.insert(
            NetSession(token_hash=digest(token), user=user_id, agent=agent_id, login_type=login_type,
                       expires_at=now() + timedelta(seconds=SESSION_TTL_S))
        )
    return token


async def session_for(token: str | None) -> dict[str, Any] | None:
    if not token:
        return None
    return await NetSession.select().where(
        (NetSession.token_hash == digest(token)) & (NetSession.expires_at > now())
    ).first()


async def end_session(token: str | None) -> None:
    if token:
        async with write_transaction():
            await NetSession.delete().where(NetSession.token_hash == digest(token))


async def get_user(user_id: int | None) -> dict[str, Any] | None:
    if user_id is None:
        return None
    return await NetUser.select().where(NetUser.id == user_id).first()


async def find_user(kind: str, login_name: str) -> dict[str, Any] | None:
    return await NetUser.select().where((NetUser.login_name == login_name) & (NetUser.kind == kind)).first()


async def send_sms(mobile: str, text: str) -> None:
    async with write_transaction():
        await NetSms.insert(NetSms(mobile=mobile, text=text, created_at=now()))


def new_subject() -> str:
    return "sbx-" + secrets.token_hex(12)


MAX_RESET_FAILURES = 5


async def redeem_reset(user_id: int, code: str) -> str:
    """"ok" when `code` is the user's live reset code (now spent); "bad"; "locked" after 5 wrong codes."""
    async with write_transaction():
        failures = await NetGrant.count().where(
            (NetGrant.kind == "resetfail") & (NetGrant.user == user_id) & (NetGrant.expires_at > now())
        )
        if failures >= MAX_RESET_FAILURES:
            # Six digits can be guessed: after five misses every outstanding code is burnt.
            await NetGrant.update({NetGrant.used_at: now()}).where(
                (NetGrant.kind == "reset") & (NetGrant.user == user_id) & NetGrant.used_at.is_null()
            )
            return "locked"
        rows = await NetGrant.update({NetGrant.used_at: now()}).where(
            (NetGrant.kind == "reset") & (NetGrant.user == user_id) & NetGrant.used_at.is_null()
            & (NetGrant.nonce == digest(code)) & (NetGrant.expires_at > now())
        ).returning(NetGrant.id)
        if rows:
            return "ok"
        await NetGrant.insert(NetGrant(kind="resetfail", value_hash=digest(secrets.token_urlsafe(16)), user=user_id,
                                       expires_at=now() + timedelta(seconds=RESET_TTL_S)))
        return "bad"
