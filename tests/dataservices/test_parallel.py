"""A big sheet cut over worker processes gives exactly the rows, numbers, values and reasons of the in-thread path."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook

from domains.person.tables import Person
from portal.dataservices import parallel
from portal.dataservices.imports import check_rows, choice_maps, job_rows, parse_clean
from portal.dataservices.spreadsheets import UploadError, read_clean
from portal.dataservices.tables import ImportJob
from tests.dataservices.sheets import filled, libreoffice_xlsx
from tests.dataservices.support import PERSON_SPEC
from tests.support.factories import make_employer, make_id_number

ROWS = 400


def _rows() -> tuple[list[list], str]:
    """Rows with every kind of failure spread over the file; `twice` repeats near the start and the end, so
    with any cut the duplicate is found across parts."""
    twice = make_id_number()
    rows: list[list] = []
    for i in range(ROWS):
        ident = make_id_number()
        row = [f"职工{i}", ident, f"138{i:08d}", "男" if i % 2 else "女", "固定期限", date(2025, 1, 1 + i % 28),
               None, 3000 + i + 0.5]
        kind = i % 40
        if i in (3, ROWS - 3):
            row[1] = twice                       # duplicate across the cut
        elif kind == 5:
            row[1] = ident[:17] + ("1" if ident[17] != "1" else "2")   # bad check digit
        elif kind == 6:
            row[1] = 460105199001010000.0         # ID typed as a number
        elif kind == 7:
            row[5] = "2025-13-01"                 # bad date
        elif kind == 8:
            row[0] = None                         # required name missing
        elif kind == 9:
            row[3] = "未知"                        # not in the list
        elif kind == 10:
            row[0] = "一二三四五六七八九十一"          # over-long text
        elif kind == 11:
            row = [None] * 8                      # empty row: skipped, numbering goes on
        elif kind == 12:
            row[0] = "'=1+1"                      # neutralised formula from our export
        elif kind == 13:
            row[2] = "12345"                      # bad mobile
        elif kind == 14:
            row[7] = "-5"                         # bad money
        elif kind == 15:
            row[1] = "４６" + ident[2:]            # full-width digits
            row[6] = "2026/1/4"                   # date as text
        rows.append(row)
    return rows, twice


def _with_sheet_text(data: bytes, text: bytes) -> bytes:
    """The workbook with `text` appended to the data sheet's <sheetData>."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                assert b"</sheetData>" in content
                content = content.replace(b"</sheetData>", text + b"</sheetData>")
            dst.writestr(item, content)
    return out.getvalue()


async def _compare(data: bytes, monkeypatch, parts_list=(2, 3, 4)) -> list:
    maps = await choice_maps(PERSON_SPEC)
    single = read_clean(PERSON_SPEC, data, max_rows=10_000, maps=maps)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_SHEET_BYTES", 0)
    monkeypatch.setattr(parallel, "MAX_LOAD", float("inf"))  # cut whatever the machine's load
    try:
        for parts in parts_list:
            monkeypatch.setattr(parallel, "PARTS", parts)
            cut = parallel.stream_parts(PERSON_SPEC, data, parallel.PART_BYTES, parts=parts, min_bytes=0)
            assert cut is not None and len(list(cut[1])) >= parts
            rows = await parallel.read_clean_parallel(PERSON_SPEC, data, max_rows=10_000, maps=maps)
            assert rows == single
    finally:
        parallel.shutdown_pool()
    await check_rows(PERSON_SPEC, single)
    await check_rows(PERSON_SPEC, rows)
    assert rows == single
    return rows


async def test_parts_give_the_rows_of_the_single_path(monkeypatch):
    data_rows, twice = _rows()
    rows = await _compare(await filled(PERSON_SPEC, data_rows), monkeypatch)
    by_number = {r.number: r for r in rows}
    assert len(rows) == ROWS - ROWS // 40                       # the empty rows are skipped
    assert by_number[ROWS - 1].reasons == ["身份证号与第5行重复"]   # first at Excel row 5, the other in the last part
    reasons = {reason for r in rows for reason in r.reasons}
    for expected in ("身份证号校验位不正确", "身份证号应以文本格式填写（数值格式会丢失末位数字）", "合同开始日期填写的日期不存在",
                     "姓名不能为空", "性别应从下拉列表中选择", "姓名不能超过10个字", "手机号码应为11位，以1开头",
                     "月工资（元）应为不小于0的数字，最多两位小数"):
        assert expected in reasons
    assert by_number[14].values["name"] == "=1+1" and by_number[17].data["end"] == date(2026, 1, 4)
    assert by_number[2].data["wage"] == 300050 and by_number[2].data["start"] == date(2025, 1, 1)


async def test_a_libreoffice_file_with_shared_strings_cuts_the_same(monkeypatch):
    lines = ["姓名,身份证号,手机号码,性别,合同类型,合同开始日期,合同终止日期,月工资（元）"]
    twice = make_id_number()
    for i in range(300):
        ident = twice if i in (1, 298) else make_id_number()
        name = "一二三四五六七八九十一" if i % 50 == 9 else f"职工{i}"
        lines.append(f"{name},{ident},138{i:08d},{'男' if i % 3 else '不详'},固定期限,2025-01-{1 + i % 28:02d},,{3000 + i}")
    data = libreoffice_xlsx("\n".join(lines) + "\n", text_columns=[2, 3])
    rows = await _compare(data, monkeypatch, parts_list=(2, 3))
    assert rows[-2].reasons == ["身份证号与第3行重复"] and len(rows) == 300
    assert {r.number for r in rows if "性别应从下拉列表中选择" in r.reasons} == {i + 2 for i in range(0, 300, 3)}


async def test_refused_parts_fall_back_and_the_row_limit_is_the_same(monkeypatch):
    data_rows, _ = _rows()
    data = await filled(PERSON_SPEC, data_rows)
    maps = await choice_maps(PERSON_SPEC)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_SHEET_BYTES", 0)
    monkeypatch.setattr(parallel, "MAX_LOAD", float("inf"))  # cut whatever the machine's load
    try:
        with pytest.raises(UploadError) as single:
            read_clean(PERSON_SPEC, data, max_rows=100, maps=maps)
        # a part over the limit is refused in its worker; the import then reads the whole file for the error
        assert await parallel.read_clean_parallel(PERSON_SPEC, data, max_rows=100, maps=maps) is None
        with pytest.raises(UploadError) as cut:
            await parse_clean(PERSON_SPEC, data, max_bytes=10**8, max_rows=100)
        assert cut.value.message == single.value.message == "文件超过100行的上限，请分批上传"
        # parts each under the limit, together over it: refused after the join, with the same message
        with pytest.raises(UploadError) as cut:
            await parallel.read_clean_parallel(PERSON_SPEC, data, max_rows=250, maps=maps)
        assert cut.value.message == "文件超过250行的上限，请分批上传"
        with pytest.raises(UploadError):
            read_clean(PERSON_SPEC, data, max_rows=250, maps=maps)
        # a header that does not match: the parts are refused, the caller reads the whole file for the error
        wb = load_workbook(io.BytesIO(data))
        wb[PERSON_SPEC.sheet_title]["B1"] = "证件号"
        buffer = io.BytesIO()
        wb.save(buffer)
        assert await parallel.read_clean_parallel(PERSON_SPEC, buffer.getvalue(), max_rows=10_000, maps=maps) is None
        # "<row" inside a comment or CDATA could be taken for a tag: such a sheet is never cut
        for trap in (b'<!-- <row r="9"> -->', b'<row r="1000"><c r="A1000" t="inlineStr"><is><t><![CDATA[<row r="5">]]>'
                                                b'</t></is></c></row>'):
            trapped = _with_sheet_text(data, trap)
            assert await parallel.read_clean_parallel(PERSON_SPEC, trapped, max_rows=10_000, maps=maps) is None
        assert await parallel.read_clean_parallel(PERSON_SPEC, data, max_rows=10_000, maps=maps) is not None
        # a busy machine reads in-process: cutting costs more CPU in all
        monkeypatch.setattr(parallel, "MAX_LOAD", 0.0)
        assert await parallel.read_clean_parallel(PERSON_SPEC, data, max_rows=10_000, maps=maps) is None
        monkeypatch.setattr(parallel, "MAX_LOAD", float("inf"))
        # small sheets are not cut
        monkeypatch.setattr(parallel, "PARALLEL_MIN_SHEET_BYTES", 10**9)
        assert await parallel.read_clean_parallel(PERSON_SPEC, data, max_rows=10_000, maps=maps) is None
    finally:
        parallel.shutdown_pool()


async def test_upload_through_the_workers_gives_the_same_result_page(client, monkeypatch):
    employer = await make_employer()
    await client.sign_in_employer(employer)
    data_rows, _ = _rows()
    data = await filled(PERSON_SPEC, data_rows)
    results = []
    monkeypatch.setattr(parallel, "MAX_LOAD", float("inf"))
    try:
        for threshold in (10**9, 0):
            monkeypatch.setattr(parallel, "PARALLEL_MIN_SHEET_BYTES", threshold)
            used = parallel.worker_cpu_s
            response = await client.post_form("/_test/ds/import", files={"file": ("人员.xlsx", data)})
            assert response.status_code == 303
            token = response.headers["location"].rstrip("/").rsplit("/", 1)[-1]
            job = await ImportJob.select().where(ImportJob.token == token).first()
            results.append([(r.number, r.values, r.reasons) for r in job_rows(job)])
            assert (parallel.worker_cpu_s > used) == (threshold == 0)  # the second upload went through the workers
            assert await Person.count() > 300
            await Person.delete(force=True)  # the test route refuses people already registered
    finally:
        parallel.shutdown_pool()
    # the same failed rows either way (accepted rows are counted, not stored)
    assert results[0] == results[1] and results[0] and all(reasons for _, _, reasons in results[0])


async def test_a_big_sheet_read_part_by_part_gives_the_rows_of_the_whole_read(monkeypatch):
    """read_clean_in_parts (the in-process path of a big sheet, bounded memory) with parts of a few rows."""
    data_rows, _ = _rows()
    data = await filled(PERSON_SPEC, data_rows)
    maps = await choice_maps(PERSON_SPEC)
    whole = read_clean(PERSON_SPEC, data, max_rows=10_000, maps=maps)
    for part_bytes in (2_000, 9_000, 40_000):
        found = parallel.stream_parts(PERSON_SPEC, data, part_bytes)
        assert found is not None and len(list(found[1])) > 2
        monkeypatch.setattr(parallel, "PART_BYTES", part_bytes)
        assert parallel.read_clean_in_parts(PERSON_SPEC, data, max_rows=10_000, maps=maps) == whole
    # limits and refusals are the whole read's
    with pytest.raises(UploadError) as caught:
        parallel.read_clean_in_parts(PERSON_SPEC, data, max_rows=250, maps=maps)
    assert caught.value.message == "文件超过250行的上限，请分批上传"
    trap = _with_sheet_text(data, b'<!-- <row r="9"> -->')
    assert parallel.read_clean_in_parts(PERSON_SPEC, trap, max_rows=10_000, maps=maps) == whole
    wb = load_workbook(io.BytesIO(data))
    wb[PERSON_SPEC.sheet_title]["B1"] = "证件号"
    buffer = io.BytesIO()
    wb.save(buffer)
    with pytest.raises(UploadError) as caught:
        parallel.read_clean_in_parts(PERSON_SPEC, buffer.getvalue(), max_rows=10_000, maps=maps)
    assert "表头" in caught.value.message
    # a small sheet is read whole
    assert parallel.stream_parts(PERSON_SPEC, data, 10**9) is None
