"""Employer pages of 企业信用等级管理 (INS-3, INS-4) under /labor-inspection: 信用等级申报, its 办件进度查询,
信用等级申诉 and 申诉结果查询. The squad grades and decides appeals in the workbench (matters.GRADE)."""

from __future__ import annotations

import secrets
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath

from domains.labor_inspection import grade_rules, grades, service
from domains.labor_inspection.controllers import page
from portal.areas import crumbs
from portal.forms import ChoiceField, Field, Form, MobileField, TextField
from portal.web import client_ip, redirect
from portal.workflow.errors import DuplicateSubmission
from portal.workflow.kinds import get_kind
from portal.workflow.materials import MAX_BYTES


def declaration_form(data: Any, divisions: list[tuple[str, str]]) -> Form:
    fields: list = [ChoiceField("year", "评价年度", choices=grades.year_choices())]
    for code, label in grade_rules.CRITERIA:
        fields += [ChoiceField(code, label, choices=grade_rules.STATES),
                   TextField(grade_rules.note_field(code), "情况说明", required=False, max_len=grade_rules.NOTE_MAX)]
    fields += [
        TextField("other", grade_rules.OTHER_LABEL, required=False, max_len=500),
        TextField("opinion", "申报意见", max_len=1000),
        ChoiceField("proposed_grade", "申报等级", choices=grade_rules.GRADES),
        ChoiceField("division_code", "实际经营地所在街道（乡镇）", choices=divisions),
        TextField("contact_name", "联系人", max_len=40),
        MobileField("contact_phone", "联系电话", landline_ok=True),
    ]
    # the cross-field rules run even when some fields failed, so one answer lists every problem.
    return Form(fields, data, checks=(grade_rules.declaration_errors,))


async def _declare_page(request: Request, form: Form, divisions: list[tuple[str, str]]) -> Response:
    declared = await grades.declarations(request.user)
    return await page(request, "labor_inspection/grade_declare.html", {
        "page_title": "信用等级申报", "form": form, "divisions": divisions, "criteria": grade_rules.CRITERIA,
        "note_field": grade_rules.note_field, "form_token": secrets.token_urlsafe(16),
        "years": grades.year_choices(), "declared": declared, "open_years": grades.open_years(declared),
        "breadcrumbs": crumbs(request, ("信用等级申报", "")),
    })


@get("/grade", name="ins_grade")
async def declare_form(request: Request) -> Response:
    divisions = await grades.division_choices(request.user)
    last = await grades.last_declaration(request.user)
    data = {"year": next(iter(grades.open_years(await grades.declarations(request.user))), "")}
    if last:  # the street and the contact rarely change from one year to the next
        data.update(division_code=last["division_code"], contact_name=last["contact_name"],
                    contact_phone=last["contact_phone"])
    return await _declare_page(request, declaration_form(data, divisions), divisions)


@post("/grade", name="ins_grade_declare")
async def declare(request: Request) -> Response:
    divisions = await grades.division_choices(request.user)
    data = await request.form()
    form = declaration_form(data, divisions)
    if await form.validate():
        try:
            with form.refusals():
                matter = await grades.declare(request.user, form.cleaned, form_token=data.get("form_token") or None,
                                              ip=client_ip(request))
                return redirect(request, request.app.route_reverse("matter_submitted", matter_id=matter["id"]))
        except DuplicateSubmission:
            return redirect(request, request.app.route_reverse("ins_grade_progress"))
    return await _declare_page(request, form, divisions)


@get("/grade/progress", name="ins_grade_progress")
async def progress(request: Request) -> Response:
    """信用等级申报办件进度查询, with the grade history below."""
    return await page(request, "labor_inspection/grade_progress.html", {
        "page_title": "信用等级申报办件进度查询", "rows": await grades.declarations(request.user),
        "history": await grades.history(request.user), "kind": get_kind(service.GRADE_KIND),
        "breadcrumbs": crumbs(request, ("信用等级申报办件进度查询", "")),
    })


@get("/grade/appeal", name="ins_grade_appeals")
async def appeals(request: Request) -> Response:
    """信用等级申诉: the grades given and still open (已评定), each with its last day to appeal."""
    rows = [r for r in await grades.declarations(request.user) if r["matter"] and r["matter"]["state"] == "decided"]
    return await page(request, "labor_inspection/grade_appeals.html", {
        "page_title": "信用等级申诉", "rows": rows, "breadcrumbs": crumbs(request, ("信用等级申诉", "")),
    })


def _appeal_form(data: Any) -> Form:
    # The file is read apart (an upload); its field is here so a refusal of it shows beside the input.
    return Form([TextField("reasons", "申诉理由", max_len=2000), Field("file", "申诉证明材料", required=False)],
                {"reasons": data.get("reasons", "")})


async def _appeal_page(request: Request, matter: dict[str, Any], form: Form, status_code: int = 200) -> Response:
    return await page(request, "labor_inspection/grade_appeal.html", {
        "page_title": "信用等级申诉", "matter": matter, "form": form, "window": await grades.appeal_window(matter),
        "form_token": secrets.token_urlsafe(16), "max_mb": MAX_BYTES // (1024 * 1024),
        "breadcrumbs": crumbs(request, ("信用等级申诉", request.app.route_reverse("ins_grade_appeals")),
                              (matter["number"], "")),
    }, status_code=status_code)


@get("/grade/appeal/{matter_id:int}", name="ins_grade_appeal")
async def appeal_form(request: Request, matter_id: FromPath[int]) -> Response:
    matter = await grades.own_grade_matter(request.user, matter_id)
    return await _appeal_page(request, matter, _appeal_form({}))


@post("/grade/appeal/{matter_id:int}", name="ins_grade_appeal_save")
async def appeal(request: Request, matter_id: FromPath[int]) -> Response:
    await grades.own_grade_matter(request.user, matter_id)  # 404 before a foreign upload is read
    data = await request.form()
    form = _appeal_form(data)
    upload = data.get("file")
    file = None
    if isinstance(upload, UploadFile) and upload.filename:
        file = (upload.filename, await upload.read(MAX_BYTES + 1))
    version = str(data.get("version", ""))
    if await form.validate():
        try:
            with form.refusals():
                await grades.appeal(
                    request.user, matter_id, reasons=form.cleaned["reasons"], file=file,
                    expected_version=int(version) if version.isdigit() else -1,
                    storage_dir=request.app.state.settings.storage_dir,
                    form_token=data.get("form_token") or None, ip=client_ip(request))
                return redirect(request, request.app.route_reverse("ins_grade_appeal_results") + "?done=1")
        except DuplicateSubmission:
            return redirect(request, request.app.route_reverse("ins_grade_appeal_results"))
    if file is not None and "file" not in form.errors:
        form.add_error("file", "申诉未提交，请重新选择要上传的文件")  # a browser cannot keep a chosen file
    return await _appeal_page(request, await grades.own_grade_matter(request.user, matter_id), form)


@get("/grade/appeal-results", name="ins_grade_appeal_results")
async def appeal_results(request: Request) -> Response:
    """信用等级申诉结果查询."""
    return await page(request, "labor_inspection/grade_appeal_results.html", {
        "page_title": "信用等级申诉结果查询", "rows": await grades.appeal_results(request.user),
        "kind": get_kind(service.GRADE_KIND), "done": request.query_params.get("done") == "1",
        "breadcrumbs": crumbs(request, ("信用等级申诉结果查询", "")),
    })


ROUTES = [declare_form, declare, progress, appeals, appeal_form, appeal, appeal_results]
