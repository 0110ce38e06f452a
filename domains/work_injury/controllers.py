"""Employer pages of 工伤 (WI-1 工伤快报, WI-2 快报确认, WI-3 工伤保险单位证明): every query by principal.employer_id."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath

from domains.work_injury import forms, grids, proof, service
from domains.work_injury.pages import NO_STORE, page, report_page
from portal.areas import crumbs
from portal.core import dictionary
from portal.dataservices.export import grid_response
from portal.dataservices.grid import Scope
from portal.forms import DateField, Form
from portal.refusal import Refused
from portal.web import client_ip, is_htmx, redirect, render_step
from portal.workflow.deadlines import local_date
from portal.workflow.views import form_id


@get("/", name="wi_home")
async def home(request: Request) -> Response:
    return await page(request, "work_injury/home.html", {"page_title": "工伤", "breadcrumbs": crumbs(request)})


# ---- WI-1 工伤快报 ---------------------------------------------------------------------------------------------

async def _posted(request: Request) -> tuple[dict, list[str], str]:
    data = await request.form()
    keys = forms.row_keys(data)
    return data, keys, data.get("op", "") or "save"


async def _lookups(request: Request, form: Form, keys: list[str]) -> dict[str, dict]:
    """通过身份证查询工伤人员: the name (and the 工伤 cover on the accident date, when typed) of each row."""
    await form.validate()
    pairs = [(k, form.cleaned.get(f"p{k}_id_number") or "") for k in keys]
    occurred = form.cleaned.get("occurred_at")
    return await service.lookup(request.user.employer_id, pairs, occurred.date() if occurred else None)


async def _handle(request: Request, *, accident_id: int | None, action: str, title: str, trail: list,
                  report: dict | None = None) -> Response:
    data, keys, op = await _posted(request)
    if op == "add" and len(keys) >= service.rules.MAX_PERSONS:
        op = "lookup"  # the page says the limit; nothing typed is lost
    keys = forms.apply_op(keys, op)
    form = forms.report_form(data, keys)
    found = None
    if op == "save":
        if await form.validate():
            with form.refusals():
                saved = await service.save_report(request.user, forms.accident_of(form), forms.rows_of(form, keys),
                                                  accident_id=accident_id, form_token=data.get("form_id") or None,
                                                  ip=client_ip(request))
                return redirect(request, request.app.route_reverse("wi_detail", accident_id=saved) + "?saved=1")
        found = await _lookups(request, Form(form.fields, data), keys)
    elif op == "lookup":
        found = await _lookups(request, Form(form.fields, data), keys)
    return await report_page(request, form, keys, action=action, title=title, crumbs=trail, found=found,
                             report=report, form_id=form_id() if op == "save" else data.get("form_id", ""))


@get("/report", name="wi_report")
async def report_new(request: Request) -> Response:
    return await report_page(request, forms.report_form({}, ["0"]), ["0"], title="工伤快报",
                             action=request.app.route_reverse("wi_report_save"), form_id=form_id(),
                             crumbs=crumbs(request, ("工伤快报", "")))


@post("/report", name="wi_report_save")
async def report_save(request: Request) -> Response:
    """保存 (op save), 增加工伤人员 (add), 删除 a person row (remove-<key>), 查询 by 身份证号 (lookup)."""
    return await _handle(request, accident_id=None, action=request.app.route_reverse("wi_report_save"),
                         title="工伤快报", trail=crumbs(request, ("工伤快报", "")))


def _edit_trail(request: Request, accident_id: int) -> list:
    return crumbs(request, ("快报确认", request.app.route_reverse("wi_confirm")),
                  ("工伤快报", request.app.route_reverse("wi_detail", accident_id=accident_id)), ("修改", ""))


@get("/reports/{accident_id:int}/edit", name="wi_report_edit")
async def report_edit(request: Request, accident_id: FromPath[int]) -> Response:
    report = await service.get_report(request.user, accident_id)
    if not report["editable"]:
        return redirect(request, request.app.route_reverse("wi_detail", accident_id=accident_id))
    data, keys = service.form_values(report)
    return await report_page(request, forms.report_form(data, keys), keys, title="修改工伤快报", report=report,
                             action=request.app.route_reverse("wi_report_update", accident_id=accident_id),
                             crumbs=_edit_trail(request, accident_id))


@post("/reports/{accident_id:int}/edit", name="wi_report_update")
async def report_update(request: Request, accident_id: FromPath[int]) -> Response:
    report = await service.get_report(request.user, accident_id)
    return await _handle(request, accident_id=accident_id, title="修改工伤快报", report=report,
                         action=request.app.route_reverse("wi_report_update", accident_id=accident_id),
                         trail=_edit_trail(request, accident_id))


@get("/by-matter/{matter_id:int}/edit", name="wi_edit")
async def edit_by_matter(request: Request, matter_id: FromPath[int]) -> Response:
    """The workflow's 修改申请内容 link names the 办件; the report is found through the employer's own rows."""
    accident_id = await service.accident_of_matter(request.user, matter_id)
    return redirect(request, request.app.route_reverse("wi_report_edit", accident_id=accident_id))


# ---- WI-2 快报确认 ---------------------------------------------------------------------------------------------

def _scope(request: Request) -> Scope:
    return Scope("a.employer = {} AND m.state <> 'voided'", request.user.employer_id)


async def _confirm_page(request: Request, results: dict[int, str] | None = None, error: str = "") -> Response:
    today = local_date()
    return await grid_response(request, grids.REPORTS, _scope(request), "work_injury/confirm.html", {
        "page_title": "快报确认", "breadcrumbs": crumbs(request, ("快报确认", "")), "confirm_form": grids.CONFIRM_FORM,
        "results": results, "error": error, "done": sum(1 for e in (results or {}).values() if not e),
        "failed": {a: e for a, e in (results or {}).items() if e},
    }, adjust=lambda p: grids.flag_deadlines(p, today))


@get("/reports", name="wi_confirm")
async def confirm_list(request: Request) -> Response:
    return await _confirm_page(request)


@post("/reports/confirm", name="wi_confirm_submit")
async def confirm_submit(request: Request) -> Response:
    """确认提交 the ticked reports (未确认 or 退回) to the work-injury staff of the employer's division."""
    data = await request.form()
    ids = [int(v) for v in (data.getall("pick", [])) if str(v).isdigit() and len(v) < 10]
    try:
        results = await service.confirm(request.user, ids, ip=client_ip(request))
    except Refused as exc:
        return await _confirm_page(request, error=exc.message)
    return await _confirm_page(request, results=results)


def _application_form(data: Any) -> Form:
    return Form([DateField("applied_on", "工伤认定申请日期")], data)


async def _detail_page(request: Request, accident_id: int, form: Form | None = None) -> Response:
    report = await service.get_report(request.user, accident_id)
    applied = report["applied_on"]
    return await page(request, "work_injury/detail.html", {
        "page_title": "工伤快报", "report": report, "saved": request.query_params.get("saved") == "1",
        "applied": request.query_params.get("applied") == "1",
        "application_form": form or _application_form({"applied_on": str(applied) if applied else ""}),
        "categories": await dictionary.labels("wi_accident_category"),
        "severities": await dictionary.labels("wi_injury_severity"),
        "breadcrumbs": crumbs(request, ("快报确认", request.app.route_reverse("wi_confirm")), ("工伤快报", "")),
    })


@get("/reports/{accident_id:int}", name="wi_detail")
async def detail(request: Request, accident_id: FromPath[int]) -> Response:
    return await _detail_page(request, accident_id)


@post("/reports/{accident_id:int}/application", name="wi_application")
async def record_application(request: Request, accident_id: FromPath[int]) -> Response:
    """已申请工伤认定 with its date (an accepted report): ends the 30-day flag."""
    form = _application_form(await request.form())
    if await form.validate():
        with form.refusals():
            await service.record_application(request.user, accident_id, form.cleaned["applied_on"],
                                             ip=client_ip(request))
            return redirect(request, request.app.route_reverse("wi_detail", accident_id=accident_id) + "?applied=1")
    return await _detail_page(request, accident_id, form)


@get("/reports/{accident_id:int}/delete", name="wi_delete")
async def delete_page(request: Request, accident_id: FromPath[int]) -> Response:
    report = await service.get_report(request.user, accident_id)
    return await page(request, "work_injury/delete.html", {
        "page_title": "删除工伤快报", "report": report, "error": "" if report["editable"] else
        f"该工伤快报当前状态为“{report['state_label']}”，不能删除",
        "breadcrumbs": crumbs(request, ("快报确认", request.app.route_reverse("wi_confirm")), ("删除", "")),
    })


@post("/reports/{accident_id:int}/delete", name="wi_delete_submit")
async def delete_submit(request: Request, accident_id: FromPath[int]) -> Response:
    try:
        await service.delete(request.user, accident_id, ip=client_ip(request))
    except Refused as exc:
        report = await service.get_report(request.user, accident_id)
        return await page(request, "work_injury/delete.html", {
            "page_title": "删除工伤快报", "report": report, "error": exc.message,
            "breadcrumbs": crumbs(request, ("快报确认", request.app.route_reverse("wi_confirm")), ("删除", "")),
        })
    return redirect(request, request.app.route_reverse("wi_confirm") + "?deleted=1")


async def _recall_step(request: Request, report: dict[str, Any], *, error: str = "", done: str = "",
                       changed: bool = False) -> Response:
    """撤回, the confirmation: the report and its state, then 确定撤回 (a page without JavaScript, the modal of the
    快报确认 list for htmx); after a refusal the reason, after it is done the result."""
    list_url = request.app.route_reverse("wi_confirm")
    return await render_step(request, "work_injury/recall.html", {
        "page_title": "撤回工伤快报", "modal_id": "wi-recall-modal", "report": report, "error": error, "done": done,
        "refusal": service.rules.recall_refusal(report["state"]), "form_token": form_id(), "list_url": list_url,
        "breadcrumbs": crumbs(request, ("快报确认", list_url), ("撤回", "")),
    }, changed="wi-changed" if changed else "", refused=bool(error), headers=NO_STORE)


@get("/reports/{accident_id:int}/recall", name="wi_recall")
async def recall_page(request: Request, accident_id: FromPath[int]) -> Response:
    """撤回 of an 已提交 report before review: nothing moves before 确定撤回."""
    return await _recall_step(request, await service.get_report(request.user, accident_id))


@post("/reports/{accident_id:int}/recall", name="wi_recall_submit")
async def recall_submit(request: Request, accident_id: FromPath[int]) -> Response:
    data = await request.form()
    version = str(data.get("version", ""))
    try:
        report = await service.recall(request.user, accident_id,
                                      int(version) if version.isdigit() and len(version) < 10 else -1,
                                      form_token=str(data.get("form_id") or "")[:64] or None, ip=client_ip(request))
    except Refused as exc:
        # the list behind the modal reloads too: the state may have changed
        return await _recall_step(request, await service.get_report(request.user, accident_id), error=exc.message,
                                  changed=True)
    if not is_htmx(request):
        return redirect(request, request.app.route_reverse("wi_confirm") + "?recalled=1")
    return await _recall_step(request, report, changed=True, done=(
        f"已撤回：办件编号 {report['number']} 的工伤快报回到未确认状态，不再等待审核；可修改后重新确认提交，也可以删除。"))


# ---- WI-3 工伤保险单位证明 (proof.py) ---------------------------------------------------------------------------

ROUTES = [home, report_new, report_save, report_edit, report_update, edit_by_matter, confirm_list, confirm_submit,
          detail, record_application, delete_page, delete_submit, recall_page, recall_submit,
          *proof.routes("wi_proof")]
