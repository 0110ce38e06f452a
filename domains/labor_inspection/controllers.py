"""Employer pages of 网上书审 (INS-1 the four steps, INS-2 进度查询) under /labor-inspection."""

from __future__ import annotations

import secrets
from typing import Any

from litestar import Request, Response, get, post

from domains.labor_inspection import forms, rules, service, sheets
from portal.areas import crumbs
from portal.dataservices.export import XLSX_TYPE, attachment_headers
from portal.dataservices.imports import recent_imports, template_response, upload_response
from portal.forms import Form
from portal.refusal import Refused
from portal.web import client_ip, redirect, render
from portal.workflow.errors import DuplicateSubmission, WorkflowError
from portal.workflow.kinds import get_kind

NO_STORE = {"Cache-Control": "no-store"}
STEPS = (("用工情况自查", "ins_step1"), ("劳动用工信息", "ins_step2"), ("选择监察中队", "ins_step3"),
         ("完成申报", "ins_step4"))


async def page(request: Request, template: str, ctx: dict[str, Any], **kw: Any) -> Response:
    return await render(request, template, ctx, headers=NO_STORE, **kw)


def _done(review: dict[str, Any] | None) -> dict[str, bool]:
    r = review or {}
    return {"ins_step1": bool(r.get("answered_at")), "ins_step2": bool(r.get("imported_at")),
            "ins_step3": bool(r.get("squad_code")), "ins_step4": bool(r.get("matter"))
            and r["matter"]["state"] != "rejected"}


async def _ctx(request: Request, title: str, review: dict[str, Any] | None, current: str) -> dict[str, Any]:
    return {"page_title": title, "review": review, "year": service.this_year(), "steps": STEPS,
            "done": _done(review), "current": current, "breadcrumbs": crumbs(
                request, ("网上书审申报", request.app.route_reverse("ins_home")), (title, ""))}


@get("/", name="ins_home")
async def home(request: Request) -> Response:
    review = await service.review_of(request.user, service.this_year())
    return await page(request, "labor_inspection/home.html", {
        **await _ctx(request, "网上书审申报", review, ""), "breadcrumbs": crumbs(request)})


# ---- ① 用工情况自查 ----------------------------------------------------------------------------------------------

async def _step1_page(request: Request, form: Form, review: dict[str, Any] | None, status_code: int = 200) -> Response:
    return await page(request, "labor_inspection/step1.html", {
        **await _ctx(request, "用工情况自查", review, "ins_step1"), "form": form, "questions": rules.QUESTIONS,
    }, status_code=status_code)


@get("/review/questionnaire", name="ins_step1")
async def step1(request: Request) -> Response:
    review = await service.review_of(request.user, service.this_year())
    return await _step1_page(request, forms.questionnaire(forms.saved_values(review["answers"]) if review else {}),
                             review)


@post("/review/questionnaire", name="ins_step1_save")
async def step1_save(request: Request) -> Response:
    year = service.this_year()
    form = forms.questionnaire(await request.form())
    if await form.validate():
        with form.refusals():
            await service.save_answers(request.user, year, form.cleaned, ip=client_ip(request))
            return redirect(request, request.app.route_reverse("ins_step2"))
    return await _step1_page(request, form, await service.review_of(request.user, year))


# ---- ② 劳动用工信息 ----------------------------------------------------------------------------------------------

async def _step2_page(request: Request, error: str = "", status_code: int = 200) -> Response:
    review = await service.review_of(request.user, service.this_year())
    return await page(request, "labor_inspection/step2.html", {
        **await _ctx(request, "劳动用工信息", review, "ins_step2"), "error": error, "spec": sheets.STAFF,
        "recent": await recent_imports(request.user, sheets.STAFF, limit=5),
    }, status_code=status_code)


@get("/review/staff", name="ins_step2")
async def step2(request: Request) -> Response:
    return await _step2_page(request)


@get("/review/staff/template.xlsx", name="ins_step2_template")
async def step2_template(request: Request) -> Response:
    return await template_response(sheets.STAFF)


@get("/review/staff/prefilled.xlsx", name="ins_step2_prefilled")
async def step2_prefilled(request: Request) -> Response:
    """The template pre-filled from the employer's own labour-contract and social-insurance records."""
    data = await sheets.prefilled_template(await service.prefill_rows(request.user))
    return Response(content=data, media_type=XLSX_TYPE, headers={
        **attachment_headers(f"{sheets.STAFF.title}（预填）.xlsx"), **NO_STORE})


@post("/review/staff", name="ins_step2_upload")
async def step2_upload(request: Request) -> Response:
    try:
        await service.importable_review(request.user, service.this_year())
    except Refused as exc:
        return await _step2_page(request, exc.message, 409)
    return await upload_response(request, sheets.STAFF_IMPORT,
                                 page=lambda error, status: _step2_page(request, error, status))


# ---- ③ 选择监察中队 ----------------------------------------------------------------------------------------------

async def _step3_page(request: Request, form: Form, review: dict[str, Any] | None, status_code: int = 200) -> Response:
    division = form.value("division_code")
    return await page(request, "labor_inspection/step3.html", {
        **await _ctx(request, "选择监察中队", review, "ins_step3"), "form": form,
        "divisions": await service.division_choices(request.user),
        "squads": await service.squads_for(division) if division else [],
    }, status_code=status_code, block="squads" if request.headers.get("hx-request") else None)


def _step3_form(data: Any) -> Form:
    from portal.forms import Field

    return Form([Field("division_code", "实际经营地所在街道（乡镇）"), Field("squad_code", "劳动保障监察中队")], data)


@get("/review/squad", name="ins_step3")
async def step3(request: Request) -> Response:
    review = await service.review_of(request.user, service.this_year())
    data = dict(request.query_params) or ({"division_code": review["division_code"], "squad_code": review["squad_code"]}
                                          if review else {})
    return await _step3_page(request, _step3_form(data), review)


@post("/review/squad", name="ins_step3_save")
async def step3_save(request: Request) -> Response:
    year = service.this_year()
    form = _step3_form(await request.form())
    if await form.validate():
        with form.refusals():
            await service.choose_squad(request.user, year, form.cleaned["division_code"], form.cleaned["squad_code"],
                                       ip=client_ip(request))
            return redirect(request, request.app.route_reverse("ins_step4"))
    return await _step3_page(request, form, await service.review_of(request.user, year))


# ---- ④ 完成申报 --------------------------------------------------------------------------------------------------

async def _step4_page(request: Request, error: str = "", status_code: int = 200) -> Response:
    review = await service.review_of(request.user, service.this_year())
    check = await service.cross_check(request.user, review) if review else {
        "findings": [], "differences": [], "missing": rules.steps_missing({})}
    return await page(request, "labor_inspection/step4.html", {
        **await _ctx(request, "完成申报", review, "ins_step4"), "check": check, "error": error,
        "form_token": secrets.token_urlsafe(16), "labels": rules.QUESTION_LABELS,
    }, status_code=status_code)


@get("/review/submit", name="ins_step4")
async def step4(request: Request) -> Response:
    return await _step4_page(request)


@post("/review/submit", name="ins_step4_submit")
async def step4_submit(request: Request) -> Response:
    data = await request.form()
    try:
        matter = await service.submit(request.user, service.this_year(), form_token=data.get("form_token") or None,
                                      ip=client_ip(request))
    except Refused as exc:
        return await _step4_page(request, exc.message, 409)
    except DuplicateSubmission:
        return redirect(request, request.app.route_reverse("ins_progress"))
    except WorkflowError as exc:
        return await _step4_page(request, exc.message, 409)
    return redirect(request, request.app.route_reverse("matter_submitted", matter_id=matter["id"]))


# ---- INS-2 进度查询 ------------------------------------------------------------------------------------------------

@get("/review/progress", name="ins_progress")
async def progress(request: Request) -> Response:
    rows = await service.matters_of(request.user)
    return await page(request, "labor_inspection/progress.html", {
        "page_title": "网上书审办事进度查询", "rows": rows,
        "kind": get_kind(service.REVIEW_KIND),
        "breadcrumbs": crumbs(request, ("网上书审办事进度查询", "")),
    })


ROUTES = [home, step1, step1_save, step2, step2_template, step2_prefilled, step2_upload, step3, step3_save, step4,
          step4_submit, progress]
