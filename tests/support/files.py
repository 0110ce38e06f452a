"""Small real files for material uploads: PDFs that pypdf opens (optionally with an action), decodable images."""

from __future__ import annotations

import io

from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject


def pdf_bytes(note: str = "", *, action: str = "") -> bytes:
    """A one-page PDF; `note` varies the bytes (metadata), `action` adds an /OpenAction of that /S type
    ("/JavaScript", "/Launch")."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if note:
        writer.add_metadata({"/Subject": note})
    if action:
        payload = NameObject("/JS") if action == "/JavaScript" else NameObject("/F")
        opened = DictionaryObject({NameObject("/S"): NameObject(action),
                                   payload: TextStringObject("app.alert(1)" if action == "/JavaScript" else "calc.exe")})
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(opened)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_bytes(kind: str = "PNG", size: tuple[int, int] = (8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=kind)
    return out.getvalue()
