"""xlsx export: formulas neutralised, IDs as text, masking kept, background jobs, export → import round trip."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

from openpyxl import load_workbook

from portal.dataservices import export
from portal.dataservices.export import neutralise, write_export
from portal.dataservices.grid import Column, Grid, Scope
from portal.dataservices.imports import parse_upload, validate_rows
from portal.dataservices.spreadsheets import SheetColumn, SheetSpec
from portal.jobs import drain
from tests.support.factories import make_id_number, make_person
from tests.support.urls import url_for

URL = "/_test/ds/persons"
DANGEROUS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR", "\0NUL"]


def test_neutralise_every_dangerous_prefix():
    for text in DANGEROUS:
        assert neutralise(text) == "'" + text
    for text in ("张三", "1+1", "", "a=b"):
        assert neutralise(text) == text


async def _staff(app, client, name="exp1", divisions=("460100",)):
    await client.sign_in_staff(name, scopes={"division": list(divisions)})


async def test_export_is_the_filtered_scoped_result_with_text_ids_and_no_formulas(app, client):
    people = [await make_person(name=n, id_number=make_id_number("460105")) for n in ("=HYPERLINK(1)", "@x", "王五")]
    await make_person(name="三亚人", id_number=make_id_number("460202"))
    await _staff(app, client)
    response = await client.get(URL + "?sort=name&export=xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(export.XLSX_TYPE)
    assert "attachment" in response.headers["content-disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = [[c for c in row] for row in ws.iter_rows()]
    assert [c.value for c in rows[0]] == ["姓名", "身份证号", "手机号", "出生日期", "性别", "行政区划"]
    names = sorted(r[0].value for r in rows[1:])
    assert names == sorted(["'=HYPERLINK(1)", "'@x", "王五"])
    assert all(c.data_type != "f" for row in rows for c in row)
    ident_cells = [r[1] for r in rows[1:]]
    assert all(c.data_type == "s" and c.number_format == "@" for c in ident_cells)
    assert {c.value for c in ident_cells} == {p["id_number"][:6] + "********" + p["id_number"][-4:] for p in people}
    assert all(r[3].is_date for r in rows[1:])
    only = await client.get(URL + "?name=王&export=xlsx")
    assert load_workbook(io.BytesIO(only.content)).active.max_row == 2


async def test_large_export_runs_in_background_with_polling_progress(app, client, other_client, monkeypatch):
    monkeypatch.setattr(app.state, "settings", dataclasses.replace(app.state.settings, export_inline_max_rows=2))
    for i in range(5):
        await make_person(name=f"导出{i}", id_number=make_id_number("460105"))
    await _staff(app, client)
    response = await client.get(URL + "?export=xlsx")
    assert response.status_code == 200 and "text/html" in response.headers["content-type"]
    assert "正在导出" in response.text or "导出完成" in response.text
    if "正在导出" in response.text:
        assert 'hx-trigger="every 1s"' in response.text
    await drain(app)
    from portal.dataservices.tables import ExportJob

    job = await ExportJob.select().first()
    assert job["status"] == "done" and job["done"] == 5
    fragment = await client.get(url_for("export_status", token=job["token"]), headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "下载" in fragment.text
    download = await client.get(url_for("export_download", token=job["token"]))
    assert download.status_code == 200
    assert load_workbook(io.BytesIO(download.content)).active.max_row == 6
    await _staff(app, other_client, name="exp2")
    assert (await other_client.get(url_for("export_download", token=job["token"]))).status_code == 404
    assert (await other_client.get(url_for("export_status", token=job["token"]))).status_code == 404
    assert Path(job["storage_path"]).parent == Path(app.state.settings.storage_dir) / "exports"


ROUND_GRID = Grid(
    name="ds-round", source="person", default_sort="name", title="人员",
    columns=[Column("name", "姓名", sortable=True), Column("id_number", "身份证号", kind="id_number", full=True),
             Column("mobile", "手机号码", kind="phone", full=True), Column("birth_date", "出生日期", kind="date")],
)
ROUND_SPEC = SheetSpec(
    name="ds_test_round", title="人员",
    columns=[SheetColumn("name", "姓名", max_len=40), SheetColumn("id_number", "身份证号", type="id_number"),
             SheetColumn("mobile", "手机号码", type="mobile", required=False),
             SheetColumn("birth_date", "出生日期", type="date")],
)


async def test_export_then_import_changes_nothing(app, tmp_path):
    for name in [*DANGEROUS[:4], "普通 名字", "'引号开头"]:
        await make_person(name=name, mobile="13800000009")
    path = tmp_path / "round.xlsx"
    await write_export(ROUND_GRID, {}, Scope("1 = 1"), path)
    rows = await parse_upload(ROUND_SPEC, path.read_bytes(), max_bytes=10**7, max_rows=100)
    await validate_rows(ROUND_SPEC, rows)
    from domains.person.tables import Person

    stored = await Person.select(Person.name, Person.id_number, Person.mobile, Person.birth_date).order_by(Person.name)
    assert all(r.ok for r in rows), [r.reasons for r in rows]
    assert sorted((r.data["name"], r.data["id_number"], r.data["mobile"], r.data["birth_date"]) for r in rows) == sorted(
        (s["name"], s["id_number"], s["mobile"], s["birth_date"]) for s in stored
    )
