"""Applicant pages: 我的办件, detail with materials and actions, confirmation, receipt, 进度查询, 办事指南."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath

from portal.auth.principal import PUBLIC, applicant_guard, authenticated_guard
from portal.dataservices.export import export_url, rows_export_response
from portal.values import date_or_reason
from portal.web import client_ip, redirect, render
from portal.workflow import engine, transitions
from portal.workflow.deadlines import SHANGHAI
from portal.workflow.kinds import all_kinds, get_kind
from portal.workflow.materials import open_material, upload_material
from portal.workflow.scope import scope_where
from portal.workflow.tables import Matter
from portal.workflow.views import fire_from_form, kind_or_none, matter_context, read_transition

PAGE_SIZE = 30
DONE_TEXT = {"withdraw": "办件已撤回。", "void": "办件已删除。", "accept_decision": "您已接受评定结果，办件已办结。",
             "appeal": "申诉已提交，请等待处理结果。"}


def _applicant_kinds(principal) -> list:
    want = "employer" if principal.is_employer else "person"
    return [k for k in all_kinds() if k.applicant in (want, "any")]


def _day_start(raw: str) -> datetime | None:
    day = date_or_reason(raw)[0] if raw else None
    return datetime.combine(day, time.min, SHANGHAI).astimezone(UTC) if day else None


@get("/matters", name="matters_mine", guards=[applicant_guard])
async def matters_mine(request: Request) -> Response:
    """我的办件: every matter of the logged-in applicant, filterable by kind, state and date."""
    return await _mine(request)


@post("/matters/batch", name="matters_batch", guards=[applicant_guard])
async def matters_batch(request: Request) -> Response:
    """批量确认 / 批量删除 of the applicant's own drafts (增员确认, 快报确认): each matter in its own transaction."""
    form = await request.form()
    items = [(int(m), int(v)) for raw in form.getall("matter")
             for m, _, v in [str(raw).partition(":")] if m.isdigit() and v.isdigit()]
    if not items:
        return await _mine(request, results=[("", "请先勾选办件")])
    outcome = await engine.fire_many(request.user, items[:200], str(form.get("transition", "")), ip=client_ip(request))
    numbers = {r["id"]: r["number"] for r in await Matter.select(Matter.id, Matter.number).where(
        Matter.id.is_in([i for i, _ in items]) & scope_where(request.user))}
    return await _mine(request, results=[(numbers.get(i, str(i)), e or "办理成功") for i, e in outcome.items()])


async def _mine(request: Request, results: list | None = None) -> Response:
    principal = request.user
    q = request.query_params
    filters = {k: q.get(k, "").strip() for k in ("kind", "state", "date_from", "date_to")}
    where = scope_where(principal)
    errors: dict[str, str] = {}
    if filters["kind"]:
        where = where & (Matter.kind == filters["kind"])
    if filters["state"]:
        where = where & (Matter.state == filters["state"])
    start, end = _day_start(filters["date_from"]), _day_start(filters["date_to"])
    if filters["date_from"] and start is None:
        errors["date_from"] = "开始日期格式应为yyyy-mm-dd"
    if filters["date_to"] and end is None:
        errors["date_to"] = "结束日期格式应为yyyy-mm-dd"
    if start:
        where = where & (Matter.created_at >= start)
    if end:
        where = where & (Matter.created_at < end + timedelta(days=1))
    if q.get("export") == "xlsx":
        return await _export_mine(request, where)
    page = max(int(q.get("page", "1")) if q.get("page", "1").isdigit() else 1, 1)
    rows = await Matter.select(
        Matter.id, Matter.number, Matter.kind, Matter.state, Matter.version, Matter.title, Matter.created_at,
        Matter.submitted_at, Matter.promised_deadline,
    ).where(where).order_by(Matter.id, ascending=False).limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)
    kinds = _applicant_kinds(principal)
    states = sorted({(s.code, s.label) for k in kinds for s in k.states if not filters["kind"] or k.code == filters["kind"]})
    batch: dict[str, str] = {}
    for row in rows:
        kind = kind_or_none(row["kind"])
        row["kind_name"] = kind.name if kind else row["kind"]
        row["state_obj"] = await transitions.shown_state(kind, row) if kind else None
        row["batch"] = [t for t in (kind.available(row["state"], "applicant") if kind else []) if t.batch]
        batch.update({t.name: t.label for t in row["batch"]})
    return await render(request, "workflow/mine.html", {
        "batch": sorted(batch.items()), "results": results,
        "page_title": "我的办件", "breadcrumbs": [("我的办件", None)],
        "rows": rows[:PAGE_SIZE], "has_next": len(rows) > PAGE_SIZE, "page": page, "filters": filters,
        "errors": errors, "kinds": kinds, "states": states, "export_url": export_url(request, "" if request.method == "GET" else "matters_mine"),
    }, block="results")


MINE_EXPORT_MAX = 10_000
MINE_COLUMNS = (("办件编号", "number"), ("事项", "kind_name"), ("标题", "title"), ("状态", "state_label"),
                ("申请时间", "created_at"), ("承诺办结日期", "promised_deadline"))


async def _export_mine(request: Request, where) -> Response:
    """X-3: 我的办件 with its filters, every page (up to MINE_EXPORT_MAX, newest first)."""
    rows = await Matter.select(
        Matter.id, Matter.number, Matter.kind, Matter.state, Matter.title, Matter.created_at, Matter.promised_deadline,
    ).where(where).order_by(Matter.id, ascending=False).limit(MINE_EXPORT_MAX)
    for row in rows:
        kind = kind_or_none(row["kind"])
        row["kind_name"] = kind.name if kind else row["kind"]
        row["state_label"] = (await transitions.shown_state(kind, row)).label if kind else row["state"]
    return await rows_export_response(request, "我的办件", MINE_COLUMNS, rows)


@get("/matters/progress", name="matter_progress", guards=[applicant_guard])
async def matter_progress(request: Request) -> Response:
    """办事进度查询 by number: only the applicant's own matters are found."""
    number = request.query_params.get("number", "").strip()[:40]
    matter, error = None, ""
    if "number" in request.query_params:
        if not number:
            error = "请填写办件编号"
        else:
            matter = await engine.find_by_number(request.user, number)
            if matter is None:
                error = "没有找到该编号的办件，请核对编号"
    ctx: dict[str, Any] = {"page_title": "办事进度查询", "breadcrumbs": [("办事进度查询", None)], "number": number,
                           "error": error, "found": None}
    if matter:
        ctx["found"] = await matter_context(request.user, matter)
    return await render(request, "workflow/progress.html", ctx)


@get("/matters/{matter_id:int}", name="matter_detail", guards=[applicant_guard])
async def matter_detail(request: Request, matter_id: FromPath[int]) -> Response:
    matter = await engine.get_matter_for(request.user, matter_id)
    return await _detail(request, matter, done=request.query_params.get("done", ""))


async def _detail(request: Request, matter: dict, *, error: str = "", errors: dict | None = None,
                  done: str = "", status_code: int = 200, posted: dict | None = None) -> Response:
    ctx = await matter_context(request.user, matter)
    kind = ctx["kind"]
    ctx.update({
        "page_title": f"办件详情 {matter['number']}",
        "breadcrumbs": [("我的办件", request.app.route_reverse("matters_mine")), (matter["number"], None)],
        "error": error, "errors": errors or {}, "done_text": DONE_TEXT.get(done, ""), "posted": posted or {},
        # a step's material only while that step is offered (not past its time limit, not once final)
        "uploadable": [m for m in kind.uploadable(matter["state"])
                       if not m.transition or m.transition in {t.name for t in ctx["actions"]}]
        if kind and ctx["state"] else [],
        "can_edit": bool(kind and kind.edit_route and ctx["state"] and ctx["state"].editable),
    })
    return await render(request, "workflow/detail.html", ctx, status_code=status_code)


@post("/matters/{matter_id:int}/fire", name="matter_fire", guards=[applicant_guard])
async def matter_fire(request: Request, matter_id: FromPath[int]) -> Response:
    """The applicant's own transitions (提交, 撤回, 申诉 …); the role check is in the engine, not only here."""
    posted = await read_transition(request)
    try:
        matter = await fire_from_form(request.user, matter_id, posted)
    except engine.DuplicateSubmission:
        return redirect(request, request.app.route_reverse("matter_detail", matter_id=matter_id))
    except engine.WorkflowError as exc:
        matter = await engine.get_matter_for(request.user, matter_id)
        return await _detail(request, matter, error=exc.message, errors=exc.errors, posted=posted,
                             status_code=exc.status_code if exc.status_code == 409 else 200)
    kind = get_kind(matter["kind"])
    t = kind.transition(posted["transition"])
    if t is not None and t.starts_clock:
        return redirect(request, request.app.route_reverse("matter_submitted", matter_id=matter_id))
    url = request.app.route_reverse("matter_detail", matter_id=matter_id)
    return redirect(request, f"{url}?done={posted['transition']}")


@get("/matters/{matter_id:int}/submitted", name="matter_submitted", guards=[applicant_guard])
async def matter_submitted(request: Request, matter_id: FromPath[int]) -> Response:
    """Confirmation after submit: the number, what happens next, the 回执."""
    matter = await engine.get_matter_for(request.user, matter_id)
    ctx = await matter_context(request.user, matter)
    # A kind may add warnings to its confirmation (kind.extra["confirmation_notices"](principal, matter) → [str]).
    notices = (ctx["kind"].extra.get("confirmation_notices") if ctx["kind"] else None)
    ctx["notices"] = await notices(request.user, matter) if notices else []
    ctx.update({"page_title": "提交成功", "breadcrumbs": [("我的办件", request.app.route_reverse("matters_mine")),
                                                       ("提交成功", None)]})
    return await render(request, "workflow/submitted.html", ctx)


def next_steps(kind, matter: dict) -> list[str]:
    steps = ["工作人员将在承诺时限内办理，办理结果会发送到消息中心。",
             "您可以在“我的办件”或“办事进度查询”中用办件编号查看进度。"]
    if kind and any(t.name == "withdraw" for t in kind.available(matter["state"], "applicant")):
        steps.append("受理前您可以撤回本办件。")
    return steps


@get("/matters/{matter_id:int}/receipt.pdf", name="matter_receipt", guards=[applicant_guard])
async def matter_receipt(request: Request, matter_id: FromPath[int]) -> Response:
    from portal.dataservices.certificates import pdf_response
    from portal.dataservices.documents import receipt_pdf
    from portal.workflow.materials import materials_of

    matter = await engine.get_matter_for(request.user, matter_id)
    kind = kind_or_none(matter["kind"])
    if matter["submitted_at"] is None:
        return await _detail(request, matter, error="办件提交后才能打印回执", status_code=409)
    labels = {m.code: m.label for m in kind.materials} if kind else {}
    receipt = {
        "number": matter["number"], "kind_name": kind.name if kind else matter["kind"],
        "applicant": matter["applicant_name"], "submitted_at": matter["submitted_at"],
        "materials": [f"{labels.get(m['code'], m['code'])}（{m['filename']}）" for m in await materials_of(matter_id)],
        "next_steps": next_steps(kind, matter), "promised_at": matter["promised_deadline"] or "—",
    }
    return pdf_response(await receipt_pdf(receipt), f"回执-{matter['number']}.pdf")


@post("/matters/{matter_id:int}/materials", name="matter_upload", guards=[applicant_guard])
async def matter_upload(request: Request, matter_id: FromPath[int]) -> Response:
    form = await request.form()
    upload = form.get("file")
    code = str(form.get("code", ""))
    matter = await engine.get_matter_for(request.user, matter_id)
    if not isinstance(upload, UploadFile):
        return await _detail(request, matter, error="请选择要上传的文件", errors={"file": "请选择要上传的文件"},
                             posted={"code": code})
    max_bytes = 10 * 1024 * 1024
    data = await upload.read(max_bytes + 1)
    try:
        await upload_material(request.user, matter_id, code, upload.filename or "", data,
                              storage_dir=request.app.state.settings.storage_dir, ip=client_ip(request))
    except engine.WorkflowError as exc:
        return await _detail(request, matter, error=exc.message, errors=exc.errors or {"file": exc.message},
                             posted={"code": code})
    url = request.app.route_reverse("matter_detail", matter_id=matter_id)
    return redirect(request, f"{url}?done=upload#materials")


@get("/materials/{material_id:int}", name="material_download", guards=[authenticated_guard])
async def material_download(request: Request, material_id: FromPath[int]) -> Response:
    """The applicant and staff covering the matter only (404 for everybody else)."""
    from urllib.parse import quote

    row, data = await open_material(request.user, material_id, request.app.state.settings.storage_dir)
    return Response(content=data, media_type=row["mime"], headers={
        "Content-Disposition": f"inline; filename=\"material\"; filename*=UTF-8''{quote(row['filename'])}",
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
    })


@get("/guide/{kind_code:str}", name="matter_guide", opt=PUBLIC)
async def matter_guide(request: Request, kind_code: FromPath[str]) -> Response:
    """办事指南: materials, 法定 / 承诺 time limits, the steps (X-1b)."""
    kind = kind_or_none(kind_code)
    if kind is None:
        from litestar.exceptions import NotFoundException

        raise NotFoundException("事项不存在")
    return await render(request, "workflow/guide.html", {
        "page_title": f"办事指南：{kind.name}", "breadcrumbs": [("办事指南", None)], "kind": kind,
    })


ROUTES = [matters_mine, matters_batch, matter_progress, matter_detail, matter_fire, matter_submitted, matter_receipt, matter_upload,
          material_download, matter_guide]
