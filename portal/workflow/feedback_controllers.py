"""HTTP handlers of 消息中心 (X-6) and 好差评 (X-5): messages, rating a matter, statistics and follow-ups."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath

from portal.auth.principal import Principal, applicant_guard, staff_guard
from portal.dataservices.export import export_url, rows_export_response, wants_export
from portal.db import write_transaction
from portal.refusal import Refused
from portal.values import date_or_reason
from portal.web import client_ip, redirect, render
from portal.workflow import engine
from portal.workflow.deadlines import SHANGHAI
from portal.workflow.feedback import GRADE_LABELS, close_followup, own_messages, rate
from portal.workflow.kinds import all_kinds
from portal.workflow.tables import Evaluation, FollowUp, Message
from portal.workflow.views import GRADES, kind_or_none


@get("/messages", name="messages", guards=[applicant_guard])
async def messages(request: Request) -> Response:
    rows = await Message.select(
        Message.id, Message.title, Message.text, Message.created_at, Message.read_at, Message.matter
    ).where(own_messages(request.user)).order_by(Message.id, ascending=False).limit(200)
    return await render(request, "workflow/messages.html", {
        "page_title": "消息中心", "breadcrumbs": [("消息中心", None)], "rows": rows,
    })


@post("/messages/read", name="messages_read", guards=[applicant_guard])
async def messages_read(request: Request) -> Response:
    """Mark one message (id) or all of the applicant's messages read; scoped by the account, never by the form."""
    form = await request.form()
    raw = str(form.get("id", ""))
    where = own_messages(request.user) & Message.read_at.is_null()
    if raw.isdigit():
        where = where & (Message.id == int(raw))
    async with write_transaction():
        await Message.update({Message.read_at: datetime.now(UTC)}).where(where)
    return redirect(request, request.app.route_reverse("messages"))


@post("/matters/{matter_id:int}/evaluate", name="matter_evaluate", guards=[applicant_guard])
async def matter_evaluate(request: Request, matter_id: FromPath[int]) -> Response:
    from portal.workflow.applicant_controllers import _detail

    form = await request.form()
    raw = str(form.get("grade", ""))
    comment = str(form.get("comment", ""))
    try:
        await rate(request.user, matter_id, int(raw) if raw.isdigit() else 0, comment, client_ip(request))
    except engine.DuplicateSubmission:
        pass
    except engine.WorkflowError as exc:
        matter = await engine.get_matter_for(request.user, matter_id)
        return await _detail(request, matter, error=exc.message, errors=exc.errors,
                             posted={"grade": raw, "comment": comment})
    url = request.app.route_reverse("matter_detail", matter_id=matter_id)
    return redirect(request, f"{url}?done=rated#evaluation")


def _period(raw_from: str, raw_to: str) -> tuple[date, date]:
    today = datetime.now(SHANGHAI).date()
    # a date typed the way a form accepts it (portal.values); anything else means the default
    start = (date_or_reason(raw_from)[0] if raw_from else None) or today.replace(day=1)
    end = (date_or_reason(raw_to)[0] if raw_to else None) or today
    return (start, end) if start <= end else (end, start)


def _in_jurisdiction(principal: Principal, division_code: str) -> bool:
    return principal.covers_division(division_code)


@get("/workbench/evaluations", name="workflow_evaluations", guards=[staff_guard("workflow.evaluations")])
async def evaluations(request: Request) -> Response:
    """好差评 statistics per kind for a period, inside the staff member's jurisdiction."""
    start, end = _period(request.query_params.get("date_from", ""), request.query_params.get("date_to", ""))
    lo = datetime.combine(start, time.min, SHANGHAI).astimezone(UTC)
    hi = datetime.combine(end + timedelta(days=1), time.min, SHANGHAI).astimezone(UTC)
    rows = await Evaluation.select(Evaluation.kind, Evaluation.grade, Evaluation.division_code).where(
        (Evaluation.created_at >= lo) & (Evaluation.created_at < hi)
    )
    stats: dict[str, dict[str, Any]] = {}
    for r in rows:
        if not _in_jurisdiction(request.user, r["division_code"]):
            continue
        kind = kind_or_none(r["kind"])
        s = stats.setdefault(r["kind"], {"name": kind.name if kind else r["kind"], "total": 0,
                                         **{g: 0 for g in GRADE_LABELS}})
        s["total"] += 1
        s[r["grade"]] += 1
    for s in stats.values():
        s["satisfied_pct"] = round(100 * (s[5] + s[4] + s[3]) / s["total"], 1) if s["total"] else 0
    ordered = sorted(stats.values(), key=lambda s: s["name"])
    if wants_export(request):
        columns = (("事项", "name"), ("评价数", "total"), *((label, value) for value, label in GRADES),
                   ("满意率（%）", "satisfied_pct"))
        return await rows_export_response(request, f"好差评统计{start:%Y%m%d}-{end:%Y%m%d}", columns,
                                          [{**s, "satisfied_pct": str(s["satisfied_pct"])} for s in ordered])
    return await render(request, "workflow/evaluations.html", {
        "export_url": export_url(request),
        "page_title": "好差评统计", "breadcrumbs": [("办件工作台", request.app.route_reverse("workbench")),
                                                 ("好差评统计", None)],
        "stats": ordered, "grades": GRADES,
        "date_from": start.isoformat(), "date_to": end.isoformat(), "kinds": all_kinds(),
    })


@get("/workbench/followups", name="workflow_followups", guards=[staff_guard("workflow.followup")])
async def followups(request: Request) -> Response:
    return await _followups_page(request, request.query_params.get("status", "open"))


FOLLOWUP_COLUMNS = (("办件编号", "evaluation.matter.number"), ("事项", "kind_name"),
                    ("申请人", "evaluation.matter.applicant_name"), ("评价", "grade_label"),
                    ("评价内容", "evaluation.comment"), ("处理情况", "note"))


async def _followups_page(request: Request, status: str, errors: dict[str, str] | None = None) -> Response:
    status = status if status in {"open", "closed"} else "open"
    rows = await FollowUp.select(
        FollowUp.all_columns(), FollowUp.evaluation.grade, FollowUp.evaluation.comment,
        FollowUp.evaluation.matter.number, FollowUp.evaluation.matter.kind, FollowUp.evaluation.matter.applicant_name,
    ).where(FollowUp.status == status).order_by(FollowUp.id, ascending=False).limit(500)
    rows = [r for r in rows if _in_jurisdiction(request.user, r["division_code"])]
    for r in rows:
        kind = kind_or_none(r["evaluation.matter.kind"])
        r["kind_name"] = kind.name if kind else r["evaluation.matter.kind"]
        r["grade_label"] = GRADE_LABELS.get(r["evaluation.grade"], "")
    if request.method == "GET" and wants_export(request):
        return await rows_export_response(request, "差评整改", FOLLOWUP_COLUMNS, rows)
    return await render(request, "workflow/followups.html", {
        "export_url": f"{request.app.route_reverse('workflow_followups')}?status={status}&export=xlsx",
        "page_title": "差评整改", "breadcrumbs": [("办件工作台", request.app.route_reverse("workbench")),
                                               ("差评整改", None)],
        "rows": rows, "status": status, "errors": errors or {},
    })


@post("/workbench/followups/{followup_id:int}", name="workflow_followup_close", guards=[staff_guard("workflow.followup")])
async def followup_close(request: Request, followup_id: FromPath[int]) -> Response:
    form = await request.form()
    note = str(form.get("note", "")).strip()[:1000]
    try:
        await close_followup(request.user, followup_id, note, client_ip(request))
    except Refused as refused:
        return await _followups_page(request, "open", {refused.field: refused.message})
    return redirect(request, request.app.route_reverse("workflow_followups"))



ROUTES = [messages, messages_read, matter_evaluate, evaluations, followups, followup_close]
