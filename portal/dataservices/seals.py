"""Electronic seals per issuing division: keys and certificates from settings, a demo CA made on first start."""

from __future__ import annotations

import io
import math
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from portal.auth.principal import _division_prefix as division_prefix
from portal.settings import ROOT, Settings

DEMO_DIVISION = "460000"
DEMO_CA_NAME = "海南省人力资源和社会保障厅演示CA（非正式）"
FONT_FILE = ROOT / "templates" / "documents" / "fonts" / "PortalDoc-GB2312.otf"


class SealError(RuntimeError):
    """No usable seal for a division (missing or unreadable key material)."""


@dataclass(frozen=True)
class Seal:
    """What signing needs from one issuing division. An HSM implementation provides a pyHanko `Signer`
    (e.g. `pyhanko.sign.pkcs11.PKCS11Signer`) in place of the in-memory `SimpleSigner`: nothing else changes."""

    division: str
    holder: str  # the seal certificate's subject (签章单位)
    signer: signers.Signer
    image: bytes  # PNG of the visible seal
    chain: tuple[asn1_x509.Certificate, ...]  # signer first, then intermediates


class SealStore(Protocol):
    def seal_for(self, division_code: str) -> Seal: ...

    def trust_roots(self) -> list[asn1_x509.Certificate]: ...


def asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _pem_certs(data: bytes) -> list[asn1_x509.Certificate]:
    return [asn1_cert(c) for c in x509.load_pem_x509_certificates(data)]


class DirectorySealStore:
    """Seals read from `<seal_dir>/<division>/`: `seal.p12` (passphrase from PORTAL_SEAL_PASSPHRASE_<division>
    or PORTAL_SEAL_PASSPHRASE) or `key.pem` + `chain.pem` (signer certificate first), and `seal.png`.
    Trust anchors for checking uploads: every certificate in `<seal_dir>/trust/*.pem`. A division uses the
    seal of its longest configured prefix (460105 → 460100 → 460000), so the province seal covers the rest.
    Files are read once per process: restart the workers after replacing a key or a seal image."""

    def __init__(self, seal_dir: Path, passphrase: str = "") -> None:
        self.seal_dir = Path(seal_dir)
        self.passphrase = passphrase
        self._seals: dict[str, Seal] = {}
        self._roots: list[asn1_x509.Certificate] | None = None
        self._lock = threading.Lock()

    def divisions(self) -> list[str]:
        if not self.seal_dir.is_dir():
            return []
        return sorted(p.name for p in self.seal_dir.iterdir()
                      if p.is_dir() and p.name.isdigit() and ((p / "seal.p12").is_file() or (p / "key.pem").is_file()))

    def seal_for(self, division_code: str) -> Seal:
        configured = self.divisions()
        matches = [d for d in configured if (division_code or DEMO_DIVISION).startswith(division_prefix(d))]
        # an unconfigured division (or none) falls back to the shortest code: the province's seal
        division = max(matches, key=lambda d: len(division_prefix(d))) if matches else (min(configured, key=len) if configured else None)
        if division is None:
            raise SealError("未配置电子印章：请在印章目录中放置签章证书")
        with self._lock:
            if division not in self._seals:
                self._seals[division] = self._load(division)
            return self._seals[division]

    def _load(self, division: str) -> Seal:
        folder = self.seal_dir / division
        image_path = folder / "seal.png"
        if not image_path.is_file():
            raise SealError(f"区划 {division} 缺少印章图片 seal.png")
        if (folder / "seal.p12").is_file():
            secret = os.environ.get(f"PORTAL_SEAL_PASSPHRASE_{division}", self.passphrase)
            key, cert, extra = pkcs12.load_key_and_certificates(
                (folder / "seal.p12").read_bytes(), secret.encode() if secret else None)
            if key is None or cert is None:
                raise SealError(f"区划 {division} 的 seal.p12 不含私钥和证书")
            chain = [asn1_cert(cert), *(asn1_cert(c) for c in extra or [])]
        else:
            key = serialization.load_pem_private_key((folder / "key.pem").read_bytes(), password=None)
            chain = _pem_certs((folder / "chain.pem").read_bytes())
        key_info = asn1_keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        signer = signers.SimpleSigner(signing_cert=chain[0], signing_key=key_info,
                                      cert_registry=SimpleCertificateStore.from_certs(chain))
        holder = chain[0].subject.native.get("common_name", "") or chain[0].subject.human_friendly
        return Seal(division=division, holder=holder, signer=signer, image=image_path.read_bytes(), chain=tuple(chain))

    def trust_roots(self) -> list[asn1_x509.Certificate]:
        if self._roots is None:
            roots: list[asn1_x509.Certificate] = []
            for path in sorted((self.seal_dir / "trust").glob("*.pem")):
                roots += _pem_certs(path.read_bytes())
            self._roots = roots
        return self._roots


# -- the demo PKI: a CA and one seal certificate, made once so `make run` and the tests sign too ---------------

@dataclass(frozen=True)
class DemoPki:
    ca_cert: x509.Certificate
    ca_key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    seal_cert: x509.Certificate
    seal_key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "演示（非正式）"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_pki(ca_name: str = DEMO_CA_NAME, holder: str = "海南省人力资源和社会保障厅（演示）",
             years: int = 10, rsa_bits: int = 0) -> DemoPki:
    """A self-signed CA and a seal certificate it issues (digital signature + non-repudiation); ECDSA P-256 keys,
    or RSA keys of `rsa_bits` (what many CAs still issue)."""

    def new_key():
        return rsa.generate_private_key(65537, rsa_bits) if rsa_bits else ec.generate_private_key(ec.SECP256R1())

    now = datetime.now(UTC) - timedelta(minutes=5)
    ca_key = new_key()
    ca_cert = (
        x509.CertificateBuilder().subject_name(_name(ca_name)).issuer_name(_name(ca_name))
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    seal_key = new_key()
    seal_cert = (
        x509.CertificateBuilder().subject_name(_name(holder)).issuer_name(ca_cert.subject)
        .public_key(seal_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + timedelta(days=365 * years - 1))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return DemoPki(ca_cert, ca_key, seal_cert, seal_key)


def seal_image(holder: str, note: str = "演示", size: int = 360) -> bytes:
    """A round red seal (PNG, transparent): the holder's name along the rim, a star, `note` below it."""
    from PIL import Image, ImageDraw, ImageFont

    red = (200, 16, 24, 255)
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    c, r = size / 2, size / 2 - 6
    draw.ellipse((c - r, c - r, c + r, c + r), outline=red, width=max(6, size // 36))
    star_r = size * 0.14
    points = [(c + (star_r if i % 2 == 0 else star_r * 0.4) * math.sin(i * math.pi / 5),
               c - (star_r if i % 2 == 0 else star_r * 0.4) * math.cos(i * math.pi / 5)) for i in range(10)]
    draw.polygon(points, fill=red)
    font = ImageFont.truetype(str(FONT_FILE), int(size * 0.1))
    text = holder.replace("（演示）", "")
    span = math.radians(250)
    for i, ch in enumerate(text):
        # characters along the upper rim, each rotated to stand on the circle's radius
        angle = -span / 2 + span * (i + 0.5) / len(text)
        glyph = Image.new("RGBA", (int(size * 0.13), int(size * 0.13)), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((glyph.width / 2, glyph.height / 2), ch, font=font, fill=red, anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle), resample=Image.BICUBIC, expand=True)
        gx = c + (r - size * 0.1) * math.sin(angle) - glyph.width / 2
        gy = c - (r - size * 0.1) * math.cos(angle) - glyph.height / 2
        img.alpha_composite(glyph, (int(gx), int(gy)))
    big = ImageFont.truetype(str(FONT_FILE), int(size * 0.15))
    draw.text((c, c + size * 0.27), note, font=big, fill=red, anchor="mm")
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()


def write_division(seal_dir: Path, division: str, pki: DemoPki, image: bytes) -> None:
    """Key material and seal image of one division in the layout DirectorySealStore reads; CA into trust/."""
    folder = seal_dir / division
    folder.mkdir(parents=True, exist_ok=True)
    key_path = folder / "key.pem"
    key_path.write_bytes(pki.seal_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                    serialization.NoEncryption()))
    key_path.chmod(0o600)
    (folder / "chain.pem").write_bytes(pki.seal_cert.public_bytes(serialization.Encoding.PEM)
                                       + pki.ca_cert.public_bytes(serialization.Encoding.PEM))
    (folder / "seal.png").write_bytes(image)
    (seal_dir / "trust").mkdir(exist_ok=True)
    (seal_dir / "trust" / f"ca-{division}.pem").write_bytes(pki.ca_cert.public_bytes(serialization.Encoding.PEM))


def ensure_demo(seal_dir: Path) -> bool:
    """Make the demo CA and the province's seal when no seal is configured; True when made now. Built in a
    temporary folder then renamed into place, so workers starting together end with one complete set."""
    seal_dir = Path(seal_dir)
    if DirectorySealStore(seal_dir).divisions():
        return False
    seal_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".seals-", dir=seal_dir.parent))
    try:
        pki = make_pki()
        write_division(tmp, DEMO_DIVISION, pki, seal_image("海南省人力资源和社会保障厅"))
        (tmp / "README.txt").write_text("演示用电子印章与CA，仅供开发和演示，不具法律效力。正式环境请替换为签章证书。\n",
                                        encoding="utf-8")
        try:
            if seal_dir.exists() and not any(seal_dir.iterdir()):
                seal_dir.rmdir()
            tmp.rename(seal_dir)
        except OSError:  # another worker won the race: use its set
            return False
        return True
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


_store: DirectorySealStore | None = None
_store_lock = threading.Lock()
_installed: SealStore | None = None


def install(custom: SealStore | None) -> None:
    """Sign with another SealStore (an HSM, a 签章服务器 client) instead of the seal folder; None goes back to it.
    Call it at start-up, before the first certificate is issued."""
    global _installed
    _installed = custom


def store(settings: Settings | None = None) -> SealStore:
    """The process-wide seal store (demo seal made on first use when allowed and nothing is configured)."""
    global _store
    if _installed is not None:
        return _installed
    with _store_lock:
        settings = settings or Settings.from_env()
        if _store is None or _store.seal_dir != Path(settings.seals.seal_dir):
            if settings.seals.demo:
                ensure_demo(settings.seals.seal_dir)
            _store = DirectorySealStore(settings.seals.seal_dir, settings.seals.passphrase)
        return _store
