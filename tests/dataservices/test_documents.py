"""PDFs through Chromium: Chinese text and embedded CJK font, sealed network, certificates and their verification."""
# ruff: noqa: S603, S607, ASYNC221, ASYNC240 - tests shell out to poppler and read files they wrote

from __future__ import annotations

import asyncio
import hashlib
import subprocess
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

from portal.dataservices import documents
from portal.dataservices.certificates import Fact, issue_certificate, revoke_certificate, store_document
from portal.dataservices.documents import receipt_pdf, renderer, roster_pdf
from portal.filters import local_time
from portal.storage import storage_file
from tests.support.factories import make_employer, make_id_number
from tests.support.urls import url_for

EVIL = "http://evil.invalid"


def pdf_text(pdf: bytes, *args: str) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(pdf)
        fh.flush()
        return subprocess.run(["pdftotext", *args, fh.name, "-"], check=True, capture_output=True, text=True).stdout


def pdf_fonts(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(pdf)
        fh.flush()
        return subprocess.run(["pdffonts", fh.name], check=True, capture_output=True, text=True).stdout


RECEIPT = {
    "number": "LC202611230001", "kind_name": "劳动合同备案", "applicant": "海南椰风有限公司",
    "submitted_at": datetime(2026, 11, 23, 2, 30, tzinfo=UTC), "materials": ["劳动合同文本", "营业执照复印件"],
    "next_steps": ["审核机构在5个工作日内审核"], "promised_at": date(2026, 11, 30),
}


async def test_receipt_has_chinese_text_page_footer_and_embedded_cjk_font():
    pdf = await receipt_pdf(RECEIPT)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    flat = "".join(text.split())
    assert "第1页共1页" in flat
    for expected in ("劳动合同备案受理回执", "海南椰风有限公司", "LC202611230001", "劳动合同文本", "2026-11-23 10:30"):
        assert expected in text, expected
    # Chromium (Skia) embeds the CFF-outline Noto Sans CJK as Type 3 glyph programs: every font embedded,
    # with a Unicode map (pdffonts columns emb, uni)
    fonts = pdf_fonts(pdf).splitlines()[2:]
    assert fonts and all(line.split()[-4:-2] == ["yes", "yes"] or " yes " in line for line in fonts)
    assert all(line.split()[-5] == "yes" and line.split()[-3] == "yes" for line in fonts), pdf_fonts(pdf)
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "(A4)" in info


def png(pdf: bytes) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "in.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "40", "-png", "-singlefile", f"{tmp}/in.pdf", f"{tmp}/out"], check=True)
        return (Path(tmp) / "out.png").read_bytes()


async def test_chinese_glyphs_are_really_drawn_not_boxes():
    # with no CJK font every character would be the same .notdef box and both pages would look alike
    a = await renderer().pdf('<p style="font-size:60pt">劳动合同备案</p>', title="甲")
    b = await renderer().pdf('<p style="font-size:60pt">社会保险登记</p>', title="甲")
    assert png(a) != png(b)
    assert "Type 3" in pdf_fonts(a) or "CID" in pdf_fonts(a)


async def test_roster_breaks_across_pages_and_repeats_the_header():
    rows = [{"name": f"职工{i:03d}", "id_number": f"4601********{i:04d}", "start": "2025-01-01"} for i in range(150)]
    pdf = await roster_pdf("新签备案名册", [("name", "姓名"), ("id_number", "身份证号"), ("start", "合同开始日期")],
                           rows, meta=[("单位", "海南椰风有限公司")])
    pages = pdf_text(pdf).split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 2
    assert all("合同开始日期" in p for p in pages)
    assert f"第{len(pages)}页共{len(pages)}页" in "".join(pages[-1].split())
    assert "职工149" in pages[-1]


async def test_user_text_triggers_no_request_and_foreign_resources_are_blocked():
    r = renderer()
    r.blocked.clear()
    hostile = dict(RECEIPT, applicant=f'<img src="{EVIL}/typed.png">{EVIL}/plain',
                   materials=[f'<link rel="stylesheet" href="{EVIL}/x.css">'])
    text = pdf_text(await receipt_pdf(hostile))
    assert f"{EVIL}/plain" in text.replace("\n", "")
    assert r.blocked == []
    # even a template that tried to load something from outside could not, and scripts do not run
    html = (f'<html><body><img src="{EVIL}/tpl.png"><link rel="stylesheet" href="https://fonts.example/f.css">'
            f'<script>fetch("{EVIL}/js")</script><img src="/static/css/portal.css"><p>正文</p></body></html>')
    pdf = await r.pdf(html, title="测试")
    assert "正文" in pdf_text(pdf)
    assert f"{EVIL}/tpl.png" in r.blocked and "https://fonts.example/f.css" in r.blocked
    assert not any(u.endswith("/js") for u in r.blocked)
    assert not any("/static/" in u for u in r.blocked)  # our own static files load


async def test_renderer_restarts_after_the_browser_dies_and_bounds_concurrency(monkeypatch):
    r = renderer()
    await r.pdf("<p>预热</p>", title="预热")
    launches = r.launches
    await r.kill_browser_for_test()
    assert "重启" in pdf_text(await r.pdf("<p>重启后</p>", title="重启"))
    assert r.launches == launches + 1
    in_flight = {"now": 0, "max": 0}
    original = r._print

    async def counting(*args, **kwargs):
        in_flight["now"] += 1
        in_flight["max"] = max(in_flight["max"], in_flight["now"])
        try:
            return await original(*args, **kwargs)
        finally:
            in_flight["now"] -= 1

    monkeypatch.setattr(r, "_print", counting)
    await asyncio.gather(*(r.pdf(f"<p>并发{i}</p>", title="并发") for i in range(6)))
    assert in_flight["max"] == r.concurrency == 2


async def _revoked_at(code: str):
    from portal.dataservices.tables import Certificate

    return (await Certificate.select(Certificate.revoked_at).where(Certificate.code == code).first())["revoked_at"]


async def test_certificate_verification_valid_then_revoked(app, client):
    employer = await make_employer(name="海南椰风有限公司")
    ident = make_id_number()
    cert = await issue_certificate(
        kind="work_injury_proof", title="工伤保险单位证明", base_url="http://portal.example",
        facts=[Fact("姓名", "张三丰", "name"), Fact("身份证号", ident, "id_number"), Fact("单位名称", employer["name"])],
        paragraphs=["兹证明上述人员参加工伤保险。"], owner_employer_id=employer["id"], division_code="460105",
    )
    assert len(cert["code"]) == 24  # 120 random bits
    pdf = storage_file(app.state.settings.storage_dir, cert["storage_path"]).read_bytes()
    assert hashlib.sha256(pdf).hexdigest() == cert["pdf_sha256"]
    text = pdf_text(pdf)
    assert "工伤保险单位证明" in text and ident in text and cert["code"] in text
    assert f"http://portal.example/verify/{cert['code']}" in text.replace("\n", "")

    soup = await client.page(url_for("verify_certificate", code=cert["code"]))
    page = soup.get_text()
    assert "有效" in soup.find(attrs={"data-testid": "verify-status"}).get_text()
    assert "张**" in page and ident not in page and "张三丰" not in page
    assert ident[:6] + "********" + ident[-4:] in page and "海南椰风有限公司" in page

    assert await revoke_certificate(cert["code"], "信息有误")
    assert not await revoke_certificate(cert["code"], "again")
    soup = await client.page(url_for("verify_certificate", code=cert["code"]))
    status = soup.find(attrs={"data-testid": "verify-status"}).get_text()
    # The public page says 已撤销 and when; the staff member's free-text reason stays internal (issue #12 item 8).
    revoked_on = local_time(await _revoked_at(cert["code"]), "%Y年%m月%d日")
    assert "已撤销" in status and revoked_on in status
    assert "信息有误" not in soup.get_text()
    await client.page("/verify/NOSUCHCODE", status=404)


async def test_stored_document_downloads_unchanged_for_owner_only(app, client, other_client):
    owner = await make_employer()
    other = await make_employer()
    pdf = await receipt_pdf(RECEIPT)
    doc = await store_document(pdf, kind="receipt", title="回执", owner_employer_id=owner["id"], division_code="460105")
    url = url_for("document_download", token=doc["token"])
    await client.sign_in_employer(owner)
    response = await client.get(url)
    assert response.status_code == 200 and response.content == pdf
    assert response.headers["content-type"] == "application/pdf"
    await other_client.sign_in_employer(other, acting_name="李法人")
    assert (await other_client.get(url)).status_code == 404
    # Staff need the permission registered for the document's kind; no domain registered "receipt".
    await other_client.sign_in_staff("doc_in", permissions=["lc.review"], scopes={"division": ["460100"]})
    assert (await other_client.get(url)).status_code == 404
    await other_client.sign_in_staff("doc_out", scopes={"division": ["460200"]})
    assert (await other_client.get(url)).status_code == 404
    # a file changed on disk is never served as the document
    storage_file(app.state.settings.storage_dir, doc["storage_path"]).write_bytes(pdf + b"tampered")
    assert (await client.get(url)).status_code == 404


def test_render_html_escapes_user_data():
    html = documents.render_html("documents/receipt.html", {"r": dict(RECEIPT, applicant="<b>x</b>"), "title": "t"})
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html


async def test_render_that_overruns_the_timeout_fails_cleanly_and_the_next_works(monkeypatch):
    import pytest

    from portal.dataservices.documents import PdfError

    r = renderer()
    await r.pdf("<p>预热</p>", title="预热")
    monkeypatch.setattr(documents, "TIMEOUT_S", 0.001)
    with pytest.raises(PdfError, match="超时"):
        await r.pdf("<p>超时</p>", title="超时")
    monkeypatch.setattr(documents, "TIMEOUT_S", 15.0)
    assert "之后" in pdf_text(await r.pdf("<p>之后</p>", title="之后"))


def test_css_string_cannot_break_out_of_the_margin_box():
    quoted = documents.css_string('编号 "}</style><img src=x>\\')
    assert quoted.startswith('"') and quoted.endswith('"')
    assert not any(ch in quoted[1:-1] for ch in '"}<>/')
    assert "编号 " in quoted


async def test_header_with_markup_and_quotes_is_printed_as_text_and_loads_nothing():
    r = renderer()
    r.blocked.clear()
    number = f'LC"}}</style><img src="{EVIL}/hdr.png">'
    text = "".join(pdf_text(await receipt_pdf(dict(RECEIPT, number=number))).split())
    assert "回执编号LC\"}</style><imgsrc=" in text and "第1页共1页" in text
    assert r.blocked == []


async def test_characters_outside_the_bundled_font_still_draw_from_the_system_face():
    # PortalDoc holds the GB 2312 汉字; 堃 and 燚 (common in names) are not in it and fall back to Noto Sans CJK
    assert documents.FONT_FILE.is_file()
    for ch in "堃燚":
        try:
            ch.encode("gb2312")
            raise AssertionError(ch)
        except UnicodeEncodeError:
            pass
    a = await renderer().pdf('<p style="font-size:60pt">张堃</p>', title="甲")
    b = await renderer().pdf('<p style="font-size:60pt">张燚</p>', title="甲")
    assert png(a) != png(b)
    assert "张堃" in pdf_text(a)


async def test_bold_is_synthesised_from_the_one_face_not_dropped():
    # th and h1 are bold: drawn heavier than the same text in normal weight
    r = renderer()
    normal = await r.pdf('<p style="font-size:40pt">劳动合同</p>', title="甲")
    bold = await r.pdf('<p style="font-size:40pt;font-weight:bold">劳动合同</p>', title="甲")
    assert png(normal) != png(bold)


async def test_roster_is_landscape_a4_unless_asked_otherwise():
    rows = [{"name": "职工1"}]

    def size(pdf: bytes) -> list[float]:
        info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        line = next(x for x in info.splitlines() if x.startswith("Page size:"))
        return [float(v) for v in line.split()[2:5:2]]

    wide, tall = size(await roster_pdf("名册", [("name", "姓名")], rows)), size(await receipt_pdf(RECEIPT))
    assert wide[0] > wide[1] and tall[0] < tall[1]
    assert round(wide[0]) == round(tall[1]) == 843  # A4: 297 mm
