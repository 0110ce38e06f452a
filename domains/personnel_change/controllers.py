"""HTTP handlers of 人员增减员 (PC-1 … PC-6): 增员/减员 申报 by 身份证号, the confirm lists with their check-answers
step, detail, 修改, 删除, 撤回. One set of handlers per direction, made by `_handlers` (the two flows are the same shape)."""

from __future__ import annotations

import re
import secrets
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.params import FromPath

from domains.personnel_change import batch_controllers, forms, report_controllers, rules, service
from domains.personnel_change.matters import ENROL, WITHDRAW
from portal.areas import crumbs
from portal.core import dictionary
from portal.dataservices.keyset import PageRequest
from portal.refusal import Refused
from portal.validators import normalise
from portal.values import yuan
from portal.web import client_ip, is_htmx, redirect, render, render_step
from portal.workflow import engine as workflow

NO_STORE = {"Cache-Control": "no-store"}
TITLES = {"enrol": ("增员申报", "增员确认"), "withdraw": ("减员申报", "减员确认")}
KINDS = {"enrol": ENROL, "withdraw": WITHDRAW}


async def page(request: Request, template: str, ctx: dict[str, Any], *, headers: dict[str, str] | None = None,
               **kw: Any) -> Response:
    return await render(request, template, ctx, headers={**NO_STORE, **(headers or {})}, **kw)


@get("/", name="pc_home")
async def home(request: Request) -> Response:
    return await page(request, "personnel_change/home.html", {"page_title": "人员增减员", "breadcrumbs": crumbs(request)})


async def _options(direction: str) -> dict[str, Any]:
    if direction == "enrol":
        return {c: await dictionary.choices(c) for c in
                ("pc_ethnicity", "pc_hukou", "employment_form", "insured_identity")}
    return {"pc_withdraw_reason": await dictionary.choices("pc_withdraw_reason"),
            "kinds": forms.WITHDRAW_KIND_CHOICES, "retire_classes": rules.RETIRE_CLASSES[1:]}


def _form(direction: str, data: Any):
    return forms.enrol_form(data) if direction == "enrol" else forms.withdraw_form(data)


def _edit_values(matter: dict[str, Any], changes: list[dict]) -> dict[str, str]:
    """What the 修改 form shows: the saved application as the employer typed it."""
    p = matter["payload"]
    values = {k: str(p.get(k) or "") for k in ("id_number", "name", *service.PERSON_KEYS, "identity", "kind",
                                                 "reason", "retire_class", "period")}
    if p.get("base") is not None and p.get("direction") == "enrol":
        values["base"] = yuan(p["base"], grouping=False)
    values.update({f"ins_{c['insurance']}": "1" for c in changes})
    return values


def _handlers(direction: str) -> list:
    apply_title, confirm_title = TITLES[direction]
    base = f"/{direction}"
    name = f"pc_{direction}"

    async def form_page(request: Request, form, *, found: dict | None, matter: dict | None = None) -> Response:
        title = f"修改{apply_title}" if matter else apply_title
        return await page(request, "personnel_change/apply.html", {
            "page_title": title, "direction": direction, "form": form, "found": found, "matter": matter,
            "options": await _options(direction), "form_token": secrets.token_urlsafe(16),
            "insurances": rules.INSURANCE_LABELS, "confirm_route": f"{name}_confirm",
            "action": request.url.path,
            "breadcrumbs": crumbs(request, (title, "")),
        })

    async def _found(request: Request, form, matter_id: int | None = None) -> dict | None:
        """The lookup for the form's person, or None (back to 查询) when there is none or — 增员 — the 姓名 typed is
        not the name on record (the refusal then sits beside 姓名, what was typed kept)."""
        id_number = form.cleaned.get("id_number")
        if not id_number:
            return None
        try:
            return await service.lookup(request.user, id_number, direction, matter_id,
                                        name=form.cleaned.get("name") or form.value("name") or "")
        except Refused as exc:
            form.refuse(exc)
            return None

    @get(base, name=name)
    async def apply(request: Request) -> Response:
        """PC-1/PC-4: 身份证号 (增员: and 姓名) → 查询; the server decides what each insurance would be and offers
        only that."""
        params = request.query_params
        typed = {k: params.get(k, "") for k in ("id_number", "name")}
        form = _form(direction, typed)
        found = None
        if typed["id_number"]:
            lookup = forms.lookup_form(direction, typed)
            if await lookup.validate():
                form.cleaned.update(lookup.cleaned)
                found = await _found(request, form)
            else:
                form.errors.update(lookup.errors)
        return await form_page(request, form, found=found)

    @post(base, name=f"{name}_save")
    async def save(request: Request) -> Response:
        data = await request.form()
        form = _form(direction, data)
        await form.validate()
        if form.cleaned.get("id_number"):
            errors, _ = await service.check(request.user, direction, form.cleaned)
            for key, message in errors.items():
                form.errors.setdefault(key, message)
        if not form.errors:
            with form.refusals():
                matter = await service.save(request.user, direction, form.cleaned, ip=client_ip(request),
                                            form_token=data.get("form_token"))
                return redirect(request, request.app.route_reverse(f"{name}_confirm") + f"?saved={matter['number']}")
        return await form_page(request, form, found=await _found(request, form))

    @get(f"{base}/{{matter_id:int}}/edit", name=f"{name}_edit")
    async def edit(request: Request, matter_id: FromPath[int]) -> Response:
        matter = await service.own_matter(request.user, matter_id, direction)
        changes = (await service.changes_of([matter_id], request.user.employer_id)).get(matter_id, [])
        form = _form(direction, _edit_values(matter, changes))
        await form.validate()
        form.errors = {}
        return await form_page(request, form, found=await _found(request, form, matter_id), matter=matter)

    @post(f"{base}/{{matter_id:int}}/edit", name=f"{name}_edit_save")
    async def edit_save(request: Request, matter_id: FromPath[int]) -> Response:
        matter = await service.own_matter(request.user, matter_id, direction)
        data = await request.form()
        form = _form(direction, data)
        await form.validate()
        if form.cleaned.get("id_number") and form.cleaned["id_number"] != matter["payload"].get("id_number"):
            form.add_error("id_number", "修改时不能更换人员，请删除后重新申报")
        if form.cleaned.get("id_number") and not form.errors:
            errors, _ = await service.check(request.user, direction, form.cleaned, exclude_matter=matter_id)
            for key, message in errors.items():
                form.errors.setdefault(key, message)
        if not form.errors:
            with form.refusals():
                await service.modify(request.user, direction, matter_id, form.cleaned, ip=client_ip(request))
                return redirect(request, request.app.route_reverse(f"{name}_confirm") + f"?saved={matter['number']}")
        return await form_page(request, form, found=await _found(request, form, matter_id), matter=matter)

    async def list_page(request: Request, *, notice: str = "", errors: dict[int, str] | None = None,
                        status_code: int = 200) -> Response:
        params = request.query_params
        state = params.get("state", "") if params.get("state", "") in service.STATE_FILTERS else ""
        kinds = rules.ENROL_KINDS if direction == "enrol" else {k: rules.RESULT_LABELS[k] for k in rules.WITHDRAW_KINDS}
        kind = params.get("kind", "") if params.get("kind", "") in kinds else ""
        id_number = normalise(params.get("id_number", ""))[:18]
        name_filter = params.get("name", "").strip()[:40]
        filters = {"state": state, "kind": kind, "id_number": id_number, "name": name_filter}
        paging = PageRequest.read(params, "int") if request.method == "GET" else PageRequest()
        listing = await service.confirm_list(request.user, direction, state, name=name_filter,
                                             id_number=id_number, kind=kind, paging=paging)
        base = request.app.route_reverse(f"{name}_confirm")
        recalled = params.get("recalled", "")
        # a 办件编号 only: the notice repeats it, so no other text from the address is shown
        recalled = recalled if re.fullmatch(r"[0-9A-Z-]{1,40}", recalled) else ""

        def link(**extra: str) -> str:
            query = urlencode({k: v for k, v in {**filters, **extra}.items() if v})
            return f"{base}?{query}" if query else base

        return await page(request, "personnel_change/confirm_list.html", {
            "page_title": confirm_title, "direction": direction, "rows": listing.rows, "state": state,
            "page_number": listing.number, "page_size": service.PAGE_SIZE, "prev_url": link(**listing.prev_params()) if listing.prev else "",
            "next_url": link(**listing.next_params()) if listing.next else "",
            # the results reload themselves, at the same place, after a 撤回 in the modal (pc-changed)
            "refresh_url": link(**paging.url_params(listing.number)),
            "recalled": recalled,
            "filters": {"kind": kind, "id_number": id_number, "name": name_filter}, "kind_choices": kinds,
            "kind": KINDS[direction], "kind_labels": rules.KIND_LABELS, "insurance_label": rules.insurance_label,
            "period_text": rules.period_text, "saved": request.query_params.get("saved", ""), "notice": notice,
            "errors": errors or {}, "apply_route": name,
            "transfers_out": await service.transfers_out(request.user) if direction == "withdraw" else [],
            "result_labels": rules.RESULT_LABELS,
            "breadcrumbs": crumbs(request, (confirm_title, "")),
        }, status_code=status_code, block="results")

    @get(f"{base}/confirm", name=f"{name}_confirm")
    async def confirm_list(request: Request) -> Response:
        """PC-3/PC-6 增员确认 / 减员确认: 删除 / 修改 (未确认 only) / 详细 / 审核明细 / 修改附件; tick many, 确认通过."""
        return await list_page(request)

    def _selected(data) -> list[tuple[int, int]]:
        items = []
        for value in data.getall("pick", []) if hasattr(data, "getall") else []:
            mid, _, version = str(value).partition(":")
            if mid.isdigit() and version.isdigit() and len(mid) < 11 and len(version) < 11:
                items.append((int(mid), int(version)))
        return items

    @post(f"{base}/confirm/check", name=f"{name}_confirm_check")
    async def confirm_check(request: Request) -> Response:
        """The check-answers step: what will happen to each selected person, before anything is submitted."""
        items = _selected(await request.form())
        if not items:
            return await list_page(request, notice="请先勾选要确认通过的申报", status_code=400)
        rows = await service.preview(request.user, direction, [m for m, _ in items])
        versions = dict(items)
        for row in rows:
            row["pick"] = f"{row['id']}:{versions[row['id']]}"
        return await page(request, "personnel_change/confirm_check.html", {
            "page_title": f"{confirm_title}：确认通过", "direction": direction, "rows": rows,
            "breadcrumbs": crumbs(request, (confirm_title, request.app.route_reverse(f"{name}_confirm")),
                                  ("确认通过", "")),
        })

    @post(f"{base}/confirm/do", name=f"{name}_confirm_do")
    async def confirm_do(request: Request) -> Response:
        items = _selected(await request.form())
        if not items:
            return await list_page(request, notice="请先勾选要确认通过的申报", status_code=400)
        results = await service.confirm(request.user, direction, items, ip=client_ip(request))
        failed = {mid: reason for mid, reason in results.items() if reason}
        done = len(results) - len(failed)
        notice = f"已确认通过 {done} 件，已提交社保经办机构审核。" + (f"{len(failed)} 件未能确认，原因见下表。" if failed else "")
        return await list_page(request, notice=notice, errors=failed)

    @post(f"{base}/{{matter_id:int}}/delete", name=f"{name}_delete")
    async def delete(request: Request, matter_id: FromPath[int]) -> Response:
        data = await request.form()
        version = str(data.get("version", ""))
        try:
            await service.delete(request.user, direction, matter_id, int(version) if version.isdigit() else 0,
                                 ip=client_ip(request))
        except Refused as exc:
            return await list_page(request, notice=exc.message, status_code=409)
        return redirect(request, request.app.route_reverse(f"{name}_confirm") + "?deleted=1")

    async def recall_page(request: Request, matter: dict[str, Any], *, error: str = "", done: str = "",
                          changed: bool = False) -> Response:
        """The 撤回 panel: a page without JavaScript, the modal for htmx (render_step)."""
        list_url = request.app.route_reverse(f"{name}_confirm")
        return await render_step(request, "personnel_change/recall.html", {
            "page_title": f"撤回{apply_title}", "modal_id": "pc-recall-modal", "direction": direction,
            "matter": matter, "kind": KINDS[direction], "refusal": rules.recall_refusal(matter["state"]),
            "error": error, "done": done, "form_token": secrets.token_urlsafe(16), "list_url": list_url,
            "breadcrumbs": crumbs(request, (confirm_title, list_url), ("撤回", "")),
        }, changed="pc-changed" if changed else "", refused=bool(error), headers=NO_STORE)

    @get(f"{base}/{{matter_id:int}}/recall", name=f"{name}_recall")
    async def recall(request: Request, matter_id: FromPath[int]) -> Response:
        """撤回 (X-1a), the confirmation step: what goes back to 未确认, and 确定撤回."""
        return await recall_page(request, await service.own_matter(request.user, matter_id, direction))

    @post(f"{base}/{{matter_id:int}}/recall", name=f"{name}_recall_do")
    async def recall_do(request: Request, matter_id: FromPath[int]) -> Response:
        data = await request.form()
        version = str(data.get("version", ""))
        try:
            matter = await service.recall(request.user, direction, matter_id,
                                          int(version) if version.isdigit() and len(version) < 11 else 0,
                                          form_token=str(data.get("form_id") or "") or None, ip=client_ip(request))
        except Refused as exc:
            matter = await service.own_matter(request.user, matter_id, direction)
            # the modal shows the refusal and the list behind reloads (the state having changed)
            return await recall_page(request, matter, error=exc.message, changed=True)
        if not is_htmx(request):
            return redirect(request, request.app.route_reverse(f"{name}_confirm") + f"?recalled={matter['number']}")
        return await recall_page(request, matter, changed=True, done=(
            f"已撤回：{matter['payload'].get('name', '')}的{apply_title}（办件编号 {matter['number']}）回到未确认状态，"
            "可修改后重新确认通过，也可以删除。"))

    @get(f"{base}/{{matter_id:int}}", name=f"{name}_detail")
    async def detail(request: Request, matter_id: FromPath[int]) -> Response:
        """详细 and 审核明细 (the timeline with the reviewers' opinions)."""
        matter = await service.own_matter(request.user, matter_id, direction)
        changes = (await service.changes_of([matter_id], request.user.employer_id)).get(matter_id, [])
        return await page(request, "personnel_change/detail.html", {
            "page_title": f"{apply_title}详细：{matter['payload'].get('name', '')}", "direction": direction,
            "matter": matter, "changes": changes, "events": await workflow.timeline(matter_id),
            "kind": KINDS[direction], "kind_labels": rules.KIND_LABELS, "insurance_label": rules.insurance_label,
            "period_text": rules.period_text, "labels": await _labels(),
            "breadcrumbs": crumbs(request, (confirm_title, request.app.route_reverse(f"{name}_confirm")), ("详细", "")),
        })

    return [apply, save, edit, edit_save, confirm_list, confirm_check, confirm_do, delete, recall, recall_do, detail]


async def _labels() -> dict[str, dict[str, str]]:
    return {c: dict(await dictionary.choices(c)) for c in
            ("pc_ethnicity", "pc_hukou", "employment_form", "insured_identity", "pc_withdraw_reason")}


ROUTES = [home, *_handlers("enrol"), *_handlers("withdraw"), *batch_controllers.ROUTES, *report_controllers.ROUTES]
