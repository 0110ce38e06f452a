"""Page helpers the work-injury handlers share: no-store rendering and the 工伤快报 form's context."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response

from domains.work_injury import forms, service
from portal.core import dictionary
from portal.forms import Form
from portal.web import render

NO_STORE = {"Cache-Control": "no-store"}


async def page(request: Request, template: str, ctx: dict[str, Any], **kw: Any) -> Response:
    return await render(request, template, ctx, headers=NO_STORE, **kw)


async def report_page(request: Request, form: Form, keys: list[str], *, action: str, title: str,
                      crumbs: list, found: dict[str, dict] | None = None, report: dict | None = None,
                      form_id: str = "") -> Response:
    """The 工伤快报 form (new or 修改); htmx row changes get only the `persons` block back."""
    return await page(request, "work_injury/report_form.html", {
        "page_title": title, "form": form, "keys": keys, "action": action, "found": found or {},
        "report": report, "form_id": form_id, "breadcrumbs": crumbs,
        "categories": await dictionary.choices("wi_accident_category"),
        "severities": await dictionary.choices("wi_injury_severity"), "hospitalised": forms.HOSPITALISED,
        "max_persons": service.rules.MAX_PERSONS,
    }, block="persons" if request.headers.get("HX-Target") == "wi-persons" else None)
