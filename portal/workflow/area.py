"""The workflow area: 我的办件, 办事进度, 消息中心 for applicants; the 办件工作台 and 好差评 pages for staff."""

from __future__ import annotations

from portal.areas import Area
from portal.web import NavItem
from portal.workflow import controllers

WORKFLOW = Area(
    name="workflow",
    handlers=controllers.ROUTES,
    nav=[
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
    ],
    permissions={
        "workflow.evaluations": "好差评统计查阅",
        "workflow.followup": "差评整改处理",
    },
    context_processors=[controllers.unread_messages],
)

AREAS = [WORKFLOW]
