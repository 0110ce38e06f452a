"""Staff sign-in rules: per-account lockout shared by every worker, password age, TOTP with single-use steps."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import segno

from portal import audit
from portal.auth.once import spend_once
from portal.auth.passwords import Passwords
from portal.auth.tables import LoginThrottle, StaffUser, UsedToken
from portal.db import fetch, write_transaction
from portal.settings import SecuritySettings

TOTP_ISSUER = "人社网上办事大厅"
# How long the half-authenticated state (password passed, TOTP pending) lasts.
PENDING_TTL_S = 5 * 60


def account_key(username: str) -> str:
    # Failures are keyed by the name typed, known or not, so unknown names lock exactly like real ones.
    return f"staff:{username.strip().lower()}"


def _now() -> datetime:
    return datetime.now(UTC)


# One statement, atomic on both engines (row lock on PostgreSQL, the writer lock on SQLite): count this attempt
# unless the account already used its attempts in the window. SET expressions read the row as it was. Reaching
# the limit moves window_start to now, so the lock lasts the whole window from the last counted attempt.
_T = LoginThrottle._meta.tablename
_RESERVE_SQL = (
    f'INSERT INTO "{_T}" ("account", "attempts", "window_start") VALUES ({{}}, 1, {{}}) '
    'ON CONFLICT ("account") DO UPDATE SET '
    f'"attempts" = CASE WHEN "{_T}"."window_start" <= {{}} THEN 1 ELSE "{_T}"."attempts" + 1 END, '
    f'"window_start" = CASE WHEN "{_T}"."window_start" <= {{}} OR "{_T}"."attempts" + 1 >= {{}} THEN {{}} '
    f'ELSE "{_T}"."window_start" END '
    f'WHERE "{_T}"."attempts" < {{}} OR "{_T}"."window_start" <= {{}} '
    'RETURNING "attempts"'
)


async def reserve_attempt(username: str, settings: SecuritySettings) -> int | None:
    """Count an attempt BEFORE its password is checked; its number in the window, or None when locked.

    Checking first and counting after let 150 parallel guesses through (issue #12): each read "not locked"
    before any failure was written. Here the count and the refusal are one statement, so at most
    `lockout_failures` passwords are ever checked per window, whatever the number of requests or workers.
    """
    now = _now()
    since = now - timedelta(seconds=settings.lockout_window_s)
    limit = settings.lockout_failures
    async with write_transaction():
        # Windows that ended count for nobody: prune them here instead of in a cron job.
        await LoginThrottle.delete().where(LoginThrottle.window_start < since)
        rows = await fetch(_RESERVE_SQL, account_key(username), now, since, since, limit, now, limit, since)
    return int(rows[0]["attempts"]) if rows else None


async def is_locked(username: str, settings: SecuritySettings) -> bool:
    since = _now() - timedelta(seconds=settings.lockout_window_s)
    return await LoginThrottle.exists().where(
        (LoginThrottle.account == account_key(username)) & (LoginThrottle.attempts >= settings.lockout_failures)
        & (LoginThrottle.window_start > since)
    )


async def audit_locked(username: str, ip: str) -> None:
    await audit.record(
        category="login", action="staff_login", ip=ip, result="locked", actor_name=username[:100],
        object_type="staff", object_id=username[:60],
    )


async def record_failure(
    username: str, ip: str, settings: SecuritySettings, attempts: int, *, step: str = "password"
) -> bool:
    """Audit a failed attempt (already counted by reserve_attempt) and the lockout it causes. True if locked now."""
    await audit.record(
        category="login", action="staff_login", ip=ip, result="failed", actor_name=username[:100],
        object_type="staff", object_id=username[:60], detail={"step": step, "failures": attempts},
    )
    if attempts == settings.lockout_failures:
        await audit.record(
            category="security", action="staff_lockout", ip=ip, result="locked", actor_name=username[:100],
            object_type="staff", object_id=username[:60],
            detail={"failures": attempts, "minutes": settings.lockout_window_s // 60},
        )
    return attempts >= settings.lockout_failures


async def release_attempt(username: str) -> None:
    """A right password before the TOTP step is not a failure: give its counted attempt back."""
    async with write_transaction():
        await LoginThrottle.update({LoginThrottle.attempts: LoginThrottle.attempts - 1}).where(
            (LoginThrottle.account == account_key(username)) & (LoginThrottle.attempts > 0)
        )


async def clear_failures(username: str) -> None:
    async with write_transaction():
        await LoginThrottle.delete().where(LoginThrottle.account == account_key(username))


@dataclass(frozen=True)
class Attempt:
    """The outcome of the password step; `user` only when the password matched an active account."""

    ok: bool
    locked: bool = False
    user: dict[str, Any] | None = None


async def check_password(
    passwords: Passwords, settings: SecuritySettings, username: str, password: str, ip: str
) -> Attempt:
    """Both unknown names and wrong passwords cost one argon2 verify and answer the same."""
    attempts = await reserve_attempt(username, settings)
    if attempts is None:
        await audit_locked(username, ip)
        return Attempt(ok=False, locked=True)
    user = await StaffUser.select(
        StaffUser.id, StaffUser.username, StaffUser.password_hash, StaffUser.active, StaffUser.totp_secret,
        StaffUser.must_change_password, StaffUser.password_changed_at,
    ).where(StaffUser.username == username).first()
    matched = await passwords.verify(user["password_hash"] if user else None, password)
    if matched and user and user["active"]:
        if passwords.needs_rehash(user["password_hash"]):
            # The argon2 cost was raised since this hash was made: upgrade it while we hold the password.
            new_hash = await passwords.hash(password)
            async with write_transaction():
                await StaffUser.update({StaffUser.password_hash: new_hash}).where(StaffUser.id == user["id"])
        return Attempt(ok=True, user=user)
    locked = await record_failure(username, ip, settings, attempts)
    return Attempt(ok=False, locked=locked)


def credential_stamp(user: dict[str, Any]) -> float:
    """When the password a session was opened with was set; a session carries it as `pw_at`."""
    changed = user.get("password_changed_at")
    return changed.timestamp() if changed is not None else 0.0


def session_predates_password(session: dict[str, Any], changed: datetime | None) -> bool:
    """True when the password changed after this session was opened: such a session ends (issue #12 item 2).

    Sessions made before `pw_at` existed fall back to their login time.
    """
    if changed is None:
        return False
    opened = session.get("pw_at", session.get("auth_at", 0))
    # Timestamps round-trip through the database with microseconds; allow a millisecond of float noise.
    return not isinstance(opened, int | float) or changed.timestamp() > opened + 0.001


def password_expired(user: dict[str, Any], settings: SecuritySettings) -> bool:
    """等保 asks for periodic change; ASVS does not (and advises against forcing it)."""
    if settings.password_policy != "dengbao" or settings.password_max_age_days <= 0:  # noqa: S105
        return False
    changed = user.get("password_changed_at")
    if changed is None:
        return True
    return _now() - changed > timedelta(days=settings.password_max_age_days)


async def login_succeeded(user: dict[str, Any], ip: str, *, second_factor: bool, method: str = "password") -> None:
    await clear_failures(user["username"])
    async with write_transaction():
        await StaffUser.update({StaffUser.last_login_at: _now()}).where(StaffUser.id == user["id"])
    await audit.record(
        category="login", action="staff_login", ip=ip, object_type="staff", object_id=user["id"],
        actor_name=user["username"], detail={"second_factor": second_factor, "method": method},
    )


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_qr(secret: str, username: str) -> str:
    """The otpauth:// URI as an inline SVG data: URL (no external request; CSP allows img data:)."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=TOTP_ISSUER)
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


async def verify_totp(uid: int, secret: str, code: str, *, at: float | None = None) -> bool:
    """A code valid now (±1 step of clock drift) and never used before by this user."""
    code = code.strip().replace(" ", "")
    if not secret or not code.isdigit() or len(code) != 6:
        return False
    totp = pyotp.TOTP(secret)
    now = time.time() if at is None else at
    for drift in (0, -1, 1):
        step_time = now + drift * totp.interval
        if totp.verify(code, for_time=int(step_time)):
            step = totp.timecode(datetime.fromtimestamp(step_time, UTC))
            return await _consume(f"totp:{uid}:{step}", uid)
    return False


async def _consume(value: str, owner: int) -> bool:
    # A TOTP step is only valid for ~90 s: older records can never be replayed, drop them.
    async with write_transaction():
        await UsedToken.delete().where((UsedToken.kind == "totp") & (UsedToken.at < _now() - timedelta(minutes=10)))
    return await spend_once("totp", value, owner=owner)
