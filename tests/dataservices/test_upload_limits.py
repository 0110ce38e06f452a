"""Uploads within limits (issue #12, items 10, 11, 13): memory budget, content-type checks, compact results."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from portal.dataservices.imports import results_json
from portal.dataservices.spreadsheets import UploadError, check_budget, check_upload, read_clean
from portal.dataservices.tables import ImportJob
from portal.dataservices.workbooks import template_bytes
from tests.dataservices.sheets import crafted_workbook, filled
from tests.dataservices.support import PERSON_SPEC
from tests.dataservices.test_imports import _employer, _row, _upload
from tests.support.factories import make_id_number
from tests.support.urls import url_for

MB = 1024 * 1024
ROOT = Path(__file__).resolve().parents[2]
MAPS = {"gender": {"男": "男", "女": "女"}, "contract_type": {"固定期限": "1"}}


def _cell(name_len: int):
    ids = [make_id_number() for _ in range(1000)]

    def cell(n: int, column) -> str:
        return {"name": "张" * (name_len - 1) + str(n % 10), "id_number": ids[n % 1000], "mobile": "13800138000",
                "gender": "男", "contract_type": "固定期限", "start": "2025-01-01", "end": "", "wage": "5000"}[column.key]
    return cell


_MEASURE = """
import json, os, sys, time
sys.path.insert(0, {root!r})
from portal.dataservices.imports import results_json
from portal.dataservices.parallel import read_clean_in_parts
from portal.dataservices.spreadsheets import UploadError, check_budget, check_upload
from tests.dataservices.support import PERSON_SPEC
data = open(sys.argv[1], "rb").read()
started = time.perf_counter()
out = {{}}
try:
    check_upload(data, max_bytes=20 * 1024 * 1024)
    check_budget(PERSON_SPEC, data, max_rows=50000)
    rows = read_clean_in_parts(PERSON_SPEC, data, max_rows=50000, maps={maps!r})  # what an import reads with
    out["rows"] = len(rows)
    out["failed"] = sum(1 for r in rows if r.reasons)
    out["results_bytes"] = len(results_json(rows, written=True).encode())
except UploadError as exc:
    out["refused"] = exc.message
out["seconds"] = round(time.perf_counter() - started, 2)
# VmHWM, not getrusage(): ru_maxrss keeps the parent's high-water mark across fork + exec
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
out["peak_mb"] = round(int(hwm.split()[1]) / 1024)
print(json.dumps(out, ensure_ascii=False))
"""


def _measure(path: Path) -> dict:
    """Check + read + results of one file in a fresh interpreter: its peak RSS is this upload's alone."""
    code = _MEASURE.format(root=str(ROOT), maps=MAPS)
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=300,
                          check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_crafted_long_names_stay_within_a_memory_budget(tmp_path):
    # the file: 2.4 MB, 45,000 rows of 1,400-character names (inside the zip limits)
    big = crafted_workbook(tmp_path / "big.xlsx", PERSON_SPEC, 45_000, _cell(1400))
    assert big.stat().st_size < 3 * MB
    refused = _measure(big)
    assert "模板的容量" in refused.get("refused", ""), refused
    assert refused["peak_mb"] < 150, refused
    # the worst file inside the budget: 50,000 rows of 250-character names, every row refused with a reason
    within = crafted_workbook(tmp_path / "within.xlsx", PERSON_SPEC, 50_000, _cell(250))
    read = _measure(within)
    assert read.get("rows") == 50_000 and read["failed"] == 50_000, read
    assert read["peak_mb"] < 200, read  # issue #12 item 10 (read whole: 213–218 MB)
    assert read["results_bytes"] < 12 * MB, read  # 11 characters of each name kept, not 250
    print("memory figures", refused, read)


def test_shared_string_repeated_in_every_row_counts_where_it_is_used(tmp_path):
    # one 1,400-character shared string in 45,000 cells: a small sheet XML that calamine would copy per cell
    other = _cell(5)
    path = crafted_workbook(tmp_path / "sst.xlsx", PERSON_SPEC, 45_000, lambda n, c: "张" * 1400 if c.key == "name"
                            else other(n, c), shared=True)
    data = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.getinfo("xl/worksheets/sheet1.xml").file_size < 30 * MB
    with pytest.raises(UploadError) as caught:
        check_budget(PERSON_SPEC, data, max_rows=50_000)
    assert "模板的容量" in caught.value.message


def test_row_limit_and_far_columns_refused_before_reading(tmp_path):
    data = crafted_workbook(tmp_path / "rows.xlsx", PERSON_SPEC, 3_000, _cell(3)).read_bytes()
    with pytest.raises(UploadError) as caught:
        check_budget(PERSON_SPEC, data, max_rows=1_000)
    assert caught.value.message == "文件超过1000行的上限，请分批上传"
    check_budget(PERSON_SPEC, data, max_rows=3_000)
    # formatted but empty rows (Excel writes them for a filled range) are not data rows
    styled = b"".join(b'<row r="%d"><c r="A%d" s="1"/></row>' % (n, n) for n in range(3_002, 9_002))
    data = _rezip(data, "xl/worksheets/sheet1.xml", lambda x: x.replace(b"</sheetData>", styled + b"</sheetData>"))
    check_budget(PERSON_SPEC, data, max_rows=3_000)
    far = _rezip(data, "xl/worksheets/sheet1.xml", lambda x: x.replace(b'<c r="H2" ', b'<c r="XFD2" ', 1))
    with pytest.raises(UploadError) as caught:
        check_budget(PERSON_SPEC, far, max_rows=50_000)
    assert "第BA列" in caught.value.message


async def test_over_long_cell_refuses_the_row_and_keeps_only_its_cap():
    data = await filled(PERSON_SPEC, [_row("张" * 1400, make_id_number()), _row("李四", make_id_number())])
    rows = read_clean(PERSON_SPEC, data, max_rows=100, maps=MAPS)
    assert rows[0].reasons == ["姓名不能超过10个字"] and len(rows[0].values["name"]) == 11
    assert rows[1].ok
    stored = json.loads(results_json(rows, written=True))
    assert [r[0] for r in stored] == [2]  # accepted rows are counted, not stored
    assert len(json.loads(results_json(rows, written=False))) == 2  # a rolled-back write keeps every row


def _rezip(data: bytes, name: str, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            dst.writestr(item.filename, change(content) if item.filename == name else content)
    return out.getvalue()


def _add_part(data: bytes, name: str, payload: bytes, *, content_type: str = "", default_ext: str = "",
              rel_type: str = "", target_mode: str = "") -> bytes:
    """A part under any name, declared by content type (Override or Default) and linked from the workbook."""
    def types(xml: bytes) -> bytes:
        if default_ext:
            entry = f'<Default Extension="{default_ext}" ContentType="{content_type}"/>'
        else:
            entry = f'<Override PartName="/{name}" ContentType="{content_type}"/>'
        return xml.replace(b"</Types>", entry.encode() + b"</Types>")

    def rels(xml: bytes) -> bytes:
        mode = f' TargetMode="{target_mode}"' if target_mode else ""
        target = name.removeprefix("xl/") if not target_mode else "file:///C:/secret/book.xlsx"
        entry = f'<Relationship Id="rId99" Type="{rel_type}" Target="{target}"{mode}/>'
        return xml.replace(b"</Relationships>", entry.encode() + b"</Relationships>")

    out = _rezip(data, "[Content_Types].xml", types) if content_type else data
    if rel_type:
        out = _rezip(out, "xl/_rels/workbook.xml.rels", rels)
    out_io = io.BytesIO(out)
    with zipfile.ZipFile(out_io, "a") as zf:
        zf.writestr(name, payload)
    return out_io.getvalue()


async def test_macros_and_external_links_recognised_by_type_not_name():
    template = await template_bytes(PERSON_SPEC)
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500
    vba = "application/vnd.ms-office.vbaProject"
    link = "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"
    link_rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLink"
    cases = {
        _add_part(template, "xl/code.dat", ole, content_type=vba, default_ext="dat",
                  rel_type="http://schemas.microsoft.com/office/2006/relationships/vbaProject"): "文件包含宏",
        _add_part(template, "xl/code.dat", b"x" * 100, content_type=vba): "文件包含宏",
        _add_part(template, "xl/stuff/blob.xml", ole): "文件包含宏",  # an OLE compound file, whatever its name
        _add_part(template, "xl/links/link1.xml", b"<externalLink/>", content_type=link, rel_type=link_rel): "外部链接",
        _add_part(template, "xl/links/link1.xml", b"<x/>", rel_type=link_rel): "外部链接",
        _add_part(template, "xl/links/x.xml", b"<x/>", rel_type="http://example.com/other", target_mode="External"):
            "外部链接",
    }
    for data, message in cases.items():
        with pytest.raises(UploadError) as caught:
            check_upload(data, max_bytes=20 * MB)
        assert message in caught.value.message
    check_upload(template, max_bytes=20 * MB)  # our own template passes


async def test_failed_rows_keep_their_row_numbers_and_literal_quotes(app, client):
    await _employer(client)
    literal = "''=1+1"  # in the cell: two apostrophes, so the text after import is '=1+1
    data = await filled(PERSON_SPEC, [
        _row("甲", make_id_number()), _row("乙", make_id_number()), _row(literal, "bad"), _row("丁", make_id_number()),
        _row("戊", "bad"),
    ])
    response = await _upload(client, data)
    url = response.headers["location"]
    job = await ImportJob.select().where(ImportJob.token == url.rstrip(url_for("home")).rsplit(url_for("home"), 1)[-1]).first()
    stored = json.loads(job["results"])
    assert [r[0] for r in stored] == [4, 6]
    assert stored[0][1]["name"] == "'=1+1"
    failed = await client.get(url + "/failed")
    ws = load_workbook(io.BytesIO(failed.content))[PERSON_SPEC.sheet_title]
    assert ws.cell(row=4, column=1).value == literal and ws.cell(row=6, column=1).value == "戊"
    assert ws.cell(row=2, column=1).value is None and ws.cell(row=4, column=9).value
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    soup = await client.page(url)
    numbers = [tr.find("td").get_text() for tr in soup.find(attrs={"data-testid": "import-rows"}).tbody.find_all("tr")]
    assert numbers == ["4", "6"]
    # uploaded again unchanged, the same rows fail with the same numbers and the literal text is intact
    buf = io.BytesIO()
    ws.parent.save(buf)
    again = await _upload(client, buf.getvalue())
    job = await ImportJob.select().where(
        ImportJob.token == again.headers["location"].rstrip(url_for("home")).rsplit(url_for("home"), 1)[-1]).first()
    stored = json.loads(job["results"])
    assert [(r[0], r[1]["name"]) for r in stored] == [(4, "'=1+1"), (6, "戊")]


async def test_broken_sheet_xml_is_a_chinese_refusal(tmp_path):
    data = crafted_workbook(tmp_path / "ok.xlsx", PERSON_SPEC, 5, _cell(2)).read_bytes()
    broken = _rezip(data, "xl/worksheets/sheet1.xml", lambda x: x.replace(b"</sheetData></worksheet>", b""))
    with pytest.raises(UploadError) as caught:
        read_clean(PERSON_SPEC, broken, max_rows=100, maps=MAPS)
    assert "文件已损坏" in caught.value.message


async def test_budget_refusal_is_shown_beside_the_field_before_any_job(app, client, tmp_path):
    await _employer(client)
    big = crafted_workbook(tmp_path / "big.xlsx", PERSON_SPEC, 45_000, _cell(1400)).read_bytes()
    response = await _upload(client, big)
    assert response.status_code == 413 and "模板的容量" in response.text and 'id="f-file-error"' in response.text
    assert await ImportJob.count() == 0
