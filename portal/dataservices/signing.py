"""PAdES signatures with the issuing division's electronic seal (pyHanko), and the signature check of an upload."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import io
import logging
from dataclasses import dataclass
from datetime import datetime

from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata import model, xmp_xml
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.pdf_signer import DSSContentSettings, SigDSSPlacementPreference
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import ValidationContext

from portal.dataservices import seals
from portal.settings import Settings

log = logging.getLogger("portal.signing")


class _OfflineByDesign(logging.Filter):
    """Revocation data is embedded from what the trust store holds, never fetched: pyHanko's warning is noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "fetching is not allowed" not in record.getMessage()


logging.getLogger("pyhanko.sign.signers.pdf_signer").addFilter(_OfflineByDesign())

# A template marks where the seal goes with a link to this address (see documents/certificate.html): Chromium
# turns every <a href> into a link annotation with the element's rectangle, so the signature field takes the
# place and size of that element without any layout code here. The link itself is removed before signing.
SEAL_MARK = "https://seal.portal.invalid/"
FIELD_PREFIX = "seal-"


@dataclass(frozen=True)
class Signed:
    pdf: bytes
    signed_by: str  # "holder (SHA-256 of its certificate)"


def _seal_box(writer: IncrementalPdfFileWriter) -> tuple[int, tuple[int, int, int, int]] | None:
    """(page index, box) of the first seal mark, removing the mark's link annotation; None when unmarked."""
    pages = writer.root["/Pages"]
    stack, flat = [pages], []
    while stack:  # page tree in document order
        node = stack.pop()
        if node.get("/Type") == "/Page":
            flat.append(node)
        else:
            stack.extend(reversed([kid.get_object() for kid in node["/Kids"]]))
    for index, page in enumerate(flat):
        annots = page.get("/Annots")
        if annots is None:
            continue
        annots = annots.get_object()
        for i, ref in enumerate(annots):
            annot = ref.get_object()
            action = annot.get("/A")
            if annot.get("/Subtype") != "/Link" or action is None or action.get_object().get("/URI") != SEAL_MARK:
                continue
            x1, y1, x2, y2 = (float(v) for v in annot["/Rect"])
            del annots[i]
            writer.update_container(annots)
            return index, (round(x1), round(y1), round(x2), round(y2))
    return None


@functools.cache
def _srgb_profile() -> bytes:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _pdfa_identify(writer: IncrementalPdfFileWriter) -> None:
    """What PDF/A-2b asks and Chromium leaves out: XMP metadata naming part 2 / conformance B and agreeing with the
    Info dictionary, an sRGB output intent, a file ID (pyHanko writes one). Chromium already embeds every font
    (as Type 3) and sets the print flag on its links. See docs/SEALS.md for what is and is not verified."""
    pdfaid = model.NS["pdfaid"]
    info = writer.trailer["/Info"]
    meta = writer.document_meta
    meta.title = str(info.get("/Title", "")) or None
    meta.creator = str(info.get("/Creator", "")) or None
    if "/CreationDate" in info:
        meta.created = generic.parse_pdf_date(info["/CreationDate"])
    # pyHanko appends itself to /Producer and writes only itself into XMP: make the two agree
    info[generic.NameObject("/Producer")] = generic.TextStringObject(model.VENDOR)
    writer.mark_update(writer.trailer.raw_get("/Info"))
    writer.root[generic.NameObject("/Metadata")] = writer.add_object(xmp_xml.MetadataStream.from_xmp([
        model.XmpStructure.of((model.ExpandedName(ns=pdfaid, local_name="part"), model.XmpValue("2")),
                              (model.ExpandedName(ns=pdfaid, local_name="conformance"), model.XmpValue("B")))]))
    profile = generic.StreamObject({generic.NameObject("/N"): generic.NumberObject(3)}, stream_data=_srgb_profile())
    profile.compress()
    writer.root[generic.NameObject("/OutputIntents")] = generic.ArrayObject([writer.add_object(generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/OutputIntent"),
        generic.NameObject("/S"): generic.NameObject("/GTS_PDFA1"),
        generic.NameObject("/OutputConditionIdentifier"): generic.TextStringObject("sRGB IEC61966-2.1"),
        generic.NameObject("/DestOutputProfile"): writer.add_object(profile),
    }))])
    writer.update_root()


def _sign(pdf: bytes, seal: seals.Seal, *, reason: str, field_name: str, trust: list, tsa_url: str,
          pdfa: bool = False) -> bytes:
    # Reserving the signature's size skips pyHanko's dry-run signature that only measures it (~⅓ of the CPU time):
    # the CMS holds the chain, signed attributes and the signature (~1.3 KB over the chain here), hex doubles it.
    reserve = 2 * (sum(len(c.dump()) for c in seal.chain) + 4096) + (16384 if tsa_url else 0)
    try:
        return _sign_once(pdf, seal, reason=reason, field_name=field_name, trust=trust, tsa_url=tsa_url, pdfa=pdfa,
                          reserve=reserve)
    except SigningError:  # a bigger CMS than foreseen (an unusual signer or TSA): let pyHanko measure it
        log.warning("signature larger than the %d bytes reserved; signing again with pyHanko's estimate", reserve)
        return _sign_once(pdf, seal, reason=reason, field_name=field_name, trust=trust, tsa_url=tsa_url, pdfa=pdfa,
                          reserve=None)


def _sign_once(pdf: bytes, seal: seals.Seal, *, reason: str, field_name: str, trust: list, tsa_url: str,
               pdfa: bool, reserve: int | None) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    if pdfa and "/Metadata" not in writer.root:
        _pdfa_identify(writer)
    placed = _seal_box(writer)
    spec = fields.SigFieldSpec(sig_field_name=field_name, on_page=placed[0] if placed else 0,
                               box=placed[1] if placed else None)
    from PIL import Image

    style = StaticStampStyle(
        border_width=0, background_opacity=1.0,
        background=PdfImage(Image.open(io.BytesIO(seal.image))),
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID,
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, reason=reason, name=seal.holder, md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES, certify=True, docmdp_permissions=fields.MDPPerm.NO_CHANGES,
        # the chain (and any revocation data the trust store holds) goes into the file: checkable offline
        embed_validation_info=bool(trust),
        # in the signed revision itself: one revision, so checking an upload needs no incremental-update analysis
        dss_settings=DSSContentSettings(placement=SigDSSPlacementPreference.TOGETHER_WITH_SIGNATURE,
                                        include_vri=False),
        validation_context=ValidationContext(trust_roots=trust, other_certs=list(seal.chain[1:]),
                                             allow_fetching=False, revocation_mode="soft-fail") if trust else None,
    )
    timestamper = timestamps.HTTPTimeStamper(tsa_url) if tsa_url else None
    signer = signers.PdfSigner(meta, seal.signer, stamp_style=style, new_field_spec=spec, timestamper=timestamper)
    out = io.BytesIO()
    signer.sign_pdf(writer, output=out, bytes_reserved=reserve)
    return out.getvalue()


async def sign_pdf(pdf: bytes, *, division_code: str, reason: str, field_name: str = "seal",
                   settings: Settings | None = None) -> Signed:
    """The PDF signed (PAdES B-B, certifying: no later change allowed) with the division's seal, shown where the
    template put SEAL_MARK (invisible when there is none). CPU work runs in a thread, off the event loop."""
    settings = settings or Settings.from_env()
    store = seals.store(settings)
    seal = store.seal_for(division_code)
    data = await asyncio.to_thread(_sign, pdf, seal, reason=reason, field_name=field_name,
                                   trust=store.trust_roots(), tsa_url=settings.seals.tsa_url,
                                   pdfa=settings.seals.pdfa)
    fingerprint = hashlib.sha256(seal.chain[0].dump()).hexdigest()
    return Signed(data, f"{seal.holder} ({fingerprint})"[:200])


@dataclass(frozen=True)
class SignatureCheck:
    """The outcome of checking the signatures of an uploaded PDF against our trust anchors."""

    signed: bool  # at least one signature is embedded
    intact: bool  # every signature's digest matches and no unsigned change follows the last one
    trusted: bool  # the signer chains to one of our trust anchors
    holder: str = ""
    signed_at: datetime | None = None
    field_names: tuple[str, ...] = ()

    @property
    def ours(self) -> bool:
        return self.signed and self.intact and self.trusted


def _check(data: bytes, trust: list) -> SignatureCheck:
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception:  # unreadable or damaged: treated as unsigned, the caller decides what it means
        return SignatureCheck(signed=False, intact=False, trusted=False)
    if not embedded:
        return SignatureCheck(signed=False, intact=False, trusted=False)
    intact, trusted, holder, signed_at = True, True, "", None
    for sig in embedded:
        try:
            status = validate_pdf_signature(sig, ValidationContext(trust_roots=trust, allow_fetching=False,
                                                                   revocation_mode="soft-fail"))
        except Exception:
            return SignatureCheck(signed=True, intact=False, trusted=False,
                                  field_names=tuple(s.field_name for s in embedded))
        # docmdp_ok: whatever follows the signed revision is allowed by its DocMDP level (ours: validation data only)
        intact &= bool(status.intact and status.valid and status.docmdp_ok is not False)
        trusted &= bool(status.trusted)
        holder = holder or status.signing_cert.subject.native.get("common_name", "")
        signed_at = signed_at or status.signer_reported_dt
    return SignatureCheck(signed=True, intact=intact, trusted=trusted, holder=holder, signed_at=signed_at,
                          field_names=tuple(s.field_name for s in embedded))


# The upload check is public and parses untrusted PDFs: at most two at a time per process.
_CHECKS = asyncio.Semaphore(2)


async def check_signatures(data: bytes, settings: Settings | None = None) -> SignatureCheck:
    store = seals.store(settings)
    async with _CHECKS:
        return await asyncio.to_thread(_check, data, store.trust_roots())


async def seal_ready(app) -> None:
    """Start-up hook (the dataservices area's on_startup): make the demo seal on first start (when allowed) and load
    the province's, so the first certificate is not slower."""
    settings = app.state.settings
    if settings.seals.sign:
        store = await asyncio.to_thread(seals.store, settings)
        try:
            await asyncio.to_thread(store.seal_for, "")
        except seals.SealError as exc:
            log.warning("electronic seal not ready: %s", exc)
