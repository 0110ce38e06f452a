"""Shared page helpers of the domain: the LC-1 gate (the Area's before_request) and no-store rendering."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response

from domains.employer import service as employer_service
from portal.areas import crumbs
from portal.web import render

NO_STORE = {"Cache-Control": "no-store"}


async def gate(request: Request) -> Response | None:
    """LC-1: before the first filing is approved, every contract page explains why and links to the filing."""
    # The employer loader read the flag with the account row; without it, ask (approval may be seconds old).
    if "filing_approved" in request.user.flags or await employer_service.is_filing_approved(request.user.employer_id):
        return None
    latest = await employer_service.latest_filing(request.user.employer_id)
    return await render(
        request, "labor_contract/gate.html",
        {"page_title": "请先完成单位初次备案", "filing": latest, "breadcrumbs": crumbs(request, ("初次备案", ""))},
        status_code=403, headers=NO_STORE,
    )


async def page(request: Request, template: str, ctx: dict[str, Any], **kw: Any) -> Response:
    return await render(request, template, ctx, headers=NO_STORE, **kw)
