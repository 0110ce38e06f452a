"""Sealed certificates: PAdES signatures checked with pyHanko's validator, the upload check of /verify, seal keys."""
# ruff: noqa: ASYNC240 - tests read files they wrote

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from portal.dataservices import seals, signing
from portal.dataservices.certificates import Fact, issue_certificate, revoke_certificate, store_document
from portal.dataservices.documents import receipt_pdf
from portal.dataservices.tables import Certificate
from portal.filters import SHANGHAI
from portal.settings import Settings
from portal.storage import storage_file
from tests.dataservices.test_documents import RECEIPT, pdf_text
from tests.support.factories import make_employer, make_id_number
from tests.support.urls import url_for


async def _issue(name: str = "张三丰", ident: str | None = None, division: str = "460105") -> dict:
    employer = await make_employer(name="海南椰风有限公司")
    return await issue_certificate(
        kind="work_injury_proof", title="工伤保险单位证明", base_url="http://portal.example",
        facts=[Fact("姓名", name, "name"), Fact("身份证号", ident or make_id_number(), "id_number")],
        paragraphs=["兹证明上述人员参加工伤保险。"], owner_employer_id=employer["id"], division_code=division,
    )


def _stored(row: dict) -> bytes:
    """The bytes of a stored PDF (rows hold paths relative to the storage directory)."""
    return storage_file(Settings.from_env().storage_dir, row["storage_path"]).read_bytes()


def _demo_ca() -> list:
    return seals.store().trust_roots()


async def _validate(sig):
    """pyHanko's own validator, against the demo CA only (no network)."""
    return await async_validate_pdf_signature(sig, ValidationContext(trust_roots=_demo_ca(), allow_fetching=False))


async def _upload(client, data: bytes, name: str = "证明.pdf"):
    response = await client.post_form(url_for("verify_start"), files={"file": (name, data, "application/pdf")})
    return response


def _outcome(response) -> tuple[str, str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(response.text, "html.parser")
    result = soup.find(attrs={"data-testid": "upload-result"})
    assert result is not None, response.text[:800]
    return result["data-outcome"], soup.find(attrs={"data-testid": "upload-status"}).get_text(" ", strip=True)


async def test_issued_certificate_is_a_visible_certifying_pades_signature_valid_against_the_demo_ca(app):
    cert = await _issue()
    pdf = _stored(cert)
    reader = PdfFileReader(io.BytesIO(pdf))
    [sig] = reader.embedded_signatures
    status = await _validate(sig)
    assert status.bottom_line and status.intact and status.valid and status.trusted
    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert f"验证码 {cert['code']}" in sig.sig_object["/Reason"]
    assert sig.field_name == f"seal-{cert['code']}"
    assert sig.self_reported_timestamp is not None and abs(
        (sig.self_reported_timestamp - cert["issued_at"]).total_seconds()) < 60
    # a certification signature that allows no change; chain embedded (DSS) for offline validation
    assert sig.docmdp_level is not None and sig.docmdp_level.name == "NO_CHANGES" and status.docmdp_ok
    assert "/DSS" in reader.root
    # visible: the widget has the seal's rectangle (42 mm ≈ 119 pt) and an appearance with an image
    widget = sig.sig_field
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    assert 110 < x2 - x1 < 130 and 110 < y2 - y1 < 130
    assert "/AP" in widget
    # the seal mark's link is gone; the verification link stays
    links = [a.get_object()["/A"]["/URI"] for a in reader.root["/Pages"]["/Kids"][0].get_object()["/Annots"]
             if a.get_object().get("/Subtype") == "/Link"]
    assert signing.SEAL_MARK not in links and f"http://portal.example/verify/{cert['code']}" in links
    row = await Certificate.select(Certificate.signed_by).where(Certificate.id == cert["id"]).first()
    assert row["signed_by"].startswith("海南省人力资源和社会保障厅（演示）")


async def test_staff_detail_names_the_seal(app, client):

    cert = await _issue()
    await client.sign_in_staff("sealdetail", permissions=["certificate.revoke"], scopes={"division": ["460100"]})
    soup = await client.page(url_for("certificate_detail", cid=cert["id"]))
    assert "海南省人力资源和社会保障厅（演示）" in soup.get_text()


async def test_signed_certificate_text_still_holds_the_name_and_the_code(app):
    ident = make_id_number()
    cert = await _issue(name="黎秀英", ident=ident)
    text = pdf_text(_stored(cert))
    assert "黎秀英" in text and ident in text and cert["code"] in text


async def test_upload_of_the_original_says_valid_then_revoked_with_the_date(app, client):
    cert = await _issue(name="王小明")
    pdf = _stored(cert)
    response = await _upload(client, pdf)
    assert response.status_code == 200
    outcome, text = _outcome(response)
    assert outcome == "valid" and "有效" in text
    assert "签名有效" in response.text and "王*" in response.text and "王小明" not in response.text

    assert await revoke_certificate(cert["code"], "内部原因甲乙丙")
    outcome, text = _outcome(await _upload(client, pdf))
    assert outcome == "revoked" and "已撤销" in text
    assert f"{datetime.now(UTC).astimezone(SHANGHAI):%Y年%m月%d日}" in text
    assert "内部原因甲乙丙" not in (await _upload(client, pdf)).text
    # the revoked certificate's signature still verifies cryptographically
    [sig] = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    assert (await _validate(sig)).bottom_line


@pytest.mark.parametrize("where", ["content", "signature", "end"])
async def test_one_changed_byte_says_the_file_was_altered(app, client, where):
    cert = await _issue()
    pdf = bytearray(_stored(cert))
    if where == "content":  # inside the page's content stream, covered by the signature
        at = pdf.index(b"stream\n", 2000) + 50
    elif where == "signature":  # inside the CMS blob itself
        at = pdf.index(b"/Contents <") + 200
    else:
        at = len(pdf) - 10
    pdf[at] = (pdf[at] + 1) % 256 or 1
    outcome, text = _outcome(await _upload(client, bytes(pdf)))
    assert outcome == "altered" and "文件被改动" in text and "有效，" not in text


async def test_an_incremental_update_after_signing_is_an_alteration(app, client):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    cert = await _issue()
    writer = IncrementalPdfFileWriter(io.BytesIO(_stored(cert)))
    writer.root["/Lang"] = __import__("pyhanko.pdf_utils.generic", fromlist=["x"]).TextStringObject("en")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    outcome, _ = _outcome(await _upload(client, out.getvalue()))
    assert outcome == "altered"


async def test_pdfs_from_elsewhere_are_not_ours(app, client, tmp_path):
    # unsigned, from our own renderer
    outcome, text = _outcome(await _upload(client, await receipt_pdf(RECEIPT)))
    assert outcome == "foreign" and "不是本厅签发" in text
    # signed with a look-alike seal from another CA
    other = seals.make_pki(ca_name="某某CA", holder="海南省人力资源和社会保障厅")
    seals.write_division(tmp_path, "460000", other, seals.seal_image("海南省人力资源和社会保障厅", note="伪造"))
    fake_store = seals.DirectorySealStore(tmp_path)
    from portal.dataservices.documents import render_pdf

    page = await render_pdf("documents/certificate.html", {
        "facts": [Fact("姓名", "张三丰")], "code": "ABCDEFGHIJKLMNOPQRSTUVWX", "verify_url": "http://x.invalid/v",
        "qr": "", "issued_at": datetime.now(UTC), "issuer": "海南省人力资源和社会保障厅", "seal_mark": signing.SEAL_MARK,
    }, title="工伤保险单位证明")
    forged = await asyncio.to_thread(signing._sign, page, fake_store.seal_for("460000"), reason="验证码 X",
                                     field_name="seal-X", trust=fake_store.trust_roots(), tsa_url="")
    response = await _upload(client, forged)
    outcome, text = _outcome(response)
    assert outcome == "foreign" and "不是本厅签发" in text
    assert "签章证书不是本厅的签章证书" in response.text


async def test_upload_refuses_what_is_not_a_pdf_and_oversized_files_with_chinese_messages(app, client, monkeypatch):
    response = await _upload(client, b"hello", name="a.txt")
    assert response.status_code == 200 and "上传的文件不是PDF文件" in response.text
    response = await client.post_form(url_for("verify_start"), data={})
    assert "请选择要核验的PDF文件" in response.text
    settings = app.state.settings
    small = type(settings.seals)(**{**settings.seals.__dict__, "upload_max_bytes": 1024})
    monkeypatch.setattr(app.state, "settings", type(settings)(**{**settings.__dict__, "seals": small}))
    response = await _upload(client, b"%PDF-1.7\n" + b"0" * 2048)
    assert response.status_code == 413 and "文件大小超过" in response.text


async def test_upload_needs_the_csrf_token(app, client):
    response = await client.post(url_for("verify_start"), files={"file": ("a.pdf", b"%PDF-1.7", "application/pdf")})
    assert response.status_code == 403


async def test_the_upload_form_is_on_both_verify_pages(app, client):
    home = await client.page(url_for("home"))
    assert home.find("a", href=url_for("verify_start")) is not None  # visitors find it from the home page
    cert = await _issue()
    for url in (url_for("verify_start"), url_for("verify_certificate", code=cert["code"])):
        soup = await client.page(url)
        form = soup.find("form", attrs={"enctype": "multipart/form-data"})
        assert form["action"] == url_for("verify_start") and form.find("input", attrs={"type": "file", "name": "file"})


def test_a_division_uses_its_longest_configured_prefix_and_pkcs12_works(tmp_path, monkeypatch):
    province, haikou = seals.make_pki(holder="省厅"), seals.make_pki(holder="海口市人社局")
    seals.write_division(tmp_path, "460000", province, b"png")
    (tmp_path / "460100").mkdir()
    (tmp_path / "460100" / "seal.png").write_bytes(b"png")
    (tmp_path / "460100" / "seal.p12").write_bytes(pkcs12.serialize_key_and_certificates(
        b"seal", haikou.seal_key, haikou.seal_cert, [haikou.ca_cert],
        serialization.BestAvailableEncryption(b"s3cret")))
    monkeypatch.setenv("PORTAL_SEAL_PASSPHRASE_460100", "s3cret")
    store = seals.DirectorySealStore(tmp_path)
    assert store.seal_for("460105").holder == "海口市人社局"
    assert len(store.seal_for("460105").chain) == 2
    assert store.seal_for("460200").holder == "省厅"
    assert store.seal_for("").holder == "省厅"
    with pytest.raises(seals.SealError):
        seals.DirectorySealStore(tmp_path / "none").seal_for("460000")


def test_demo_seal_is_made_once_and_marked_as_demo(tmp_path):
    assert seals.ensure_demo(tmp_path / "seals")
    assert not seals.ensure_demo(tmp_path / "seals")
    store = seals.DirectorySealStore(tmp_path / "seals")
    seal = store.seal_for("460105")
    assert "演示" in seal.holder and seal.image.startswith(b"\x89PNG")
    assert "演示" in store.trust_roots()[0].subject.native["common_name"]


async def test_rosters_are_sealed_only_when_the_setting_says_so(app, monkeypatch):
    pdf = await receipt_pdf(RECEIPT)
    plain = await store_document(pdf, kind="roster", title="名册", division_code="460105")
    assert _stored(plain) == pdf
    monkeypatch.setenv("PORTAL_SIGN_ROSTERS", "1")
    assert Settings.from_env().seals.sign_rosters
    sealed = await store_document(pdf, kind="roster", title="名册", division_code="460105")
    data = _stored(sealed)
    [sig] = PdfFileReader(io.BytesIO(data)).embedded_signatures
    assert (await _validate(sig)).bottom_line


async def test_signed_certificate_carries_the_pdfa_2b_identification_and_embeds_every_font(app):
    from tests.dataservices.test_documents import pdf_fonts

    cert = await _issue()
    pdf = _stored(cert)
    reader = PdfFileReader(io.BytesIO(pdf))
    xmp = reader.root["/Metadata"].data.decode()
    assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="B"' in xmp
    info = reader.trailer["/Info"]
    assert f'pdf:Producer="{info["/Producer"]}"' in xmp  # Info and XMP agree (PDF/A 6.6.2.3)
    intent = reader.root["/OutputIntents"][0].get_object()
    assert intent["/S"] == "/GTS_PDFA1" and intent["/DestOutputProfile"]["/N"] == 3
    assert len(reader.trailer["/ID"]) == 2
    fonts = pdf_fonts(pdf).splitlines()[2:]
    assert fonts and all(" yes " in line for line in fonts)  # the emb column
    # the identification is inside the signed revision (a fresh reader: pyHanko's diff analysis wants its own)
    [sig] = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    assert (await _validate(sig)).bottom_line


async def test_the_start_up_hook_makes_the_demo_seal_and_the_area_declares_it(tmp_path):
    from dataclasses import replace
    from types import SimpleNamespace

    from portal.dataservices.area import DATASERVICES

    assert signing.seal_ready in DATASERVICES.on_startup
    base = Settings.from_env()
    settings = replace(base, seals=replace(base.seals, seal_dir=tmp_path / "seals"))
    try:
        await signing.seal_ready(SimpleNamespace(state=SimpleNamespace(settings=settings)))
        assert (tmp_path / "seals" / "460000" / "seal.png").is_file()
    finally:
        seals.store(base)  # back to the suite's seal folder for the other tests


class _KeyElsewhere(signers.Signer):
    """What an HSM signer looks like to pyHanko: a certificate and async_sign_raw; the key never leaves 'the device'."""

    def __init__(self, pki: seals.DemoPki) -> None:
        cert = seals.asn1_cert(pki.seal_cert)
        super().__init__(signing_cert=cert, cert_registry=SimpleCertificateStore.from_certs([cert]))
        self._device_key = pki.seal_key
        self.calls = 0

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec

        self.calls += 1
        return self._device_key.sign(data, ec.ECDSA(hashes.SHA256()))


class _DeviceStore:
    def __init__(self, pki: seals.DemoPki) -> None:
        self.pki, self.signer = pki, _KeyElsewhere(pki)

    def seal_for(self, division_code: str) -> seals.Seal:
        return seals.Seal(division="460000", holder="设备中的印章", signer=self.signer,
                          image=seals.seal_image("海南省人力资源和社会保障厅"),
                          chain=(seals.asn1_cert(self.pki.seal_cert),))

    def trust_roots(self) -> list:
        return [seals.asn1_cert(self.pki.ca_cert)]


async def test_a_store_whose_key_lives_elsewhere_signs_through_the_same_interface(app, client):
    device = _DeviceStore(seals.make_pki(holder="设备中的印章"))
    seals.install(device)
    try:
        cert = await _issue()
        response = await _upload(client, _stored(cert))
    finally:
        seals.install(None)
    assert device.signer.calls == 1
    assert cert["signed_by"].startswith("设备中的印章")
    outcome, _ = _outcome(response)
    assert outcome == "valid" and "签名有效" in response.text


async def test_a_signature_bigger_than_reserved_is_signed_again_not_refused(app, monkeypatch):
    st = seals.store()
    seal = st.seal_for("460105")
    real = signing._sign_once
    reserved: list = []

    def tiny_first(*args, reserve, **kw):
        reserved.append(reserve)
        return real(*args, reserve=64 if len(reserved) == 1 else reserve, **kw)

    monkeypatch.setattr(signing, "_sign_once", tiny_first)
    pdf = await receipt_pdf(RECEIPT)
    signed = await asyncio.to_thread(signing._sign, pdf, seal, reason="r", field_name="seal-x",
                                     trust=st.trust_roots(), tsa_url="")
    assert reserved[1] is None  # the second attempt let pyHanko measure
    [sig] = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    assert (await _validate(sig)).bottom_line


async def test_an_rsa_seal_from_a_pkcs12_file_signs_and_validates(tmp_path):
    pki = seals.make_pki(holder="RSA印章", rsa_bits=2048)
    folder = tmp_path / "460000"
    folder.mkdir()
    (folder / "seal.png").write_bytes(seals.seal_image("海南省人力资源和社会保障厅"))
    (folder / "seal.p12").write_bytes(pkcs12.serialize_key_and_certificates(
        b"seal", pki.seal_key, pki.seal_cert, [pki.ca_cert], serialization.BestAvailableEncryption(b"pw")))
    store = seals.DirectorySealStore(tmp_path, passphrase="pw")
    pdf = await receipt_pdf(RECEIPT)
    signed = await asyncio.to_thread(signing._sign, pdf, store.seal_for("460105"), reason="r", field_name="seal-r",
                                     trust=[seals.asn1_cert(pki.ca_cert)], tsa_url="")
    [sig] = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    status = await async_validate_pdf_signature(
        sig, ValidationContext(trust_roots=[seals.asn1_cert(pki.ca_cert)], allow_fetching=False))
    assert status.bottom_line and status.signing_cert.subject.native["common_name"] == "RSA印章"
