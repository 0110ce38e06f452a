"""Filling downloaded templates in tests: rows appended to the data sheet (the one after 填写说明)."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook, load_workbook


def workbook(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data))


def filled(template: Workbook | bytes, rows: list[list[Any]]) -> bytes:
    """The template with `rows` appended under its header row, as the bytes of an .xlsx file."""
    wb = workbook(template) if isinstance(template, bytes) else template
    ws = wb[wb.sheetnames[1]]
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
