"""Server-side sessions in the database: rotated at login, never adopted from the client, written only on change."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.stores.base import Store
from litestar.types import Empty, Message, ScopeSession

from portal.auth.tables import SessionRecord
from portal.db import fetch_keyed, write_transaction

ROTATE_KEY = "_rotate"
# Scope key set when the request carried a session that no longer holds: "timeout" or "ended".
SESSION_LOST_KEY = "_portal_session_lost"
# Renew the idle expiry at most this often, so reading a page is not a database write.
_RENEW_GRANULARITY_S = 60


def _hash_key(key: str) -> str:
    # The table holds a hash of the id: a leaked database dump does not hand out live sessions.
    return hashlib.sha256(key.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


class DatabaseStore(Store):
    """A Litestar store backed by the SessionRecord table, shared by every worker."""

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        if isinstance(value, bytes):
            value = value.decode()
        expires_at = None
        if expires_in is not None:
            seconds = expires_in.total_seconds() if isinstance(expires_in, timedelta) else expires_in
            expires_at = _now() + timedelta(seconds=seconds)
        hashed = _hash_key(key)
        async with write_transaction():
            updated = (
                await SessionRecord.update({SessionRecord.value: value, SessionRecord.expires_at: expires_at})
                .where(SessionRecord.key == hashed)
                .returning(SessionRecord.id)
            )
            if not updated:
                await SessionRecord.insert(SessionRecord(key=hashed, value=value, expires_at=expires_at))

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        hashed = _hash_key(key)
        # Every request reads its session: a raw statement skips the ORM's query building (~0.1 ms).
        rows = await fetch_keyed("SELECT value, expires_at FROM session_record WHERE key = {}", hashed)
        if not rows:
            return None
        row = rows[0]
        now = _now()
        expires_at = row["expires_at"]
        if expires_at is not None and expires_at <= now:
            await self.delete(key)
            return None
        if renew_for is not None and expires_at is not None:
            seconds = renew_for.total_seconds() if isinstance(renew_for, timedelta) else renew_for
            new_expiry = now + timedelta(seconds=seconds)
            if (new_expiry - expires_at).total_seconds() > _RENEW_GRANULARITY_S:
                async with write_transaction():
                    await SessionRecord.update({SessionRecord.expires_at: new_expiry}).where(
                        SessionRecord.key == hashed
                    )
        return row["value"].encode()

    async def delete(self, key: str) -> None:
        async with write_transaction():
            await SessionRecord.delete().where(SessionRecord.key == _hash_key(key))

    async def delete_all(self) -> None:
        async with write_transaction():
            await SessionRecord.delete(force=True)

    async def exists(self, key: str) -> bool:
        return await SessionRecord.exists().where(SessionRecord.key == _hash_key(key))

    async def expires_in(self, key: str) -> int | None:
        row = await SessionRecord.select(SessionRecord.expires_at).where(SessionRecord.key == _hash_key(key)).first()
        if row is None or row["expires_at"] is None:
            return None
        return int((row["expires_at"] - _now()).total_seconds())

    @staticmethod
    async def purge_expired() -> None:
        async with write_transaction():
            await SessionRecord.delete().where(SessionRecord.expires_at < _now())


class RotatingSessionBackend(ServerSideSessionBackend):
    """Litestar's backend keeps whatever id the client sends; this one rotates and refuses unknown ids."""

    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if session_id := connection.cookies.get(self.config.key):
            store = self.config.get_store_from_app(connection.scope["app"])
            raw = await self.get(session_id, store=store)
            if raw is not None:
                data = self.deserialize_data(raw)
                connection.scope["_portal_session"] = (session_id, raw)
            else:  # expired (idle limit) or ended elsewhere: the login page says why (portal.errors)
                connection.scope[SESSION_LOST_KEY] = "timeout"
        return data

    def _known_id(self, connection: ASGIConnection) -> str | None:
        known = connection.scope.get("_portal_session")
        return known[0] if known else None

    async def store_in_message(self, scope_session: ScopeSession, message: Message, connection: ASGIConnection) -> None:
        from litestar.datastructures import Cookie, MutableScopeHeaders
        from litestar.utils.dataclass import extract_dataclass_items

        store = self.config.get_store_from_app(connection.scope["app"])
        headers = MutableScopeHeaders.from_message(message)
        cookie_params = dict(extract_dataclass_items(self.config, exclude_none=True, include=Cookie.__dict__.keys()))
        # A browser-session cookie: the idle and absolute limits are enforced on the server.
        cookie_params.pop("max_age", None)
        known_id = self._known_id(connection)

        if scope_session is Empty or not scope_session:
            if known_id:
                await self.delete(known_id, store=store)
            if connection.cookies.get(self.config.key):
                headers.add(
                    "Set-Cookie", Cookie(value="", key=self.config.key, expires=0, **cookie_params).to_header(header="")
                )
            return

        rotate = bool(scope_session.pop(ROTATE_KEY, False))
        session_id = known_id
        if rotate or session_id is None:
            if session_id is not None:
                await self.delete(session_id, store=store)
            session_id = secrets.token_urlsafe(self.config.session_id_bytes)
        serialised = self.serialize_data(scope_session, connection.scope)
        unchanged = known_id == session_id and connection.scope["_portal_session"][1] == serialised
        if not unchanged:
            await self.set(session_id=session_id, data=serialised, store=store)
            headers.add(
                "Set-Cookie", Cookie(value=session_id, key=self.config.key, **cookie_params).to_header(header="")
            )


@dataclass
class PortalSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend


def start_session(request: Request, data: dict) -> None:
    """Replace the session: new id (ROTATE), new CSRF token, login time for the absolute timeout."""
    request.scope["session"] = {**data, "auth_at": time.time(), ROTATE_KEY: True}


def rotate_csrf(response: Response, request: Request) -> None:
    response.delete_cookie("csrftoken", path="/")
