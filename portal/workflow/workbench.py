"""Staff workbench (X-2): queues by kind and stage inside the jurisdiction, review in a modal, batch approval."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath

from portal.auth.principal import staff_guard
from portal.web import client_ip, is_htmx, redirect, render
from portal.workflow import engine
from portal.workflow.kinds import all_kinds
from portal.workflow.scope import scope_where, staff_kinds
from portal.workflow.tables import Matter
from portal.workflow.views import (
    fire_from_form,
    flag_where,
    flagger,
    kind_or_none,
    matter_context,
    read_transition,
)

PAGE_SIZE = 50


def _queue_filters(request: Request) -> dict[str, str]:
    q = request.query_params
    return {k: q.get(k, "").strip()[:60] for k in ("kind", "state", "flag", "q")}


async def queue_rows(principal, filters: dict[str, str], page: int = 1) -> tuple[list[dict[str, Any]], bool]:
    kinds = [filters["kind"]] if filters["kind"] else None
    where = scope_where(principal, kinds=kinds)
    if where is None:
        return [], False
    if filters["state"]:
        where = where & (Matter.state == filters["state"])
    else:
        # Default queue: matters waiting for staff, i.e. in a state where some staff transition starts.
        waiting = sorted({s for k in all_kinds() for t in k.transitions if t.actor == "staff" for s in t.from_states})
        where = where & Matter.state.is_in(waiting or ["-"])
    if filters["q"]:
        where = where & ((Matter.number == filters["q"]) | Matter.applicant_name.ilike(f"%{filters['q']}%"))
    if filters["flag"]:
        # The flag is a date condition computed once from the calendar, so the database filters and pages.
        flagged = await flag_where(filters["flag"])
        if flagged is None:
            return [], False
        where = where & flagged
    rows = await Matter.select(
        Matter.id, Matter.number, Matter.kind, Matter.state, Matter.version, Matter.title, Matter.applicant_name,
        Matter.division_code, Matter.submitted_at, Matter.promised_deadline, Matter.legal_deadline,
    ).where(where).order_by(Matter.promised_deadline).order_by(Matter.id).limit(PAGE_SIZE + 1).offset(
        (page - 1) * PAGE_SIZE)
    flag = await flagger()
    out = []
    for row in rows:
        kind = kind_or_none(row["kind"])
        row["kind_obj"] = kind
        row["state_obj"] = kind.state(row["state"]) if kind else None
        row["flag"] = flag(row)
        row["batchable"] = bool(kind and any(
            t.batch and row["state"] in t.from_states and principal.can(t.permission)
            for t in kind.available(row["state"], "staff")
        ))
        out.append(row)
    return out[:PAGE_SIZE], len(out) > PAGE_SIZE


@get("/workbench", name="workbench", guards=[staff_guard()])
async def workbench(request: Request) -> Response:
    principal = request.user
    filters = _queue_filters(request)
    raw_page = request.query_params.get("page", "1")
    page = max(int(raw_page), 1) if raw_page.isdigit() else 1
    rows, has_next = await queue_rows(principal, filters, page)
    kinds = [kind_or_none(code) for code in staff_kinds(principal)]
    kinds = [k for k in kinds if k]
    states = sorted({(s.code, s.label) for k in kinds for s in k.states if not filters["kind"] or k.code == filters["kind"]})
    batch_names = sorted({t.name for k in kinds for t in k.transitions if t.batch and t.actor == "staff"
                          and principal.can(t.permission)})
    batch_labels = {t.name: t.label for k in kinds for t in k.transitions if t.name in batch_names}
    return await render(request, "workflow/workbench.html", {
        "page_title": "办件工作台", "breadcrumbs": [("办件工作台", None)], "rows": rows, "filters": filters,
        "kinds": kinds, "states": states, "page": page, "has_next": has_next,
        "batch": [(n, batch_labels[n]) for n in batch_names], "results": None,
    }, block="queue")


@get("/workbench/matters/{matter_id:int}", name="workbench_matter", guards=[staff_guard()])
async def workbench_matter(request: Request, matter_id: FromPath[int]) -> Response:
    """The matter for review: in the modal for htmx, as a page otherwise (works without JavaScript)."""
    matter = await engine.get_matter_for(request.user, matter_id)
    return await _review(request, matter)


async def _review(request: Request, matter: dict, *, error: str = "", errors: dict | None = None, done: str = "",
                  posted: dict | None = None, status_code: int = 200) -> Response:
    ctx = await matter_context(request.user, matter)
    ctx.update({
        "page_title": f"办理 {matter['number']}",
        "breadcrumbs": [("办件工作台", request.app.route_reverse("workbench")), (matter["number"], None)],
        "error": error, "errors": errors or {}, "done": done, "posted": posted or {},
    })
    headers = {"HX-Trigger": "workflow-changed"} if done else None
    return await render(request, "workflow/review.html", ctx, block="modal", status_code=status_code, headers=headers)


@post("/workbench/matters/{matter_id:int}/fire", name="workbench_fire", guards=[staff_guard()])
async def workbench_fire(request: Request, matter_id: FromPath[int]) -> Response:
    posted = await read_transition(request)
    htmx = is_htmx(request)
    try:
        matter = await fire_from_form(request.user, matter_id, posted)
    except engine.DuplicateSubmission:
        matter = await engine.get_matter_for(request.user, matter_id)
        return await _review(request, matter, done="该操作已处理，请勿重复提交。")
    except engine.WorkflowError as exc:
        matter = await engine.get_matter_for(request.user, matter_id)
        # htmx swaps only 2xx answers: the modal shows the refusal; a plain page gets the real status.
        status = 200 if htmx or exc.status_code != 409 else 409
        return await _review(request, matter, error=exc.message, errors=exc.errors, posted=posted, status_code=status)
    kind = kind_or_none(matter["kind"])
    t = kind.transition(posted["transition"]) if kind else None
    done = f"已{t.label}，办件当前状态：{kind.state_label(matter['state'])}。" if t and kind else "已办理。"
    if not htmx:
        return redirect(request, request.app.route_reverse("workbench"))
    return await _review(request, matter, done=done)


@post("/workbench/batch", name="workbench_batch", guards=[staff_guard()])
async def workbench_batch(request: Request) -> Response:
    """批量审核: every ticked matter (id:version) in its own transaction; one result line per matter."""
    form = await request.form()
    transition = str(form.get("transition", ""))
    items: list[tuple[int, int]] = []
    for raw in form.getall("matter") if hasattr(form, "getall") else []:
        mid, _, ver = str(raw).partition(":")
        if mid.isdigit() and ver.isdigit():
            items.append((int(mid), int(ver)))
    filters = _queue_filters(request)
    if not items:
        results = [("", "请先勾选要批量办理的办件")]
    else:
        outcome = await engine.fire_many(request.user, items[:200], transition, ip=client_ip(request))
        numbers = {r["id"]: r["number"] for r in await Matter.select(Matter.id, Matter.number).where(
            Matter.id.is_in([i for i, _ in items]) & scope_where(request.user))} if scope_where(request.user) else {}
        results = [(numbers.get(mid, str(mid)), error or "办理成功") for mid, error in outcome.items()]
    rows, has_next = await queue_rows(request.user, filters)
    kinds = [k for k in (kind_or_none(c) for c in staff_kinds(request.user)) if k]
    batch_names = sorted({t.name for k in kinds for t in k.transitions if t.batch and t.actor == "staff"
                          and request.user.can(t.permission)})
    batch_labels = {t.name: t.label for k in kinds for t in k.transitions if t.name in batch_names}
    states = sorted({(s.code, s.label) for k in kinds for s in k.states})
    return await render(request, "workflow/workbench.html", {
        "page_title": "办件工作台", "breadcrumbs": [("办件工作台", None)], "rows": rows, "filters": filters,
        "kinds": kinds, "states": states, "page": 1, "has_next": has_next,
        "batch": [(n, batch_labels[n]) for n in batch_names], "results": results,
    }, block="queue")


ROUTES = [workbench, workbench_matter, workbench_fire, workbench_batch]
