"""Names with rare characters (生僻字, CJK Extensions A–G) print with a real glyph, not tofu (issue #12 item 17)."""

# ruff: noqa: S603, S607 - the test shells out to poppler
from __future__ import annotations

import subprocess
import tempfile

from portal.dataservices.documents import receipt_pdf, roster_pdf

# 王 (GB 2312: PortalDoc), 䶮 (Ext A), 𠀀 (Ext B), 𪜀 (Ext C), 𫝀 (Ext D), 𫠠 (Ext E), 𬺰 (Ext F), 𰀀 (Ext G).
RARE_NAME = "王䶮𠀀𪜀𫝀𫠠𬺰𰀀"


def _poppler(tool: str, pdf: bytes, *args: str) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(pdf)
        fh.flush()
        return subprocess.run([tool, *args, fh.name, *(["-"] if tool == "pdftotext" else [])],
                              check=True, capture_output=True, text=True).stdout


def _embedded_fonts(pdf: bytes) -> list[str]:
    """Names of the embedded fonts (pdffonts: name type encoding emb sub uni object ID)."""
    lines = _poppler("pdffonts", pdf).splitlines()[2:]
    return [line.split()[0] for line in lines if line.split()[-5] == "yes"]


def _fallback_covers_the_name() -> bool:
    out = subprocess.run(["fc-list", ":charset=20000 2a700 2b740 2b820 2ceb0 30000", "family"],
                         capture_output=True, text=True, check=True).stdout
    return "BabelStone Han" in out


async def test_a_roster_prints_a_name_with_extension_b_to_g_characters():
    assert _fallback_covers_the_name(), "fonts-babelstone-han is missing: run scripts/system-deps.sh"
    pdf = await roster_pdf("新签备案名册", [("name", "姓名"), ("id_number", "身份证号")],
                           [{"name": RARE_NAME, "id_number": "460105199001011234"}])
    fonts = _embedded_fonts(pdf)
    assert any("BabelStone" in name for name in fonts), fonts
    text = _poppler("pdftotext", pdf)
    assert RARE_NAME in text


async def test_a_receipt_with_a_plain_name_does_not_embed_the_fallback():
    """The fallback face costs time: documents without rare characters do not load it."""
    pdf = await receipt_pdf({
        "number": "LC202612050001", "kind_name": "劳动合同备案", "applicant": "海南椰风有限公司",
        "submitted_at": None, "materials": [], "next_steps": [], "promised_at": None,
    })
    assert not any("BabelStone" in name for name in _embedded_fonts(pdf))
