"""ACC-8 beyond the pages: an agent's 消息中心 and stored documents leave out the services it is not authorised for."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from portal.dataservices.certificates import store_document
from portal.dataservices.tables import Certificate
from portal.workflow import kinds
from portal.workflow.tables import Matter, Message
from tests.employer.test_agent_rights import sign_in_agent
from tests.support.factories import make_employer
from tests.support.urls import url_for

_numbers = itertools.count(1)


def _kind_of(right: str) -> str:
    """A matter kind of the area whose agent right is `right`."""
    others = set(kinds.kinds_outside(frozenset({right})))
    return next(k.code for k in kinds.all_kinds() if k.code not in others and k.code in kinds.kinds_outside(frozenset()))


async def _matter_with_message(employer: dict, kind: str, title: str) -> None:
    now = datetime.now(UTC)
    matter = Matter(number=f"T{next(_numbers):08d}", kind=kind, state="submitted", applicant_kind="employer",
                    employer=employer["id"], applicant_name=employer["name"], created_at=now, updated_at=now,
                    submitted_at=now)
    await matter.save()
    await Message(employer=employer["id"], matter=matter.id, title=title, created_at=now).save()


async def _certificate(employer: dict, kind: str) -> str:
    doc = await store_document(b"%PDF-1.4\n%%EOF\n", kind="certificate", title=kind, owner_employer_id=employer["id"])
    await Certificate(code=f"C{next(_numbers):010d}", kind=kind, title=kind, owner_employer_id=employer["id"],
                      document_token=doc["token"], issued_at=datetime.now(UTC)).save()
    return url_for("document_download", token=doc["token"])


async def test_an_agent_without_a_service_neither_reads_its_messages_nor_opens_its_documents(app, client,
                                                                                             other_client):
    employer = await make_employer()
    await _matter_with_message(employer, _kind_of("labor_contract"), "劳动合同备案审核通过")
    await _matter_with_message(employer, _kind_of("social_insurance"), "增员审核通过")
    now = datetime.now(UTC)
    await Message(employer=employer["id"], title="系统通知：办事大厅维护", created_at=now).save()
    lc_cert = await _certificate(employer, "lc_new_roster")
    si_cert = await _certificate(employer, "pc_enrol_report")

    await sign_in_agent(client, employer, "social_insurance")
    page = (await client.page(url_for("messages"))).get_text()
    assert "增员审核通过" in page and "系统通知" in page and "劳动合同备案审核通过" not in page
    header = await client.page(url_for("home"))
    assert header.select_one(".app-banner .app-count").get_text() == "2"
    assert (await client.get(si_cert)).status_code == 200
    assert (await client.get(lc_cert)).status_code == 404

    # The legal representative reads and opens everything.
    await other_client.sign_in_employer(employer)
    page = (await other_client.page(url_for("messages"))).get_text()
    assert "劳动合同备案审核通过" in page and "增员审核通过" in page
    assert (await other_client.get(lc_cert)).status_code == 200
