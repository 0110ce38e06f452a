"""实时名册 (LC-9) and 已办业务名册查询 (LC-10): pick approved filings, save first, then the same PDF every time."""

import subprocess
import tempfile
from pathlib import Path

from domains.labor_contract import service
from domains.labor_contract.tables import Contract, Roster
from portal.core.tables import AuditLog
from tests.labor_contract.support import cleaned, employer_principal, review
from tests.support.factories import make_employer
from tests.support.urls import url_for


def pdf_text(data: bytes) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.pdf"
        path.write_bytes(data)
        out = subprocess.run(["/usr/bin/pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    return "".join(out.split())  # table cells may wrap: compare without whitespace


async def approved(employer, name):
    filed = await service.file_new(employer_principal(employer), cleaned(worker_name=name))
    await review(filed["id"])
    return filed["id"]


async def test_generate_save_then_print_the_new_roster(client):
    employer = await make_employer(name="海南椰风科技有限公司", review_agency="460105")
    first, second = await approved(employer, "名册甲"), await approved(employer, "名册乙")
    pending = await service.file_new(employer_principal(employer), cleaned(worker_name="未审丙"))
    await client.sign_in_employer(employer)

    pick = await client.page(url_for("lc_roster_pick", {"state": "new"}))
    names = pick.find(attrs={"data-testid": "lc-roster-candidates"}).get_text()
    assert "名册甲" in names and "名册乙" in names and "未审丙" not in names

    # An unreviewed filing cannot be put on a roster, even by a hand-made request.
    refused = await client.post_form(url_for("lc_roster_preview"),
                                     {"kind": "new_roster", "ids": [str(first), str(pending["id"])]})
    assert "只有审核通过的备案才能生成名册" in refused.text
    wrong_kind = await client.post_form(url_for("lc_roster_preview"), {"kind": "renew_roster", "ids": [str(first)]})
    assert "续签备案名册只能选择合同状态为续订的备案" in wrong_kind.text

    preview = await client.post_form(url_for("lc_roster_preview"), {"kind": "new_roster", "ids": [str(first), str(second)]})
    assert preview.status_code == 200
    assert "名册尚未保存" in preview.text and 'disabled aria-disabled="true">打印' in preview.text
    assert await Roster.count() == 0  # previewing saves nothing

    saved = await client.post_form(url_for("lc_rosters"), {"kind": "new_roster", "ids": [str(first), str(second)]})
    assert saved.status_code == 303
    detail = await client.page(saved.headers["location"])
    roster = await Roster.select().first()
    assert roster["number"].startswith("XQ") and roster["item_count"] == 2
    assert roster["number"] in detail.find(attrs={"data-testid": "lc-roster-saved"}).get_text()
    assert {r["in_roster"] for r in await Contract.select(Contract.in_roster).where(Contract.id.is_in([first, second]))} == {True}
    again = await client.post_form(url_for("lc_rosters"), {"kind": "new_roster", "ids": [str(first)]})
    assert "已生成过新签备案名册" in again.text

    pdf = await client.get(url_for("lc_roster_pdf", {"download": "1"}, roster_id=roster["id"]))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("attachment")
    text = pdf_text(pdf.content)
    assert await AuditLog.count().where(
        (AuditLog.action == "lc.roster_print") & (AuditLog.object_id == str(roster["id"]))) == 1
    for expected in ("新签备案名册", "海南椰风科技有限公司", "海口市秀英区人力资源和社会保障局", "名册甲", "名册乙",
                     roster["number"], "第1页共1页"):
        assert expected in text, expected
    # LC-10: the saved roster is listed and reprints the very same bytes.
    listing = await client.page(url_for("lc_rosters", {"kind": "new_roster"}))
    assert roster["number"] in listing.find(attrs={"data-testid": "lc-rosters"}).get_text()
    by_person = await client.page(url_for("lc_rosters", {"worker_name": "名册乙"}))
    assert roster["number"] in by_person.get_text()
    reprint = await client.get(url_for("lc_roster_pdf", roster_id=roster["id"]))
    assert reprint.content == pdf.content and reprint.headers["content-disposition"].startswith("inline")


async def test_termination_certificate_lists_each_worker(client):
    employer = await make_employer()
    first = await approved(employer, "解除丁")
    await Contract.update({Contract.in_roster: True}).where(Contract.id == first)
    ended = await service.file_terminate(employer_principal(employer), first, {
        "termination_date": cleaned()["start_date"], "termination_reason": "02", "compensation": 1234567})
    await review(ended["id"])
    await client.sign_in_employer(employer)
    saved = await client.post_form(url_for("lc_rosters"), {"kind": "termination_certificate", "ids": [str(ended["id"])]})
    assert saved.status_code == 303
    roster = await Roster.select().first()
    text = pdf_text((await client.get(url_for("lc_roster_pdf", roster_id=roster["id"]))).content)
    assert "解除(终止)劳动合同证明书" in text and "解除丁" in text and "12,345.67" in text
    # The same filing may also go on the 解除(终止)备案名册, once.
    saved = await client.post_form(url_for("lc_rosters"), {"kind": "termination_roster", "ids": [str(ended["id"])]})
    assert saved.status_code == 303


async def test_rosters_and_termination_certificates_carry_a_verification_code_and_qr(client, other_client):
    from portal.dataservices.tables import Certificate

    employer = await make_employer()
    first = await approved(employer, "证明戊")
    await Contract.update({Contract.in_roster: True}).where(Contract.id == first)
    ended = await service.file_terminate(employer_principal(employer), first, {
        "termination_date": cleaned()["start_date"], "termination_reason": "12", "compensation": None})
    await review(ended["id"])
    await client.sign_in_employer(employer)
    await client.post_form(url_for("lc_rosters"), {"kind": "termination_certificate", "ids": [str(ended["id"])]})
    roster = await Roster.select().first()
    before = await client.page(url_for("lc_roster_detail", roster_id=roster["id"]))
    assert before.find(attrs={"data-testid": "lc-roster-code"}) is None
    data = (await client.get(url_for("lc_roster_pdf", roster_id=roster["id"]))).content
    cert = await Certificate.select().where(Certificate.kind == "lc_termination_certificate").first()
    assert cert and cert["owner_employer_id"] == employer["id"]
    text = pdf_text(data)
    assert cert["code"] in text.replace("\n", "") and "/verify/" + cert["code"] in text.replace("\n", "")
    # Reprints are the same certificate, not new ones.
    assert (await client.get(url_for("lc_roster_pdf", roster_id=roster["id"]))).content == data
    assert await Certificate.count() == 1
    detail = await client.page(url_for("lc_roster_detail", roster_id=roster["id"]))
    assert cert["code"] in detail.find(attrs={"data-testid": "lc-roster-code"}).get_text()
    # Anyone with the code verifies it; the worker's name and ID number are masked there.
    verify = (await other_client.page(url_for("verify_certificate", code=cert["code"]))).get_text()
    assert "证明戊" not in verify and "证*" in verify
    id_number = (await Contract.select().where(Contract.id == first).first())["id_number"]
    assert id_number not in verify and id_number[:6] in verify
