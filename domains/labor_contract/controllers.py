"""HTTP handlers of labour-contract filing: 综合查询, 新订 / 续订 / 解除(终止) / 修改 / 作废 pages."""

from __future__ import annotations

import secrets

from litestar import Request, Response, get, post
from litestar.params import FromPath

from domains.labor_contract import batch_controllers, forms, grids, roster_controllers, rules, service
from domains.labor_contract.matters import CONTRACT_FILING
from domains.labor_contract.pages import page
from portal.areas import crumbs
from portal.core import dictionary
from portal.dataservices.export import export_url, grid_response, rows_export_response, wants_export
from portal.refusal import Refused
from portal.validators import mask_id_number
from portal.values import yuan
from portal.web import client_ip, redirect
from portal.workflow import engine as workflow


@get("/", name="lc_home")
async def home(request: Request) -> Response:
    return await page(request, "labor_contract/home.html", {"page_title": "劳动用工备案", "breadcrumbs": crumbs(request)})


@get("/contracts", name="lc_query")
async def query(request: Request) -> Response:
    """LC-2 劳动合同综合查询: every filter of the guide, export of the filtered result."""
    return await grid_response(
        request, grids.QUERY, grids.employer_scope(request.user), "labor_contract/query.html",
        {"page_title": "劳动合同综合查询", "breadcrumbs": crumbs(request, ("劳动合同综合查询", ""))},
    )


@get("/contracts/{contract_id:int}", name="lc_detail")
async def detail(request: Request, contract_id: FromPath[int]) -> Response:
    contract = await service.get_contract(request.user, contract_id)
    matter = await workflow.get_matter_for(request.user, contract["matter_id"]) if contract["matter_id"] else None
    events = await workflow.timeline(matter["id"]) if matter else []
    display = await service.display_payload(contract, contract["filing_kind"])
    return await page(request, "labor_contract/detail.html", {
        "page_title": f"备案详情：{contract['worker_name']}", "contract": contract, "display": display,
        "warning": await service.new_filing_warning(request.user, contract),
        "matter": matter, "events": events, "labels": rules, "state_label": CONTRACT_FILING.state_label,
        "actions": {
            "modify": rules.may_modify(contract) is None, "void": rules.may_void(contract) is None,
            "renew": rules.may_renew(contract) is None, "terminate": rules.may_terminate(contract) is None,
        },
        "breadcrumbs": crumbs(request, ("劳动合同综合查询", request.app.route_reverse("lc_query")), ("备案详情", "")),
    })


async def _options() -> dict[str, list[tuple[str, str]]]:
    options = {c: await dictionary.choices(c) for c in
               ("employment_form", "contract_type", "work_hours_system", "termination_reason")}
    return {**options, "contract_template": list(forms.TEMPLATE_CHOICES)}


async def _contract_form_page(request: Request, form, *, title: str, action: str, mode: str,
                              contract: dict | None = None, refusal: str = "", draft_id: int | None = None,
                              drafts: bool = False, editing: bool = False) -> Response:
    return await page(request, "labor_contract/contract_form.html", {
        "page_title": title, "form": form, "action": action, "mode": mode, "contract": contract,
        "refusal": refusal, "form_token": secrets.token_urlsafe(16), "options": await _options(),
        "breadcrumbs": crumbs(request, (title, "")), "draft_id": draft_id, "editing": editing,
        "draft_saved": request.query_params.get("draft_saved") == "1",
        "drafts": await service.drafts(request.user) if drafts else [],
    })


def _draft_id(source) -> int | None:
    value = str(source.get("draft") or source.get("draft_id") or "")
    return int(value) if value.isdigit() and len(value) < 12 else None


async def _draft_values(request: Request, filing_kind: str, previous_id: int | None) -> tuple[int | None, dict]:
    """?draft=<id> resumes the employer's own draft of this form: its id and what was typed."""
    draft_id = _draft_id(request.query_params)
    if draft_id is None:
        return None, {}
    draft = await service.get_draft(request.user, draft_id, filing_kind, previous_id)
    return draft_id, dict(draft["payload"]["draft"])


async def _save_draft(request: Request, data, filing_kind: str, previous: dict | None = None) -> Response:
    """保存草稿: nothing is checked (a draft may be incomplete); back to the same form with the draft's id."""
    draft = await service.save_draft(request.user, filing_kind, data, draft_id=_draft_id(data), previous=previous,
                                     ip=client_ip(request))
    return redirect(request, f"{request.url.path}?draft={draft['id']}&draft_saved=1")


@get("/new", name="lc_new")
async def new_form(request: Request) -> Response:
    draft_id, values = await _draft_values(request, "new", None)
    form = forms.new_contract_form(values or {"contract_template": "own", "probation_months": "0"})
    return await _contract_form_page(request, form, title="劳动合同新订备案", action=request.url.path, mode="new",
                                     draft_id=draft_id, drafts=True)


def _submitted(request: Request, matter_id: int) -> Response:
    """X-1a: after submit every form lands on the platform's confirmation (number, next steps, 回执 PDF)."""
    return redirect(request, request.app.route_reverse("matter_submitted", matter_id=matter_id))


async def _person_problem(request: Request, form, filing_kind: str, id_number: str | None,
                          exclude_id: int | None = None, form_token: str | None = None) -> None:
    """X-11: the person rules are reported with the field errors in one answer, not after them: beside 身份证号,
    or heading the error summary when the form has no such field (续订, 解除). A form already submitted answers
    请勿重复提交, not the rule its first submission now breaks."""
    try:
        await workflow.ensure_unused_token(form_token)
    except Refused as exc:
        form.refuse(exc)
        return
    if not id_number or form.errors.get("id_number"):
        return
    if reason := await service.person_refusal(request.user.employer_id, id_number, filing_kind, exclude_id):
        form.refuse(Refused(reason, "id_number"))


@post("/new", name="lc_new_save")
async def new_save(request: Request) -> Response:
    """LC-3 保存: a valid filing starts 未审核 / 新订 and goes to the 送审机构; a bad one comes back with messages."""
    data = await request.form()
    if data.get("intent") == "draft":
        return await _save_draft(request, data, "new")
    form = forms.new_contract_form(data)
    await form.validate()
    await _person_problem(request, form, "new", form.cleaned.get("id_number"), form_token=data.get("form_token"))
    if not form.errors:
        with form.refusals():
            filed = await service.file_new(request.user, form.cleaned, ip=client_ip(request),
                                           form_token=data.get("form_token"), draft_id=_draft_id(data))
            return _submitted(request, filed["matter_id"])
    return await _contract_form_page(request, form, title="劳动合同新订备案", action=request.url.path, mode="new",
                                     draft_id=_draft_id(data), drafts=True)


def _form_values(contract: dict) -> dict[str, str]:
    values = {k: "" if v is None else str(v) for k, v in contract.items()}
    values["monthly_wage"] = yuan(contract["monthly_wage"], grouping=False)
    values["compensation"] = yuan(contract.get("compensation"), grouping=False)
    return values


@get("/contracts/{contract_id:int}/edit", name="lc_edit")
async def edit_form(request: Request, contract_id: FromPath[int]) -> Response:
    """LC-3 修改: only a 审核不通过 filing."""
    contract = await service.get_contract(request.user, contract_id)
    refusal = rules.may_modify(contract) or ""
    values = _form_values(contract)
    if contract["filing_kind"] == "terminate":
        form = await _terminate_form(values, await _previous(request, contract))
        return await _terminate_page(request, form, contract, action=request.url.path, refusal=refusal, edit=True)
    if contract["filing_kind"] == "new" and not refusal:
        await service.record_full_id_view(request.user, contract, ip=client_ip(request))
    form = forms.new_contract_form(values) if contract["filing_kind"] == "new" else await _renew_form(values, contract)
    return await _contract_form_page(request, form, title="修改备案信息", action=request.url.path,
                                     mode=contract["filing_kind"], contract=contract, refusal=refusal, editing=True)


@post("/contracts/{contract_id:int}/edit", name="lc_edit_save")
async def edit_save(request: Request, contract_id: FromPath[int]) -> Response:
    contract = await service.get_contract(request.user, contract_id)
    data = await request.form()
    if contract["filing_kind"] == "terminate":
        form = await _terminate_form(data, await _previous(request, contract))
    elif contract["filing_kind"] == "new":
        form = forms.new_contract_form(data)
    else:
        form = await _renew_form(data, contract)
    await form.validate()
    if contract["filing_kind"] == "new" and form.cleaned.get("id_number") not in (None, contract["id_number"]):
        await _person_problem(request, form, "new", form.cleaned.get("id_number"), exclude_id=contract_id)
    if not form.errors:
        with form.refusals():
            await service.modify(request.user, contract_id, form.cleaned, ip=client_ip(request))
            return _submitted(request, contract["matter_id"])
    if contract["filing_kind"] == "terminate":
        return await _terminate_page(request, form, contract, action=request.url.path, edit=True)
    return await _contract_form_page(request, form, title="修改备案信息", action=request.url.path,
                                     mode=contract["filing_kind"], contract=contract, editing=True)


async def _renew_form(data, renewal: dict):
    """The 续订 form of a renewal filing (its `previous` is the renewed contract)."""
    start, end = await service.previous_dates(renewal["previous"])
    return forms.renew_form(data, renewal["id_number"], start, end)


async def _previous(request: Request, contract: dict) -> dict:
    """The contract a 解除(终止) filing ends (its dates bound the termination date)."""
    if contract["previous"] is None:
        return contract
    return await service.get_contract(request.user, contract["previous"])


async def _terminate_form(data, ended: dict):
    today = service.today_local()
    return forms.terminate_form(data, await service.termination_earliest(ended, today), today)


@get("/renew", name="lc_renew_list")
async def renew_list(request: Request) -> Response:
    """LC-4: the contracts that may be renewed (新订/续订, 审核通过, 已生成名册, 在职)."""
    return await grid_response(
        request, grids.RENEWABLE, grids.completed_scope(request.user), "labor_contract/pick_list.html",
        {"page_title": "劳动合同续订备案", "breadcrumbs": crumbs(request, ("劳动合同续订备案", "")),
         "hint": "只有新订或续订审核通过并且已生成名册的合同可以续订。"},
    )


@get("/contracts/{contract_id:int}/renew", name="lc_renew")
async def renew_form(request: Request, contract_id: FromPath[int]) -> Response:
    contract = await service.get_contract(request.user, contract_id)
    values = _form_values(contract)
    for key in ("start_date", "end_date", "contract_number"):
        values[key] = ""
    draft_id, typed = await _draft_values(request, "renew", contract_id)
    form = forms.renew_form(typed or values, contract["id_number"], contract["start_date"], contract["end_date"])
    return await _contract_form_page(request, form, title="劳动合同续订备案", action=request.url.path, mode="renew",
                                     contract=contract, refusal=rules.may_renew(contract) or "", draft_id=draft_id)


@post("/contracts/{contract_id:int}/renew", name="lc_renew_save")
async def renew_save(request: Request, contract_id: FromPath[int]) -> Response:
    contract = await service.get_contract(request.user, contract_id)
    data = await request.form()
    if data.get("intent") == "draft":
        return await _save_draft(request, data, "renew", contract)
    form = forms.renew_form(data, contract["id_number"], contract["start_date"], contract["end_date"])
    await form.validate()
    if reason := rules.may_renew(contract):
        form.refuse(Refused(reason))
    else:
        await _person_problem(request, form, "renew", contract["id_number"], form_token=data.get("form_token"))
    if not form.errors:
        with form.refusals():
            filed = await service.file_renew(request.user, contract_id, form.cleaned, ip=client_ip(request),
                                             form_token=data.get("form_token"), draft_id=_draft_id(data))
            return _submitted(request, filed["matter_id"])
    return await _contract_form_page(request, form, title="劳动合同续订备案", action=request.url.path, mode="renew",
                                     contract=contract, draft_id=_draft_id(data))


@get("/terminate", name="lc_terminate_list")
async def terminate_list(request: Request) -> Response:
    """LC-5: the completed contracts that may be ended."""
    return await grid_response(
        request, grids.TERMINABLE, grids.completed_scope(request.user), "labor_contract/pick_list.html",
        {"page_title": "劳动合同解除(终止)备案", "breadcrumbs": crumbs(request, ("劳动合同解除(终止)备案", "")),
         "hint": "只有完成过新订或续订流程（审核通过并已生成名册）的合同才能解除(终止)。"},
    )


async def _terminate_page(request: Request, form, contract: dict, *, action: str, refusal: str = "",
                          edit: bool = False, draft_id: int | None = None) -> Response:
    return await page(request, "labor_contract/terminate_form.html", {
        "draft_id": draft_id, "draft_saved": request.query_params.get("draft_saved") == "1", "editing": edit,
        "page_title": "修改解除(终止)备案" if edit else "劳动合同解除(终止)备案", "form": form, "contract": contract,
        "action": action, "refusal": refusal, "form_token": secrets.token_urlsafe(16), "options": await _options(),
        "display": await service.display_payload(contract, "new"),
        "breadcrumbs": crumbs(request, ("劳动合同解除(终止)备案", request.app.route_reverse("lc_terminate_list")),
                              ("解除(终止)", "")),
    })


@get("/contracts/{contract_id:int}/terminate", name="lc_terminate")
async def terminate_form(request: Request, contract_id: FromPath[int]) -> Response:
    contract = await service.get_contract(request.user, contract_id)
    draft_id, typed = await _draft_values(request, "terminate", contract_id)
    form = await _terminate_form(typed, contract)
    return await _terminate_page(request, form, contract, action=request.url.path,
                                 refusal=rules.may_terminate(contract) or "", draft_id=draft_id)


@post("/contracts/{contract_id:int}/terminate", name="lc_terminate_save")
async def terminate_save(request: Request, contract_id: FromPath[int]) -> Response:
    contract = await service.get_contract(request.user, contract_id)
    data = await request.form()
    if data.get("intent") == "draft":
        return await _save_draft(request, data, "terminate", contract)
    form = await _terminate_form(data, contract)
    await form.validate()
    if reason := rules.may_terminate(contract):
        form.refuse(Refused(reason))
    else:
        await _person_problem(request, form, "terminate", contract["id_number"], form_token=data.get("form_token"))
    if not form.errors:
        with form.refusals():
            filed = await service.file_terminate(request.user, contract_id, form.cleaned, ip=client_ip(request),
                                                 form_token=data.get("form_token"), draft_id=_draft_id(data))
            return _submitted(request, filed["matter_id"])
    return await _terminate_page(request, form, contract, action=request.url.path, draft_id=_draft_id(data))


VOID_COLUMNS = (("姓名", "worker_name"), ("身份证号", "id_number"), ("合同状态", "state"),
                ("审核状态", "review_state"), ("审核意见", "review_opinion"), ("经办时间", "created_at"))


@get("/void", name="lc_void_list")
async def void_list(request: Request) -> Response:
    """LC-8: 未审核 and 审核不通过 filings, several can be voided at once."""
    rows = await service.voidable(request.user, dict(request.query_params))
    if wants_export(request):
        return await rows_export_response(request, "劳动合同申报作废", VOID_COLUMNS, [
            {**r, "id_number": mask_id_number(r["id_number"]), "state": rules.STATE_LABELS[r["state"]],
             "review_state": rules.REVIEW_LABELS[r["review_state"]]} for r in rows])
    return await page(request, "labor_contract/void.html", {
        "page_title": "劳动合同申报作废", "rows": rows, "values": dict(request.query_params), "results": None,
        "export_url": export_url(request),
        "breadcrumbs": crumbs(request, ("劳动合同申报作废", "")),
    })


@post("/void", name="lc_void")
async def void_selected(request: Request) -> Response:
    data = await request.form()
    ids = [int(v) for v in data.getall("ids", []) if str(v).isdigit()]
    results = await service.void(request.user, ids, ip=client_ip(request)) if ids else {}
    rows = await service.voidable(request.user, {})
    return await page(request, "labor_contract/void.html", {
        "page_title": "劳动合同申报作废", "rows": rows, "values": {}, "results": results,
        "export_url": export_url(request, "lc_void_list"),
        "nothing_chosen": not ids, "breadcrumbs": crumbs(request, ("劳动合同申报作废", "")),
    })



ROUTES = [
    home, query, detail, new_form, new_save, edit_form, edit_save, renew_list, renew_form, renew_save,
    terminate_list, terminate_form, terminate_save, void_list, void_selected,
    *roster_controllers.ROUTES, *batch_controllers.ROUTES,
]
