"""A minimal streaming xlsx writer for exports: rows go straight into the zipped sheet XML (constant memory).

openpyxl's write-only mode builds a cell object per value (~50 µs a cell here); a 100,000-row export must
take under 10 s, so exports write SpreadsheetML directly: inline strings, four styles, nothing else.
"""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from openpyxl.utils import get_column_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
# Style indexes in styles.xml below.
TEXT, DATE, MONEY, HEADER, NUMBER = 1, 2, 3, 4, 0
_EPOCH = date(1899, 12, 30)
# Characters XML 1.0 cannot carry at all; \t and \n stay, \r is kept as a character reference.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ENTITIES = {"\r": "&#13;"}

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
</Types>"""
_ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
_WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{REL}/styles" Target="styles.xml"/></Relationships>"""
_XF = '<xf numFmtId="{0}" fontId="{1}" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1"/>'
_STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>{_XF.format(49, 0)}{_XF.format(164, 0)}{_XF.format(4, 0)}{_XF.format(49, 1)}</cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""


def _text(value: str) -> str:
    return escape(_ILLEGAL.sub("", value), _ENTITIES)


class SheetStream:
    """One worksheet written row by row: `row([(value, style), …])`, then `close()`. Values: str, int, float,
    Decimal, date (as an Excel serial with the date style) or None (empty cell)."""

    def __init__(self, path: Path, title: str, widths: list[int]) -> None:
        self.zf = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self.title = title[:31]
        self.letters = [get_column_letter(i + 1) for i in range(len(widths))]
        self.number = 0
        self.out = self.zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, 1))
        self.out.write(
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}">'
            f'<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
            f'state="frozen"/></sheetView></sheetViews><cols>{cols}</cols><sheetData>'.encode()
        )

    def rows(self, rows: list[list[tuple[Any, int]]]) -> None:
        parts: list[str] = []
        letters = self.letters
        for cells in rows:
            self.number += 1
            n = self.number
            parts.append(f'<row r="{n}">')
            for letter, (value, style) in zip(letters, cells, strict=False):
                if value is None or value == "":
                    continue
                if value.__class__ is str:
                    parts.append(f'<c r="{letter}{n}" s="{style}" t="inlineStr"><is><t xml:space="preserve">'
                                 f"{_text(value)}</t></is></c>")
                elif isinstance(value, date):
                    day = value.date() if isinstance(value, datetime) else value
                    parts.append(f'<c r="{letter}{n}" s="{DATE}"><v>{(day - _EPOCH).days}</v></c>')
                elif value.__class__ is Decimal:  # money in 元, exact (no float division)
                    parts.append(f'<c r="{letter}{n}" s="{style}"><v>{value}</v></c>')
                else:
                    parts.append(f'<c r="{letter}{n}" s="{style}"><v>{value!r}</v></c>')
            parts.append("</row>")
        self.out.write("".join(parts).encode())

    def close(self) -> None:
        self.out.write(b"</sheetData></worksheet>")
        self.out.close()
        self.zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        self.zf.writestr("_rels/.rels", _ROOT_RELS)
        self.zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        self.zf.writestr("xl/styles.xml", _STYLES)
        self.zf.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{MAIN}" xmlns:r="{REL}">'
            f"<sheets><sheet name={quoteattr(_ILLEGAL.sub('', self.title))} sheetId=\"1\" r:id=\"rId1\"/></sheets>"
            "</workbook>",
        )
        self.zf.close()

    def abort(self) -> None:
        try:
            self.out.close()
        finally:
            self.zf.close()
