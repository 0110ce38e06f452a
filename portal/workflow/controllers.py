"""HTTP handlers of portal/workflow: applicant pages, the staff workbench, messages and ratings; nav and permissions."""

from __future__ import annotations

from typing import Any

from litestar import Request

from portal.auth.permissions import register_permissions
from portal.web import NavItem, context_processor, register_nav
from portal.workflow import applicant, feedback, workbench

register_permissions({
    "workflow.evaluations": "好差评统计查阅",
    "workflow.followup": "差评整改处理",
})

register_nav(
    NavItem("我的办件", "matters_mine", "employer", order=80, description="查看本单位全部办件的状态和办理过程"),
    NavItem("办事进度查询", "matter_progress", "employer", order=81, description="凭办件编号查询办理进度"),
    NavItem("消息中心", "messages", "employer", order=90, description="办件受理、补正和审核结果通知"),
    NavItem("我的办件", "matters_mine", "person", order=80, description="查看本人全部办件的状态和办理过程"),
    NavItem("办事进度查询", "matter_progress", "person", order=81, description="凭办件编号查询办理进度"),
    NavItem("消息中心", "messages", "person", order=90, description="办件受理、补正和审核结果通知"),
    NavItem("办件工作台", "workbench", "staff", order=10, description="办理管辖范围内的待办件"),
    NavItem("好差评统计", "workflow_evaluations", "staff", permission="workflow.evaluations", order=60,
            description="按事项和评价等级统计政务服务评价"),
    NavItem("差评整改", "workflow_followups", "staff", permission="workflow.followup", order=61,
            description="核实差评并记录整改情况"),
)


@context_processor
async def unread_messages(request: Request) -> dict[str, Any]:
    """The header's unread count for applicants (base.html shows it when the key is present)."""
    principal = request.scope.get("user")
    if principal is None or principal.is_staff:
        return {}
    return {"unread_messages": await feedback.unread_count(principal)}


ROUTES = [*applicant.ROUTES, *workbench.ROUTES, *feedback.ROUTES]
