"""Stored documents for staff: the domain's permission and the division in scope; every download audited
(issue #12 item 6, SECURITY 32)."""

from __future__ import annotations

from portal.core.tables import AuditLog
from portal.dataservices.certificates import store_document
from tests.support.factories import make_employer
from tests.support.urls import url_for

ROSTER = b"%PDF-1.4\n%roster with whole ID numbers 460105199001011234\n%%EOF\n"
CERT = b"%PDF-1.4\n%certificate\n%%EOF\n"


async def _documents():
    employer = await make_employer(division_code="460105")
    roster = await store_document(ROSTER, kind="roster", title="新签备案名册", owner_employer_id=employer["id"],
                                  division_code="460105")
    cert = await store_document(CERT, kind="certificate", title="解除证明", owner_employer_id=employer["id"],
                                division_code="460105")
    return employer, roster, cert


async def _staff(app, client, name, permissions, division="460000"):
    row = await client.sign_in_staff(name, permissions=permissions, scopes={"division": [division]})
    return row


async def test_lc_reviewer_in_the_division_opens_a_roster_and_it_is_audited(app, client):
    _, roster, cert = await _documents()
    staff = await _staff(app, client, "lcrev", ["lc.review"])
    r = await client.get(url_for("document_download", token=roster["token"]))
    assert r.status_code == 200 and r.content == ROSTER
    rows = await AuditLog.select().where(AuditLog.action == "document_download")
    assert len(rows) == 1 and rows[0]["actor_id"] == staff["id"] and rows[0]["object_id"] == str(roster["id"])
    assert rows[0]["category"] == "privacy" and "新签备案名册" in rows[0]["detail"]
    # The certificate belongs to 证书管理: an LC reviewer without that permission gets 404.
    assert (await client.get(url_for("document_download", token=cert["token"]))).status_code == 404


async def test_staff_without_the_domains_permission_or_outside_the_division_get_404(app, client, other_client):
    _, roster, cert = await _documents()
    await _staff(app, client, "nothing", [])
    assert (await client.get(url_for("document_download", token=roster["token"]))).status_code == 404
    await _staff(app, other_client, "elsewhere", ["lc.review", "certificate.revoke"], division="460200")
    for doc in (roster, cert):
        r = await other_client.get(url_for("document_download", token=doc["token"]))
        assert r.status_code == 404 and b"460105199001011234" not in r.content
    assert not await AuditLog.exists().where(AuditLog.action == "document_download")
    assert await AuditLog.count().where(
        (AuditLog.action == "document_denied") & (AuditLog.result == "denied")
    ) == 3


async def test_certificate_manager_opens_certificates_not_rosters(app, client):
    _, roster, cert = await _documents()
    await _staff(app, client, "certs", ["certificate.revoke"])
    assert (await client.get(url_for("document_download", token=cert["token"]))).status_code == 200
    assert (await client.get(url_for("document_download", token=roster["token"]))).status_code == 404
    assert await AuditLog.count().where(AuditLog.action == "document_download") == 1


async def test_the_owner_still_downloads_without_an_audit_row(app, client):
    employer, roster, _ = await _documents()
    await client.sign_in_employer(employer)
    assert (await client.get(url_for("document_download", token=roster["token"]))).status_code == 200
    assert not await AuditLog.exists().where(AuditLog.action == "document_download")
