"""Template workbooks from a SheetSpec: 填写说明, header comments, drop-downs, date formats; failed rows refilled."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from portal.core import dictionary
from portal.dataservices.export import neutralise
from portal.dataservices.spreadsheets import (
    INSTRUCTIONS_SHEET,
    META_SHEET,
    OPTIONS_SHEET,
    REASON_HEADER,
    RowResult,
    SheetColumn,
    SheetSpec,
)
from portal.values import date_message

# Validations cover this many data rows (the default row limit); beyond it Excel simply does not check.
VALIDATED_ROWS = 50_000
_INLINE_LIST_MAX = 200  # Excel refuses inline lists longer than 255 characters
_TYPE_HINTS = {
    "text": "文本",
    "int": "整数",
    "money": "金额（元，最多两位小数）",
    "date": "日期，格式yyyy-mm-dd，如2025-01-31",
    "id_number": "18位居民身份证号码，末位X大写",
    "uscc": "18位统一社会信用代码",
    "phone": "手机号或固定电话（区号-号码）",
    "mobile": "11位手机号码",
    "choice": "从下拉列表中选择",
}


async def choice_labels(column: SheetColumn) -> list[str]:
    if column.choices:
        return list(column.choices)
    return [label for _, label in await dictionary.choices(column.category)]


async def choice_map(column: SheetColumn) -> dict[str, str]:
    """Cell text → stored value: a dictionary label or code maps to the code; static choices map to themselves."""
    if column.choices:
        return {c: c for c in column.choices}
    out: dict[str, str] = {}
    for code, label in await dictionary.choices(column.category):
        out[code] = code
        out[label] = code
    return out


def _describe(column: SheetColumn) -> str:
    parts = ["必填" if column.required else "选填", _TYPE_HINTS[column.type]]
    if column.max_len:
        parts.append(f"不超过{column.max_len}个字")
    if column.help:
        parts.append(column.help)
    return "；".join(parts)


async def template_bytes(spec: SheetSpec, rows: Sequence[RowResult] = (), *, with_reasons: bool = False) -> bytes:
    """The downloadable template; with `rows`, the same template refilled (the failed-rows workbook)."""
    wb = Workbook()
    guide = wb.active
    guide.title = INSTRUCTIONS_SHEET
    ws = wb.create_sheet(spec.sheet_title)
    options = wb.create_sheet(OPTIONS_SHEET)
    options.sheet_state = "hidden"
    meta = wb.create_sheet(META_SHEET)
    meta.append([spec.name, spec.title, spec.version])
    meta.sheet_state = "hidden"

    guide.column_dimensions["A"].width = 22
    guide.column_dimensions["B"].width = 90
    guide.append([f"{spec.title} 填写说明"])
    guide["A1"].font = Font(bold=True, size=14)
    for line in spec.instructions:
        guide.append(["", line])
    guide.append(["", f"请在“{spec.sheet_title}”工作表中从第2行起逐行填写，不要修改表头、不要增删列。"])
    guide.append(["", "“失败原因”列由系统填写，修改后重新上传时可保留或清空。"])
    guide.append([])
    guide.append(["列名", "填写要求"])
    for cell in guide[guide.max_row]:
        cell.font = Font(bold=True)
    for column in spec.columns:
        guide.append([column.label, _describe(column)])
    for row in guide.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    required_fill = PatternFill("solid", fgColor="FCE4D6")
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    headers = [*spec.labels, REASON_HEADER]
    ws.append(headers)
    last_row = VALIDATED_ROWS + 1
    option_col = 0
    for i, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(i)
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        cell.fill = required_fill if column.required else header_fill
        comment = Comment(_describe(column), "人社网上办事大厅")
        comment.width, comment.height = 240, 90
        cell.comment = comment
        ws.column_dimensions[letter].width = column.width
        target = f"{letter}2:{letter}{last_row}"
        if column.type in {"id_number", "uscc", "phone", "mobile", "text"}:
            # Text format keeps 18-digit numbers and leading zeros as typed.
            ws.column_dimensions[letter].number_format = "@"
        if column.type == "date":
            ws.column_dimensions[letter].number_format = "yyyy-mm-dd"
            dv = DataValidation(type="date", operator="between", formula1="DATE(1900,1,1)", formula2="DATE(2099,12,31)")
            dv.error = date_message(column.label)  # the message the upload gives (portal.values)
        elif column.type == "choice":
            labels = await choice_labels(column)
            if sum(len(x) + 1 for x in labels) <= _INLINE_LIST_MAX and not any("," in x for x in labels):
                dv = DataValidation(type="list", formula1='"' + ",".join(labels) + '"')
            else:
                option_col += 1
                col_letter = get_column_letter(option_col)
                options.cell(row=1, column=option_col, value=column.label)
                for r, label in enumerate(labels, start=2):
                    options.cell(row=r, column=option_col, value=label)
                ref = f"{quote_sheetname(OPTIONS_SHEET)}!${col_letter}$2:${col_letter}${len(labels) + 1}"
                dv = DataValidation(type="list", formula1=ref)
            dv.error = f"{column.label}请从下拉列表中选择"
        elif column.max_len:
            dv = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(column.max_len))
            dv.error = f"{column.label}不能超过{column.max_len}个字"
        elif column.type in {"id_number", "uscc"}:
            dv = DataValidation(type="textLength", operator="equal", formula1="18")
            dv.error = f"{column.label}应为18位"
        else:
            dv = None
        if dv is not None:
            dv.showErrorMessage = True
            dv.errorTitle = "输入有误"
            dv.allow_blank = not column.required
            dv.add(target)
            ws.add_data_validation(dv)
    reason_cell = ws.cell(row=1, column=len(headers))
    reason_cell.font = Font(bold=True, color="808080")
    reason_cell.comment = Comment("由系统填写的未通过原因；重新上传时本列会被忽略", "人社网上办事大厅")
    ws.column_dimensions[get_column_letter(len(headers))].width = 50
    ws.freeze_panes = "A2"

    # Each row goes back to its own row number: 第N行 in the reasons and on the result page stays true.
    reason_column = len(spec.columns) + 1
    for result in rows:
        for i, column in enumerate(spec.columns, start=1):
            if text := result.values.get(column.key, ""):
                ws.cell(row=result.number, column=i, value=neutralise(text))
        if with_reasons and result.reasons:
            ws.cell(row=result.number, column=reason_column, value="；".join(result.reasons))
    wb.active = 1
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
