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
from portal.dataservices.export import grid_response
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
                              contract: dict | None = None, refusal: str = "") -> Response:
    return await page(request, "labor_contract/contract_form.html", {
        "page_title": title, "form": form, "action": action, "mode": mode, "contract": contract,
        "refusal": refusal, "form_token": secrets.token_urlsafe(16), "options": await _options(),
        "breadcrumbs": crumbs(request, (title, "")),
    })


@get("/new", name="lc_new")
async def new_form(request: Request) -> Response:
    form = forms.new_contract_form({"contract_template": "own", "probation_months": "0"})
    return await _contract_form_page(request, form, title="劳动合同新订备案", action=request.url.path, mode="new")


@post("/new", name="lc_new_save")
async def new_save(request: Request) -> Response:
    """LC-3 保存: a valid filing starts 未审核 / 新订 and goes to the 送审机构; a bad one comes back with messages."""
    data = await request.form()
    form = forms.new_contract_form(data)
    if await form.validate():
        with form.refusals():
            filed = await service.file_new(request.user, form.cleaned, ip=client_ip(request),
                                           form_token=data.get("form_token"))
            return redirect(request, request.app.route_reverse("lc_detail", contract_id=filed["id"]) + "?saved=1")
    return await _contract_form_page(request, form, title="劳动合同新订备案", action=request.url.path, mode="new")


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
        form = forms.terminate_form(values, contract["start_date"], service.today_local())
        return await _terminate_page(request, form, contract, action=request.url.path, refusal=refusal, edit=True)
    if contract["filing_kind"] == "new" and not refusal:
        await service.record_full_id_view(request.user, contract, ip=client_ip(request))
    form = forms.new_contract_form(values) if contract["filing_kind"] == "new" else forms.renew_form(values, "")
    return await _contract_form_page(request, form, title="修改备案信息", action=request.url.path,
                                     mode=contract["filing_kind"], contract=contract, refusal=refusal)


@post("/contracts/{contract_id:int}/edit", name="lc_edit_save")
async def edit_save(request: Request, contract_id: FromPath[int]) -> Response:
    contract = await service.get_contract(request.user, contract_id)
    data = await request.form()
    if contract["filing_kind"] == "terminate":
        form = forms.terminate_form(data, contract["start_date"], service.today_local())
    elif contract["filing_kind"] == "new":
        form = forms.new_contract_form(data)
    else:
        form = forms.renew_form(data, contract["id_number"])
    if await form.validate():
        with form.refusals():
            await service.modify(request.user, contract_id, form.cleaned, ip=client_ip(request))
            return redirect(request, request.app.route_reverse("lc_detail", contract_id=contract_id) + "?saved=1")
    if contract["filing_kind"] == "terminate":
        return await _terminate_page(request, form, contract, action=request.url.path, edit=True)
    return await _contract_form_page(request, form, title="修改备案信息", action=request.url.path,
                                     mode=contract["filing_kind"], contract=contract)


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
    form = forms.renew_form(values, contract["id_number"])
    return await _contract_form_page(request, form, title="劳动合同续订备案", action=request.url.path, mode="renew",
                                     contract=contract, refusal=rules.may_renew(contract) or "")


@post("/contracts/{contract_id:int}/renew", name="lc_renew_save")
async def renew_save(request: Request, contract_id: FromPath[int]) -> Response:
    contract = await service.get_contract(request.user, contract_id)
    data = await request.form()
    form = forms.renew_form(data, contract["id_number"])
    if await form.validate():
        with form.refusals():
            filed = await service.file_renew(request.user, contract_id, form.cleaned, ip=client_ip(request),
                                             form_token=data.get("form_token"))
            return redirect(request, request.app.route_reverse("lc_detail", contract_id=filed["id"]) + "?saved=1")
    return await _contract_form_page(request, form, title="劳动合同续订备案", action=request.url.path, mode="renew",
                                     contract=contract)


@get("/terminate", name="lc_terminate_list")
async def terminate_list(request: Request) -> Response:
    """LC-5: the completed contracts that may be ended."""
    return await grid_response(
        request, grids.TERMINABLE, grids.completed_scope(request.user), "labor_contract/pick_list.html",
        {"page_title": "劳动合同解除(终止)备案", "breadcrumbs": crumbs(request, ("劳动合同解除(终止)备案", "")),
         "hint": "只有完成过新订或续订流程（审核通过并已生成名册）的合同才能解除(终止)。"},
    )


async def _terminate_page(request: Request, form, contract: dict, *, action: str, refusal: str = "",
                          edit: bool = False) -> Response:
    return await page(request, "labor_contract/terminate_form.html", {
        "page_title": "修改解除(终止)备案" if edit else "劳动合同解除(终止)备案", "form": form, "contract": contract,
        "action": action, "refusal": refusal, "form_token": secrets.token_urlsafe(16), "options": await _options(),
        "display": await service.display_payload(contract, "new"),
        "breadcrumbs": crumbs(request, ("劳动合同解除(终止)备案", request.app.route_reverse("lc_terminate_list")),
                              ("解除(终止)", "")),
    })


@get("/contracts/{contract_id:int}/terminate", name="lc_terminate")
async def terminate_form(request: Request, contract_id: FromPath[int]) -> Response:
    contract = await service.get_contract(request.user, contract_id)
    form = forms.terminate_form({}, contract["start_date"], service.today_local())
    return await _terminate_page(request, form, contract, action=request.url.path,
                                 refusal=rules.may_terminate(contract) or "")


@post("/contracts/{contract_id:int}/terminate", name="lc_terminate_save")
async def terminate_save(request: Request, contract_id: FromPath[int]) -> Response:
    contract = await service.get_contract(request.user, contract_id)
    data = await request.form()
    form = forms.terminate_form(data, contract["start_date"], service.today_local())
    if await form.validate():
        with form.refusals():
            filed = await service.file_terminate(request.user, contract_id, form.cleaned, ip=client_ip(request),
                                                 form_token=data.get("form_token"))
            return redirect(request, request.app.route_reverse("lc_detail", contract_id=filed["id"]) + "?saved=1")
    return await _terminate_page(request, form, contract, action=request.url.path)


@get("/void", name="lc_void_list")
async def void_list(request: Request) -> Response:
    """LC-8: 未审核 and 审核不通过 filings, several can be voided at once."""
    rows = await service.voidable(request.user, dict(request.query_params))
    return await page(request, "labor_contract/void.html", {
        "page_title": "劳动合同申报作废", "rows": rows, "values": dict(request.query_params), "results": None,
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
        "nothing_chosen": not ids, "breadcrumbs": crumbs(request, ("劳动合同申报作废", "")),
    })



ROUTES = [
    home, query, detail, new_form, new_save, edit_form, edit_save, renew_list, renew_form, renew_save,
    terminate_list, terminate_form, terminate_save, void_list, void_selected,
    *roster_controllers.ROUTES, *batch_controllers.ROUTES,
]
