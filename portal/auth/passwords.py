"""argon2id hashing with bounded concurrency, and the password policy (等保 or ASVS) as a setting."""

from __future__ import annotations

import asyncio
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from portal.settings import SecuritySettings


class Passwords:
    """One per app: hashing runs in threads, at most `max_concurrent_hashes` at once (a login flood waits)."""

    def __init__(self, settings: SecuritySettings) -> None:
        self._hasher = PasswordHasher(time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_cost)
        self._gate = asyncio.Semaphore(settings.max_concurrent_hashes)
        # Verifying against this when the user does not exist makes both cases cost the same time.
        self._dummy = self._hasher.hash("not-a-real-password-0")
        self.policy = settings.password_policy

    async def hash(self, password: str) -> str:
        async with self._gate:
            return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        async with self._gate:
            return await asyncio.to_thread(self._verify_sync, stored_hash or self._dummy, password) and bool(
                stored_hash
            )

    def _verify_sync(self, stored_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)


# A short list of the most breached passwords; ASVS asks to refuse them.
BREACHED = frozenset(
    """123456 123456789 12345678 password qwerty123 1q2w3e4r 111111 12345 1234567890 123123 000000 abc123
    password1 iloveyou 1234567 qwerty qwertyuiop 654321 666666 888888 a123456 123456a woaini1314 5201314
    admin123 admin@123 Admin@123 P@ssw0rd Passw0rd! Aa123456 Aa123456! Qwer1234 qwer1234 abcd1234 Abcd1234
    abc@123 Abc@123 Abc12345 Password1 Password@1 Password123 huawei@123 Huawei@123 Root@123 root123
    Welcome1 Welcome@1 Test@123 test1234 zxcvbnm asdfghjkl 1qaz2wsx 1qaz@WSX 1QAZ2wsx""".split()
)


def password_problems(password: str, policy: str, *, username: str = "") -> list[str]:
    """Chinese reasons the password is refused; empty when it is acceptable."""
    problems: list[str] = []
    if policy == "asvs":
        if len(password) < 12:
            problems.append("密码长度至少12位")
        if len(password) > 128:
            problems.append("密码长度不能超过128位")
        if password in BREACHED or password.lower() in {p.lower() for p in BREACHED}:
            problems.append("该密码已在泄露密码库中出现，请换一个")
    else:
        if len(password) < 8:
            problems.append("密码长度至少8位")
        kinds = sum(
            bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]")
        )
        if kinds < 3:
            problems.append("密码须包含大写字母、小写字母、数字、特殊字符中的至少3类")
    if username and username.lower() in password.lower():
        problems.append("密码不能包含用户名")
    return problems
