"""Test-only grid, sheet and handlers over the person table: how a domain uses the data services."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import reduce

from litestar import Request, Response, get, post
from litestar.exceptions import PermissionDeniedException

from domains.person.tables import Person
from portal.auth.principal import Principal, _division_prefix, authenticated_guard, staff_guard
from portal.dataservices.export import XLSX_TYPE, attachment_headers, grid_response
from portal.dataservices.grid import Column, Filter, Grid, Scope, register_grid
from portal.dataservices.imports import Importer, ImportSteps, register_importer, start_import
from portal.dataservices.spreadsheets import RowResult, SheetColumn, SheetSpec, UploadError, register_spec
from portal.dataservices.workbooks import template_bytes
from portal.validators import id_birth_date, id_gender
from portal.web import redirect, render

PERSON_GRID = Grid(
    name="ds-persons",
    source="person",
    title="人员名单",
    default_sort="name",
    page_size=5,
    columns=[
        Column("name", "姓名", sortable=True),
        Column("id_number", "身份证号", kind="id_number"),
        Column("mobile", "手机号", kind="phone"),
        Column("birth_date", "出生日期", kind="date", sortable=True),
        Column("gender", "性别", kind="badge", badges={"男": ("男", "info"), "女": ("女", "neutral")}),
        Column("division_code", "行政区划", category="division"),
    ],
    filters=[
        Filter("name", "姓名"),
        Filter("id_number", "身份证号", kind="exact", normalise=True),
        Filter("birth_date", "出生日期", kind="date_range"),
        Filter("gender", "性别", kind="choice", choices=[("男", "男"), ("女", "女")]),
    ],
)

# 8 columns, like a labour-contract batch template (also used by bench/dataservices.py).
PERSON_SPEC = register_spec(SheetSpec(
    name="ds_test_persons",
    title="人员批量登记模板",
    instructions=["每行填写一名人员。"],
    unique=[("id_number",)],
    columns=[
        SheetColumn("name", "姓名", max_len=10),
        SheetColumn("id_number", "身份证号", type="id_number"),
        SheetColumn("mobile", "手机号码", type="mobile", required=False),
        SheetColumn("gender", "性别", type="choice", choices=("男", "女")),
        SheetColumn("contract_type", "合同类型", type="choice", category="contract_type"),
        SheetColumn("start", "合同开始日期", type="date"),
        SheetColumn("end", "合同终止日期", type="date", required=False),
        SheetColumn("wage", "月工资（元）", type="money"),
    ],
))

FAIL_WRITE = {"on": False}
# Set both to asyncio.Events to hold an import's write transaction open: `started` is set once its rows are
# written, and the transaction commits when the test sets `release`.
HOLD_WRITE: dict = {"started": None, "release": None}


def staff_scope(principal: Principal) -> Scope:
    prefixes = [_division_prefix(c) for c in principal.scopes.get("division", ())]
    if not prefixes:
        return Scope("1 = 0")
    clauses = [Person.division_code.like(f"{p}%") for p in prefixes]
    return Scope.where(reduce(lambda a, b: a | b, clauses))


@get("/_test/ds/persons", name="ds_test_persons", guards=[staff_guard()])
async def persons(request: Request) -> Response:
    return await grid_response(request, PERSON_GRID, staff_scope(request.user), "ds_test_grid.html",
                               {"page_title": "人员查询"})


@get("/_test/ds/template", name="ds_test_template", guards=[authenticated_guard])
async def template(request: Request) -> Response:
    return Response(content=await template_bytes(PERSON_SPEC), media_type=XLSX_TYPE,
                    headers=attachment_headers(f"{PERSON_SPEC.title}.xlsx"))


async def check_row(row: RowResult) -> list[str]:
    exists = await Person.exists().where(Person.id_number == row.data["id_number"])
    if exists:
        return ["该身份证号已登记，请勿重复导入"]
    if row.data["end"] and row.data["end"] <= row.data["start"]:
        return ["合同终止日期应晚于开始日期"]
    return []


async def write_rows(rows: list[RowResult]) -> None:
    now = datetime.now(UTC)
    for i, row in enumerate(rows):
        d = row.data
        if FAIL_WRITE["on"] and i == len(rows) - 1:
            raise RuntimeError("simulated failure after some rows were written")
        await Person.insert(Person(
            id_number=d["id_number"], name=d["name"], gender=id_gender(d["id_number"]),
            birth_date=id_birth_date(d["id_number"]), mobile=d["mobile"] or "",
            division_code=d["id_number"][:6], created_at=now,
        ))
    if HOLD_WRITE["started"] is not None and len(rows) > 1:
        HOLD_WRITE["started"].set()
        await HOLD_WRITE["release"].wait()


@get("/_test/ds/import", name="ds_test_import_form", guards=[authenticated_guard])
async def import_form(request: Request) -> Response:
    return await render(request, "ds_test_upload.html", {"page_title": "批量导入"})


@post("/_test/ds/import", name="ds_test_import", guards=[authenticated_guard])
async def import_upload(request: Request) -> Response:
    if request.user.is_person:
        raise PermissionDeniedException()
    form = await request.form()
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        return await render(request, "ds_test_upload.html", {"page_title": "批量导入", "error": "请选择要上传的文件"})
    try:
        job = await start_import(request, PERSON_IMPORT, upload, background=request.query_params.get("bg") == "1")
    except UploadError as exc:
        return await render(request, "ds_test_upload.html", {"page_title": "批量导入", "error": exc.message},
                            status_code=exc.status)
    return redirect(request, request.app.route_reverse("import_result", token=job.token))


HANDLERS = [persons, template, import_form, import_upload]

# What an Area would declare (importers=, grids=): the test app's jobs find them by name.
PERSON_IMPORT = Importer("ds_test_persons", PERSON_SPEC, lambda principal, ip: ImportSteps(write_rows, check_row))
register_importer(PERSON_IMPORT)
register_grid(PERSON_GRID)
