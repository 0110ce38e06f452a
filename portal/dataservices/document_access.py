"""Which staff may open a stored document: the permission its domain registered, inside their divisions."""

from __future__ import annotations

from typing import Any

from portal.auth.principal import Principal, division_clause
from portal.dataservices.tables import StoredDocument

# StoredDocument.kind → the staff permissions that open documents of that kind. A kind nobody registered is
# for its owner (employer or person) only.
_PERMISSIONS: dict[str, frozenset[str]] = {}


def register_document_kind(kind: str, *permissions: str) -> None:
    """A domain names, once, which staff permission opens its stored documents (e.g. rosters: lc.review)."""
    _PERMISSIONS[kind] = _PERMISSIONS.get(kind, frozenset()) | frozenset(permissions)


def staff_scope(principal: Principal) -> Any:
    """A where-clause on StoredDocument for a staff member, or None (nothing): kind by permission × division."""
    kinds = sorted(kind for kind, permissions in _PERMISSIONS.items() if principal.permissions & permissions)
    divisions = division_clause(principal, StoredDocument.division_code)
    if not kinds or divisions is None:
        return None
    return StoredDocument.kind.is_in(kinds) & divisions
