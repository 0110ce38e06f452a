"""The sandbox network's signing keys: RS256, kept in var/ so the embedded and the standalone network agree."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey


class KeyRing:
    """The newest key signs; older ones stay published so tokens already issued still verify (rotation)."""

    def __init__(self, keys: list[RSAKey], path: Path | None = None) -> None:
        self.keys = keys
        self.path = path

    @classmethod
    def load(cls, path: Path) -> KeyRing:
        if path.exists():
            data = json.loads(path.read_text())
            return cls([RSAKey.import_key(k) for k in data["keys"]], path)
        ring = cls([], path)
        ring.rotate()
        return ring

    def rotate(self) -> RSAKey:
        """A new signing key; the old ones remain in the JWKS."""
        key = RSAKey.generate_key(2048, private=True)
        key.ensure_kid()
        self.keys.append(key)
        if self.path is not None:
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"keys": [k.as_dict(private=True) for k in self.keys]}))
            os.chmod(tmp, 0o600)
            tmp.replace(self.path)
        return key

    @property
    def current(self) -> RSAKey:
        return self.keys[-1]

    def public_jwks(self) -> dict[str, Any]:
        return {"keys": [{**k.as_dict(private=False), "use": "sig", "alg": "RS256"} for k in self.keys]}

    def sign(self, claims: dict[str, Any]) -> str:
        key = self.current
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)

    def verify(self, token: str) -> dict[str, Any]:
        """Claims of a token this network signed (signature only; callers check the claims they need)."""
        return jwt.decode(token, KeySet(self.keys), algorithms=["RS256"]).claims
