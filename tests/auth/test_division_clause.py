"""division_clause: the SQL twin of Principal.covers_division, written as ranges, on both engines."""

from __future__ import annotations

from datetime import UTC, datetime

from portal.auth.principal import Principal, division_clause
from portal.dataservices.tables import StoredDocument

CODES = ["460000", "460100", "460105", "460105001", "460106", "460199", "460200", "460201", "469000", "469001",
         "469027", "469100", "470100", "46", "4601", "450105", "", "460"]


def _staff(*divisions: str) -> Principal:
    return Principal(kind="staff", account_id=1, display_name="甲", scopes={"division": divisions})


async def test_rows_found_are_exactly_the_covered_codes():
    now = datetime.now(UTC)
    for i, code in enumerate(CODES):
        await StoredDocument(token=f"t{i}", kind="receipt", title="x", division_code=code, sha256="0" * 64,
                             storage_path="x", created_at=now).save()
    for scopes in (("460000",), ("460100",), ("460105",), ("469000",), ("460105", "460200"), ("469001", "460106")):
        principal = _staff(*scopes)
        rows = await StoredDocument.select(StoredDocument.division_code).where(
            division_clause(principal, StoredDocument.division_code))
        assert sorted(r["division_code"] for r in rows) == sorted(c for c in CODES if principal.covers_division(c)), scopes


def test_no_division_scope_is_no_clause():
    assert division_clause(_staff(), StoredDocument.division_code) is None
    assert division_clause(_staff(""), StoredDocument.division_code) is None
