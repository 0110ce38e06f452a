"""The 名录's listing (HRA-13): one hra_register row per listed agency or branch, derived from the records and kept
in step by every writer that changes what the 名录 shows (refresh(), inside the writer's transaction). Derived on
each page view, the union of agencies and branches was sorted whole before its first 20 rows, and PostgreSQL
JIT-compiled that query every time (p95 357 ms over nine searches on the 20,000-agency set with branches, issue #21,
bench/README.md); the table is read through indexes that serve the order and the region (and, on PostgreSQL,
trigram indexes for 名称/服务事项 contains).

Listed: an active agency holding a valid licence or filing, and the branches of such an agency. A branch carries its
parent's licence and services and shows its name with its parent's; `uid` keeps agencies (2·id) and branches
(2·id + 1) apart for paging."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from portal.db import current_engine, fetch, is_sqlite

COLUMNS = ("uid", "holder", "name", "division_code", "region", "address", "services_label", "licence_no",
           "valid_until", "filing_no")

# Each arm carries what it shows; `{where}` narrows both to some agencies (a refresh) or to none (a rebuild). One
# licence per organisation even if the data ever held two valid ones: a second would repeat the uid.
_ARM = ("SELECT {uid} AS uid, a.id AS holder, {name} AS name, {org}.division_code AS division_code, "
        "{org}.address AS address, a.services_label AS services_label, {status} AS status, "
        "l.licence_no AS licence_no, l.valid_until AS valid_until FROM {source} "
        "LEFT JOIN hra_licence l ON l.id = (SELECT MIN(v.id) FROM hra_licence v WHERE v.agency = a.id "
        "AND v.status = 'valid') WHERE {where}")
_VALID_FILING = "FROM hra_filing f WHERE f.agency = org.holder AND f.status = 'valid'"


def _select(where: str) -> str:
    organisations = _ARM.format(
        uid="a.id * 2", name="a.name", org="a", status="a.status", source="hra_agency a", where=where,
    ) + " UNION ALL " + _ARM.format(
        uid="b.id * 2 + 1", name="b.name || '（分支机构，总机构：' || a.name || '）'", org="b",
        status="CASE WHEN b.status = 'active' THEN a.status ELSE b.status END",
        source="hra_branch b JOIN hra_agency a ON a.id = b.agency", where=where,
    )
    return ("SELECT org.uid AS uid, org.holder AS holder, org.name AS name, org.division_code AS division_code, "
            "substr(org.division_code, 1, 4) || '00' AS region, org.address AS address, "
            "org.services_label AS services_label, COALESCE(org.licence_no, '') AS licence_no, "
            "org.valid_until AS valid_until, "
            f"COALESCE((SELECT MIN(f.filing_no) {_VALID_FILING}), '') AS filing_no FROM ({organisations}) AS org "
            f"WHERE org.status = 'active' AND (org.licence_no IS NOT NULL OR EXISTS (SELECT 1 {_VALID_FILING}))")


_INSERT = f"INSERT INTO hra_register ({', '.join(COLUMNS)}) "
CHUNK = 500  # agencies per statement: ~1,000 bound values, far below either engine's limit


async def refresh(agency_ids: Iterable[int]) -> None:
    """Derive again the rows of these agencies and their branches; call it inside the transaction of every write
    that changes an agency's name, address, division or status, its licences, filings or services, or its
    branches (tests write straight into the tables now and then: they call it too)."""
    ids = sorted({int(i) for i in agency_ids})
    postgres = not is_sqlite(current_engine())
    for start in range(0, len(ids), CHUNK):
        part = ids[start:start + CHUNK]
        marks = ", ".join("{}" for _ in part)
        if postgres:
            # Two writers refreshing one agency at once: the second waits here for the first to commit, then reads
            # and replaces what it wrote (else its INSERT would collide with the first's rows). NO KEY UPDATE, not
            # UPDATE: a branch insert holds KEY SHARE on its parent, and two of those must not deadlock here.
            await fetch(f"SELECT id FROM hra_agency WHERE id IN ({marks}) ORDER BY id FOR NO KEY UPDATE", *part)
        await fetch(f"DELETE FROM hra_register WHERE holder IN ({marks})", *part)
        await fetch(_INSERT + _select(f"a.id IN ({marks})"), *part, *part)


def rebuild_statements() -> list[str]:
    """The whole listing derived again (plain SQL, for the bulk loaders and the migration that fills it)."""
    return ["DELETE FROM hra_register", _INSERT + _select("1 = 1")]


async def stale() -> list[int]:
    """uids whose listing row differs from what the records give (missing, extra or changed): empty when every
    writer kept the table in step. The tests' check after each kind of write."""
    derived = await fetch(_select("1 = 1"))
    stored = await fetch(f"SELECT {', '.join(COLUMNS)} FROM hra_register")
    want = {int(r["uid"]): _plain(r) for r in derived}
    have = {int(r["uid"]): _plain(r) for r in stored}
    return sorted(uid for uid in want.keys() | have.keys() if want.get(uid) != have.get(uid))


def _plain(row: dict[str, Any]) -> tuple:
    return tuple(None if row[c] is None else str(row[c]) for c in COLUMNS)
