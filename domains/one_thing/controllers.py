"""HTTP handlers of 一件事一次办: 员工录用一件事 and 员工离职一件事 (身份证号 → 查询 → one form → 核对 → 提交), the
progress page of both 办件, the 解除(终止)证明书, and the employer's list."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import partial
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath

from domains.employer import service as employer_service
from domains.labor_contract import service as lc
from domains.one_thing import forms, service
from domains.personnel_change import service as pc
from portal.areas import crumbs
from portal.core import dictionary
from portal.forms import BoolField, ChoiceField, Form
from portal.refusal import Refused
from portal.web import client_ip, is_htmx, redirect, render, render_step
from portal.workflow import engine as workflow

NO_STORE = {"Cache-Control": "no-store"}
TITLES = {"hire": "员工录用一件事", "leave": "员工离职一件事"}
# The hire form starts as the 新订 page does.
HIRE_DEFAULTS = {"contract_template": "own", "probation_months": "0"}


async def gate(request: Request) -> Response | None:
    """LC-1 holds here too: before the employer's first filing is approved, the labour-contract area explains."""
    if "filing_approved" in request.user.flags or await employer_service.is_filing_approved(
        request.user.employer_id
    ):
        return None
    return redirect(request, request.app.route_reverse("lc_home"))


async def page(request: Request, template: str, ctx: dict[str, Any], **kw: Any) -> Response:
    return await render(request, template, ctx, headers=NO_STORE, **kw)


@get("/", name="ot_home")
async def home(request: Request) -> Response:
    """我的一件事: both kinds, newest first, with each 办件's state."""
    return await page(
        request,
        "one_thing/home.html",
        {
            "page_title": "一件事一次办",
            "rows": await service.mine(request.user),
            "breadcrumbs": crumbs(request),
        },
    )


async def _options(kind: str) -> dict[str, Any]:
    if kind == "hire":
        codes = (
            "employment_form",
            "contract_type",
            "work_hours_system",
            "pc_ethnicity",
            "pc_hukou",
            "insured_identity",
        )
        return {
            **{c: await dictionary.choices(c) for c in codes},
            "contract_template": list(lc.TEMPLATE_CHOICES),
        }
    return {
        "termination_reason": await dictionary.choices("termination_reason"),
        "pc_withdraw_reason": await dictionary.choices("pc_withdraw_reason"),
        "kinds": pc.WITHDRAW_KIND_CHOICES,
        "retire_classes": pc.RETIRE_CLASS_CHOICES,
    }


async def _form_page(
    request: Request, kind: str, form: Form | None, found: dict | None, *, status_code: int = 200
) -> Response:
    """The 查询 step (`form` is the lookup form, `found` None) or the one form after it."""
    title = TITLES[kind]
    return await page(
        request,
        f"one_thing/{kind}.html",
        {
            "page_title": title,
            "kind": kind,
            "form": form,
            "found": found,
            "options": await _options(kind),
            "form_token": secrets.token_urlsafe(16),
            "action": request.app.route_reverse(f"ot_{kind}"),
            "breadcrumbs": crumbs(request, (title, "")),
        },
        status_code=status_code,
    )


# The 核对 page's sections: the fields each shows (the rest of the form is the 增员 / 减员's).
SECTIONS = {
    "hire": (
        ("职工", {"worker_name", "ethnicity", "hukou", "address", "phone", "work_start"}),
        ("劳动合同（新订备案）", {f.name for f in lc.new_filing_fields()} - {"worker_name", "id_number"}),
        ("社会保险增员", None),
    ),
    "leave": (
        ("劳动合同解除(终止)备案", {"termination_date", "termination_reason", "compensation"}),
        ("社会保险减员", None),
    ),
}


async def _summary(kind: str, form: Form) -> list[tuple[str, list[tuple[str, str]]]]:
    """The 核对 page: every field typed, by section, choices by their labels (the insurances are the outcomes)."""
    sections: list[tuple[str, list[tuple[str, str]]]] = [(title, []) for title, _ in SECTIONS[kind]]
    for f in form.fields:
        value = form.value(f.name)
        if isinstance(f, BoolField) or f.name in ("insurances", "id_number") or not value:
            continue
        if isinstance(f, ChoiceField):
            value = dict(await f.options()).get(value, value)
        index = next(i for i, (_, names) in enumerate(SECTIONS[kind]) if names is None or f.name in names)
        sections[index][1].append((f.label, value))
    return sections


async def _check_page(
    request: Request, kind: str, form: Form, found: dict, outcomes: list[str], form_token: str
) -> Response:
    title = TITLES[kind]
    return await page(
        request,
        "one_thing/check.html",
        {
            "page_title": f"{title}：核对信息",
            "kind": kind,
            "found": found,
            "sections": await _summary(kind, form),
            "outcomes": outcomes,
            "hidden": {"id_number": found["id_number"], **{k: v for k, v in form.values.items() if v}},
            "form_token": form_token,
            "action": request.app.route_reverse(f"ot_{kind}"),
            "breadcrumbs": crumbs(
                request, (title, request.app.route_reverse(f"ot_{kind}")), ("核对信息", "")
            ),
        },
    )


async def _lookup(kind: str, data: Any, *, name_required: bool = True) -> tuple[Form, str]:
    """The 查询 form (身份证号; a hire's also 姓名) and the normalised 身份证号 ('' while anything is missing or
    wrong)."""
    typed = {k: str(data.get(k) or "") for k in ("id_number", "worker_name")}
    lookup = forms.lookup_form(kind, typed, name_required=name_required)
    return lookup, (lookup.cleaned["id_number"] if typed["id_number"] and await lookup.validate() else "")


async def _hire_found(request: Request, lookup: Form, id_number: str) -> dict | None:
    """The hire's lookup, or None with the refusal beside 姓名 when it is not the name on record."""
    try:
        return await service.hire_lookup(request.user, id_number, lookup.value("worker_name").strip())
    except Refused as exc:
        lookup.refuse(exc)
        return None


def _token(data: Any) -> str:
    """The one-time form id carried from the form through 核对 to 提交 (a fresh one if it went missing)."""
    token = str(data.get("form_token") or "")
    return token if 8 <= len(token) <= 64 else secrets.token_urlsafe(16)


async def _repeated(form: Form, data: Any) -> bool:
    """A form already submitted says 请勿重复提交, not the rule its first submission now breaks (X-11)."""
    try:
        await workflow.ensure_unused_token(data.get("form_token"))
    except Refused as exc:
        form.refuse(exc)
        return True
    return False


async def _steps(
    request: Request, kind: str, data: Any, found: dict, form: Form, check: Callable, file: Callable
) -> Response:
    """After the one form: 核对 (step=check) shows what will be filed; 提交 (step=submit) files both at once;
    返回修改 (step=edit) shows the form again as typed. `check` and `file` are the service's, for this worker."""
    step = data.get("step", "check")
    if step == "submit" and await _repeated(form, data):
        return await _form_page(request, kind, form, found)
    if step != "edit":
        await form.validate()
        errors, outcomes = await check(form.cleaned)
        for key, message in errors.items():
            form.errors.setdefault(key, message)
        if not form.errors and step == "check":
            return await _check_page(request, kind, form, found, outcomes, _token(data))
        if not form.errors:
            with form.refusals():
                row = await file(form.cleaned, ip=client_ip(request), form_token=data.get("form_token"))
                return redirect(
                    request, request.app.route_reverse("ot_detail", one_id=row["id"]) + "?submitted=1"
                )
    return await _form_page(request, kind, form, found)


@get("/hire", name="ot_hire")
async def hire(request: Request) -> Response:
    """身份证号 + 姓名 → 查询: the server checks the pair, says what the 增员 would be and whether a 新订 may be
    filed, then one form."""
    lookup, id_number = await _lookup("hire", request.query_params)
    found = await _hire_found(request, lookup, id_number) if id_number else None
    if found is None:
        return await _form_page(request, "hire", lookup, None)
    form = forms.hire_form({**HIRE_DEFAULTS, "id_number": id_number, "worker_name": lookup.cleaned["worker_name"]})
    return await _form_page(request, "hire", form, found)


@post("/hire", name="ot_hire_submit")
async def hire_submit(request: Request) -> Response:
    """核对 (step=check) shows what will be filed; 提交 (step=submit) files both at once; 返回修改 (step=edit)."""
    data = await request.form()
    # an empty 姓名 of a new person is the one form's error, beside its field, with the rest kept
    lookup, id_number = await _lookup("hire", data, name_required=False)
    if not id_number:
        return await _form_page(request, "hire", lookup, None, status_code=400)
    found = await _hire_found(request, lookup, id_number)
    if found is None:
        return await _form_page(request, "hire", lookup, None)
    form = forms.hire_form(data)
    return await _steps(
        request,
        "hire",
        data,
        found,
        form,
        partial(service.check_hire, request.user),
        partial(service.hire, request.user),
    )


@get("/leave", name="ot_leave")
async def leave(request: Request) -> Response:
    """身份证号 → 查询: the current contract to end and what the 减员 can do, then one form."""
    lookup, id_number = await _lookup("leave", request.query_params)
    if not id_number:
        return await _form_page(request, "leave", lookup, None)
    found = await service.leave_lookup(request.user, id_number)
    form = await forms.leave_form({}, found["contract"]) if found["contract"] else None
    return await _form_page(request, "leave", form, found)


@post("/leave", name="ot_leave_submit")
async def leave_submit(request: Request) -> Response:
    data = await request.form()
    lookup, id_number = await _lookup("leave", data)
    if not id_number:
        return await _form_page(request, "leave", lookup, None, status_code=400)
    found = await service.leave_lookup(request.user, id_number)
    if found["contract"] is None:
        return await _form_page(request, "leave", None, found)
    form = await forms.leave_form(data, found["contract"])
    return await _steps(
        request,
        "leave",
        data,
        found,
        form,
        partial(service.check_leave, request.user, id_number),
        partial(service.leave, request.user, id_number),
    )


@get("/{one_id:int}", name="ot_detail")
async def detail(request: Request, one_id: FromPath[int]) -> Response:
    """The one progress page: both 办件 with their states and timelines, and the 解除(终止)证明书 of a 离职."""
    return await _progress_page(request, one_id, submitted=request.query_params.get("submitted") == "1",
                                withdrawn=request.query_params.get("withdrawn") == "1")


async def _refused(request: Request, one_id: int, exc: Refused) -> Response:
    """The progress page again with the refusal at its top (409: the 一件事 is not in a state for that)."""
    return await _progress_page(request, one_id, status_code=409, error=exc.message)


async def _progress_page(request: Request, one_id: int, *, status_code: int = 200, **extra) -> Response:
    row = await service.progress(request.user, one_id)
    return await page(
        request,
        "one_thing/detail.html",
        {"page_title": f"{row['kind_label']}：{row['name']}", "row": row,
         "breadcrumbs": crumbs(request, (row["kind_label"], "")), **extra},
        status_code=status_code, block="progress",  # htmx: the page reloads it after 整件撤回 in the modal
    )


@post("/{one_id:int}/certificate", name="ot_certificate")
async def certificate(request: Request, one_id: FromPath[int]) -> Response:
    """生成解除(终止)证明书 (once; a second click finds the same one)."""
    try:
        await service.certificate(request.user, one_id)
    except Refused as exc:
        return await _refused(request, one_id, exc)
    return redirect(request, request.app.route_reverse("ot_detail", one_id=one_id))


WITHDRAWN_TEXT = "已整件撤回：各件事均已作废，不再审核。需要时请重新申请。"


async def _withdraw_step(request: Request, one_id: int, *, error: str = "", done: str = "",
                         changed: bool = False) -> Response:
    """The 整件撤回 confirmation: each part's 事项, 办件编号 and state, then 确定整件撤回 (a page without JavaScript,
    the modal for htmx); after a refusal, the same with the reason; after it is done, the result."""
    row = await service.with_parts(request.user, one_id)
    detail_url = request.app.route_reverse("ot_detail", one_id=one_id)
    return await render_step(request, "one_thing/withdraw.html", {
        "page_title": f"整件撤回{row['kind_label']}", "modal_id": "ot-withdraw-modal", "row": row, "error": error,
        "done": done,
        "refusal": "" if row["withdrawable"] else row["withdraw_refusal"],
        "form_token": secrets.token_urlsafe(16), "detail_url": detail_url,
        "breadcrumbs": crumbs(request, (row["kind_label"], detail_url), ("整件撤回", "")),
    }, changed="ot-changed" if changed else "", refused=bool(error), headers=NO_STORE)


@get("/{one_id:int}/withdraw", name="ot_withdraw_confirm")
async def withdraw_confirm(request: Request, one_id: FromPath[int]) -> Response:
    """整件撤回, the confirmation step: nothing is withdrawn before 确定整件撤回."""
    return await _withdraw_step(request, one_id)


def _versions(data: Any) -> list[int]:
    """The parts' versions the confirmation showed (anything else is no version: the service refuses the post)."""
    values = [str(v) for v in data.getall("version", [])] if hasattr(data, "getall") else []
    return [int(v) for v in values if v.isdigit() and len(v) < 10][:2]


@post("/{one_id:int}/withdraw", name="ot_withdraw")
async def withdraw(request: Request, one_id: FromPath[int]) -> Response:
    """整件撤回: both 办件 withdrawn in one transaction, or neither; only what the confirmation showed (the parts'
    versions) and once (its form id). A refusal is shown in the confirmation step with the reason."""
    data = await request.form()
    try:
        await service.withdraw(request.user, one_id, versions=_versions(data),
                               form_token=str(data.get("form_id") or "")[:64] or None, ip=client_ip(request))
    except Refused as exc:
        return await _withdraw_step(request, one_id, error=exc.message, changed=True)
    if not is_htmx(request):
        return redirect(request, request.app.route_reverse("ot_detail", one_id=one_id) + "?withdrawn=1")
    return await _withdraw_step(request, one_id, done=WITHDRAWN_TEXT, changed=True)


ROUTES = [home, hire, hire_submit, leave, leave_submit, detail, certificate, withdraw_confirm, withdraw]
