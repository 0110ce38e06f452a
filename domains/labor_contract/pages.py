"""Shared page helpers of the domain: the LC-1 gate, the side menu, breadcrumbs and no-store rendering."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response

from domains.employer import service as employer_service
from portal.auth.principal import employer_guard
from portal.web import NavItem, register_nav, render

GUARDS = [employer_guard]
NO_STORE = {"Cache-Control": "no-store"}

register_nav(
    NavItem("劳动用工备案", "lc_home", "employer", order=30,
            description="劳动合同新订、续订、解除(终止)备案，批量备案，名册打印"),
)

MENU = (
    ("单位基本信息", "employer_filing"),
    ("劳动合同综合查询", "lc_query"),
    ("劳动合同新订备案", "lc_new"),
    ("劳动合同续订备案", "lc_renew_list"),
    ("劳动合同解除(终止)备案", "lc_terminate_list"),
    ("合同新订(续订)备案批量", "lc_batch_new_renew"),
    ("合同解除(终止)备案批量", "lc_batch_terminate"),
    ("劳动合同申报作废", "lc_void_list"),
    ("已办业务名册查询", "lc_rosters"),
    ("实时名册打印", "lc_roster_pick"),
)


def crumbs(request: Request, *items: tuple[str, str]) -> list[tuple[str, str]]:
    return [("劳动用工备案", request.app.route_reverse("lc_home")), *items]


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
    return await render(request, template, {"menu": MENU, **ctx}, headers=NO_STORE, **kw)
