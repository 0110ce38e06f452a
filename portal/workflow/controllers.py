"""HTTP handlers of portal/workflow: applicant pages, the staff workbench, messages and ratings."""

from __future__ import annotations

from typing import Any

from litestar import Request

from portal.workflow import applicant_controllers, feedback, feedback_controllers, workbench_controllers


async def unread_messages(request: Request) -> dict[str, Any]:
    """The header's unread count for applicants (base.html shows it when the key is present)."""
    principal = request.scope.get("user")
    if principal is None or principal.is_staff:
        return {}
    return {"unread_messages": await feedback.unread_count(principal)}


ROUTES = [*applicant_controllers.ROUTES, *workbench_controllers.ROUTES, *feedback_controllers.ROUTES]
