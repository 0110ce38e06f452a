"""Shared page helpers of the domain: no-store rendering, the 结算期 query parameter."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, Response

from domains.social_insurance import rules
from domains.social_insurance.rules import Refused
from portal.web import render

NO_STORE = {"Cache-Control": "no-store"}
LOCAL = ZoneInfo("Asia/Shanghai")


def today() -> date:
    return datetime.now(LOCAL).date()


def this_period() -> int:
    return rules.period_of(today())


def period_param(raw: str | None) -> tuple[int, str, str]:
    """(结算期, the text to redisplay, the Chinese error or ''); empty → this month (the manual's default)."""
    if not raw:
        period = this_period()
        return period, rules.period_input(period), ""
    try:
        period = rules.parse_period(raw)
    except Refused as exc:
        return this_period(), raw, exc.message
    return period, rules.period_input(period), ""


async def page(request: Request, template: str, ctx: dict[str, Any], **kw: Any) -> Response:
    return await render(request, template, ctx, headers=NO_STORE, **kw)
