"""SheetSpec rules: the template workbook, refusal of hostile or wrong files, normalisation and per-row reasons."""

from __future__ import annotations

import io
import time
import tracemalloc
from datetime import date

import pytest
from openpyxl import load_workbook

from portal.dataservices.imports import parse_upload, validate_rows
from portal.dataservices.spreadsheets import (
    SheetColumn,
    SheetSpec,
    UploadError,
    check_upload,
    read_rows,
)
from portal.dataservices.workbooks import template_bytes
from tests.dataservices.sheets import filled, libreoffice_xlsx, with_extra_entry, zip_bomb
from tests.dataservices.support import PERSON_SPEC
from tests.support.factories import make_id_number

MB = 1024 * 1024
OTHER_SPEC = SheetSpec(
    name="ds_test_other", title="单位批量登记模板",
    columns=[SheetColumn("name", "单位名称"), SheetColumn("uscc", "统一社会信用代码", type="uscc"),
             SheetColumn("division", "所在地区", type="choice", category="division")],
)


async def _parse(data: bytes, spec: SheetSpec = PERSON_SPEC, max_rows: int = 50_000):
    rows = await parse_upload(spec, data, max_bytes=20 * MB, max_rows=max_rows)
    return await validate_rows(spec, rows)


async def test_template_has_instructions_comments_validations_and_formats():
    wb = load_workbook(io.BytesIO(await template_bytes(PERSON_SPEC)))
    assert wb.sheetnames[:2] == ["填写说明", "人员批量登记模板"]
    assert wb["选项"].sheet_state == "hidden" and wb["模板信息"].sheet_state == "hidden"
    guide = "\n".join(str(c.value) for row in wb["填写说明"].iter_rows() for c in row if c.value)
    assert "不超过10个字" in guide and "18位居民身份证号码" in guide and "每行填写一名人员" in guide
    ws = wb["人员批量登记模板"]
    assert [c.value for c in ws[1]] == [*PERSON_SPEC.labels, "失败原因"]
    assert "必填" in ws["A1"].comment.text and "选填" in ws["C1"].comment.text
    validations = ws.data_validations.dataValidation
    assert validations and all(v.showErrorMessage for v in validations)
    kinds = {str(v.sqref).split(":")[0]: v for v in validations}
    assert kinds["A2"].type == "textLength" and kinds["A2"].formula1 == "10"
    assert kinds["D2"].type == "list" and kinds["D2"].formula1 == '"男,女"'
    assert kinds["E2"].type == "list" and "固定期限" in kinds["E2"].formula1
    assert kinds["F2"].type == "date"
    assert ws.column_dimensions["F"].number_format == "yyyy-mm-dd"
    assert ws.column_dimensions["B"].number_format == "@"


async def test_long_dictionary_lists_go_to_the_hidden_sheet():
    wb = load_workbook(io.BytesIO(await template_bytes(OTHER_SPEC)))
    dv = next(v for v in wb["单位批量登记模板"].data_validations.dataValidation if v.type == "list")
    assert dv.formula1.startswith("'选项'!$A$2:$A$")
    options = [c.value for c in wb["选项"]["A"]]
    assert "海口市" in options and "海南省" in options


async def test_per_row_reasons_and_duplicates():
    good = make_id_number()
    bad_check = good[:17] + ("0" if good[17] != "0" else "1")
    data = await filled(PERSON_SPEC, [
        ["张三", good, "13800000001", "男", "固定期限", "2025-01-01", "2027-12-31", "5000"],
        ["一二三四五六七八九十一", bad_check, "123", "未知", "临时工", "2025-02-30", "", "12.345"],
        ["", "", "", "", "", "", "", ""],  # an empty line is skipped, not an error
        ["李四", good, "", "女", "无固定期限", "2025-03-01", "", "4000"],
    ])
    rows = await _parse(data)
    assert [r.number for r in rows] == [2, 3, 5]
    assert rows[0].ok and rows[0].data["wage"] == 500000 and rows[0].data["start"] == date(2025, 1, 1)
    assert rows[0].data["contract_type"] == "1"  # label → dictionary code
    assert rows[1].reasons == [
        "姓名不能超过10个字", "身份证号校验位不正确", "手机号码应为11位，以1开头", "性别应从下拉列表中选择",
        "合同类型应从下拉列表中选择", "合同开始日期填写的日期不存在", "月工资（元）应为不小于0的数字，最多两位小数",
    ]
    assert rows[2].reasons == ["身份证号与第2行重复"]


async def test_full_width_digits_stray_spaces_and_date_forms_are_normalised():
    ident = make_id_number()
    wide = ident.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    data = await filled(PERSON_SPEC, [
        ["\u3000王五 ", " " + wide + "\u3000", "１３８０００００００２", "男", "固定期限", date(2025, 1, 5), None, 5000],
        ["赵六", make_id_number(), None, "女", "1", "2025/1/5", "2026年1月4日", "3000.5"],
        ["钱七", make_id_number(), None, "女", "1", 45662, "20260104", "１０００"],
    ])
    rows = await _parse(data)
    assert all(r.ok for r in rows), [r.reasons for r in rows]
    assert rows[0].data["name"] == "王五" and rows[0].data["id_number"] == ident
    assert rows[0].data["mobile"] == "13800000002"
    assert [r.data["start"] for r in rows] == [date(2025, 1, 5)] * 3
    assert rows[1].data["end"] == rows[2].data["end"] == date(2026, 1, 4)
    assert rows[1].data["wage"] == 300050 and rows[2].data["wage"] == 100000


async def test_id_number_typed_as_a_number_is_reported_not_guessed():
    data = await filled(PERSON_SPEC, [["孙八", 110105194912310000, None, "男", "1", "2025-01-01", None, 1]])
    rows = await _parse(data)
    assert rows[0].reasons == ["身份证号应以文本格式填写（数值格式会丢失末位数字）"]


async def test_wrong_template_names_the_expected_one():
    with pytest.raises(UploadError) as caught:
        await _parse(await template_bytes(OTHER_SPEC))
    assert caught.value.message == "上传的是“单位批量登记模板”模板，本功能需要“人员批量登记模板”模板，请下载正确的模板填写"
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["姓名", "证件号"])
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(UploadError) as caught:
        await _parse(buf.getvalue())
    assert "请下载“人员批量登记模板”模板" in caught.value.message


async def test_row_limit_stops_reading():
    data = await filled(PERSON_SPEC, [["甲", make_id_number(), None, "男", "1", "2025-01-01", None, 1]] * 5)
    with pytest.raises(UploadError) as caught:
        await _parse(data, max_rows=3)
    assert caught.value.message == "文件超过3行的上限，请分批上传"


async def test_oversize_not_a_zip_macros_and_external_links_are_refused():
    template = await template_bytes(PERSON_SPEC)
    with pytest.raises(UploadError) as caught:
        check_upload(template, max_bytes=1000)
    assert caught.value.status == 413 and "超过" in caught.value.message
    cases = {
        b"name,id\n": "不是有效的Excel",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100: "不支持.xls或加密的文件",
        with_extra_entry(template, "xl/vbaProject.bin"): "文件包含宏",
        with_extra_entry(template, "xl/externalLinks/externalLink1.xml"): "外部链接",
    }
    for data, message in cases.items():
        with pytest.raises(UploadError) as caught:
            check_upload(data, max_bytes=20 * MB)
        assert message in caught.value.message


async def test_zip_bomb_refused_fast_and_small():
    bomb = zip_bomb(60)
    assert len(bomb) < MB
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(UploadError) as caught:
        await parse_upload(PERSON_SPEC, bomb, max_bytes=20 * MB, max_rows=50_000)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "压缩炸弹" in caught.value.message
    assert elapsed < 2 and peak < 100 * MB
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", "<x/>")
        for i in range(600):
            zf.writestr(f"xl/media/{i}.bin", b"")
    with pytest.raises(UploadError) as caught:
        check_upload(out.getvalue(), max_bytes=20 * MB)
    assert "部件过多" in caught.value.message


async def test_file_written_by_libreoffice_reads_like_ours():
    ident = make_id_number()
    csv_text = (
        "姓名,身份证号,手机号码,性别,合同类型,合同开始日期,合同终止日期,月工资（元）\n"
        f"周九,{ident},13800000003,男,固定期限,2025-01-05,2026/1/4,5000.50\n"
        f"吴十,{ident[:-1]}0,,女,无固定期限,2025-01-06,,3000\n"
    )
    data = libreoffice_xlsx(csv_text, text_columns=[2, 3])
    rows = await _parse(data)
    assert rows[0].ok, rows[0].reasons
    assert rows[0].data["id_number"] == ident and rows[0].data["start"] == date(2025, 1, 5)
    assert rows[0].data["end"] == date(2026, 1, 4) and rows[0].data["wage"] == 500050
    assert rows[1].reasons and rows[1].number == 3


def test_openpyxl_parses_xml_through_defusedxml():
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True


def test_read_rows_runs_without_a_database():
    # read_rows is pure (calamine in a worker thread): no event loop or DB needed
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(PERSON_SPEC.labels)
    wb.active.append(["甲"] * 8)
    buf = io.BytesIO()
    wb.save(buf)
    rows = read_rows(PERSON_SPEC, buf.getvalue(), max_rows=10)
    assert rows[0].values["name"] == "甲" and rows[0].number == 2
