"""Staff pages of 工伤: the reviewers' queue with the 30-day flag (wi.review; the review itself is the workbench's),
and 工伤保险单位证明 for persons insured by employers in the staff member's divisions (wi.query)."""

from __future__ import annotations

from litestar import Request, Response, get
from piccolo.querystring import QueryString

from domains.employer import service as employers
from domains.work_injury import grids, matters, proof
from portal.areas import crumbs
from portal.auth.principal import staff_guard
from portal.dataservices.export import grid_response
from portal.workflow.deadlines import local_date

REVIEW_GUARD = [staff_guard(matters.REVIEW)]
QUERY_GUARD = [staff_guard(matters.QUERY)]


@get("/", name="wi_queue", guards=REVIEW_GUARD)
async def queue(request: Request) -> Response:
    """工伤快报 waiting for review in the staff member's divisions, nearest 工伤认定 limit first."""
    scope = QueryString("m.state = 'submitted' AND {}", employers.staff_scope_sql(request.user))
    today = local_date()
    return await grid_response(request, grids.QUEUE, scope, "work_injury/queue.html", {
        "page_title": "工伤快报审核", "breadcrumbs": crumbs(request, ("工伤快报审核", "")),
        "flag_days": grids.rules.FLAG_DAYS,
    }, adjust=lambda p: grids.flag_deadlines(p, today))


ROUTES = [queue, *proof.routes("wi_staff_proof", QUERY_GUARD)]
