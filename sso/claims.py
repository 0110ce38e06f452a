"""Claim mapping by settings: which claim of the network carries the USCC, the ID number, the user type …"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from portal.settings import SSOSettings
from sso.providers import NetworkError, NetworkIdentity

# The portal's field → the claim that carries it, for a network that uses the standard names (and the sandbox).
DEFAULT_CLAIMS = {
    "user_type": "user_type", "name": "name", "org_name": "name", "id_number": "id_number",
    "mobile": "phone_number", "uscc": "uscc", "legal_rep": "legal_rep", "agent_name": "agent_name",
    "agent_id_type": "agent_id_type", "agent_id_number": "agent_id_number", "agent_mobile": "agent_phone_number",
    "login_type": "login_type", "realname_level": "acr",
}
LEVELS = ("L0", "L1", "L2", "L3")


def pairs(raw: str) -> dict[str, str]:
    """"a=b,c=d" → {"a": "b", "c": "d"}; a value may list alternatives with "|" (kept as one string)."""
    out: dict[str, str] = {}
    for part in raw.split(","):
        if part.strip():
            key, sep, value = part.partition("=")
            if not sep:
                raise ValueError(f"expected name=value, got {part!r}")
            out[key.strip()] = value.strip()
    return out


@dataclass(frozen=True)
class ClaimMap:
    claims: Mapping[str, str]
    legal_values: frozenset[str]
    natural_values: frozenset[str]
    agent_values: frozenset[str]
    levels: Mapping[str, str]  # the network's value → L1/L2/L3

    @classmethod
    def from_settings(cls, s: SSOSettings) -> ClaimMap:
        return _claim_map(s.claims, s.user_types, s.agent_login_types, s.realname_levels)


@lru_cache(maxsize=16)
def _claim_map(claims: str, user_types: str, agent_types: str, levels: str) -> ClaimMap:
    mapping = {**DEFAULT_CLAIMS, **pairs(claims)}
    unknown = set(mapping) - set(DEFAULT_CLAIMS)
    if unknown:
        raise ValueError(f"PORTAL_SSO_CLAIMS names unknown fields: {sorted(unknown)}")
    types = pairs(user_types)
    level_map: dict[str, str] = {}
    for level, values in pairs(levels).items():
        if level not in LEVELS:
            raise ValueError(f"PORTAL_SSO_REALNAME_LEVELS: {level!r} is not one of {LEVELS}")
        level_map.update({v: level for v in values.split("|")})
    return ClaimMap(
        claims=mapping,
        legal_values=frozenset(types.get("legal", "legal").split("|")),
        natural_values=frozenset(types.get("natural", "natural").split("|")),
        agent_values=frozenset(v.strip() for v in agent_types.split(",") if v.strip()),
        levels=level_map,
    )


def _get(claims: Mapping[str, Any], path: str) -> Any:
    """A claim by name; "a.b" reaches into a nested object (some networks group the company's fields)."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _text(claims: Mapping[str, Any], cmap: ClaimMap, field: str) -> str:
    value = _get(claims, cmap.claims[field])
    return "" if value is None or isinstance(value, (dict, list)) else str(value).strip()


def level_of(cmap: ClaimMap, raw: str) -> str:
    """The portal's real-name level (L0 when the network's value is unknown or missing)."""
    return cmap.levels.get(raw, "L0")


def identity_from_claims(claims: Mapping[str, Any], cmap: ClaimMap) -> NetworkIdentity:
    user_type = _text(claims, cmap, "user_type")
    if user_type in cmap.legal_values:
        kind = "employer"
    elif user_type in cmap.natural_values:
        kind = "person"
    elif not user_type:
        # No user-type claim: a credit code means a legal person.
        kind = "employer" if _text(claims, cmap, "uscc") else "person"
    else:
        raise NetworkError("政务服务网返回的用户类型无法识别，无法登录。", f"unknown user type {user_type[:20]!r}")
    raw_login = _text(claims, cmap, "login_type")
    login_type = "agent" if raw_login in cmap.agent_values else "password"
    level = level_of(cmap, _text(claims, cmap, "realname_level"))
    subject = str(claims.get("sub") or "")
    if kind == "person":
        return NetworkIdentity(
            subject=subject, kind="person", name=_text(claims, cmap, "name"),
            id_number=_text(claims, cmap, "id_number"), mobile=_text(claims, cmap, "mobile"),
            login_type=login_type, realname_level=level,
        )
    return NetworkIdentity(
        subject=subject, kind="employer", name=_text(claims, cmap, "org_name"), uscc=_text(claims, cmap, "uscc"),
        legal_rep=_text(claims, cmap, "legal_rep"), agent_name=_text(claims, cmap, "agent_name"),
        agent_id_type=_text(claims, cmap, "agent_id_type"), agent_id_number=_text(claims, cmap, "agent_id_number"),
        agent_mobile=_text(claims, cmap, "agent_mobile"), login_type=login_type, realname_level=level,
    )


def meets_minimum(level: str, minimum: str) -> bool:
    rank = {name: i for i, name in enumerate(LEVELS)}
    return rank.get(level, 0) >= rank.get(minimum or "L0", 0)
