"""The service hall's areas: the public home page with its guides and notices, and 通知公告管理 for staff."""

from __future__ import annotations

from portal.areas import Area, Service
from portal.hall import admin_controllers, controllers, demo
from portal.web import NavItem

HALL = Area(
    name="hall",
    handlers=controllers.ROUTES,
    services=[
        # Offered to both audiences by the platform itself (the workflow's pages and 证明核验).
        *(Service(f"matters_{who}", "我的办件", "matters_mine", who, "办件服务", order=800,
                  summary="查看全部办件的状态和办理过程，补正材料、评价办理结果",
                  guide="登录后可查看本人（本单位）提交的全部办件：办理环节、承诺办结日期、办理过程和审核意见；"
                        "被退回补正的办件可修改后重新提交；办结后可对办理结果作出评价。")
          for who in ("person", "employer")),
        *(Service(f"progress_{who}", "办事进度查询", "matter_progress", who, "办件服务", order=810,
                  summary="凭办件编号查询办理进度",
                  guide="输入回执上的办件编号，查询办件当前所处环节和承诺办结日期。只能查询本人（本单位）的办件。")
          for who in ("person", "employer")),
        *(Service(f"verify_{who}", "证明核验", "verify_start", who, "办件服务", public=True, order=820,
                  summary="上传本厅出具的电子证明，核验真伪和有效状态", keywords="验真 验证码 二维码 PDF",
                  guide="上传本厅出具的PDF证明文件，系统按文件摘要核验：有效、已撤销（注明撤销日期）、文件被改动或"
                        "不是本厅签发。也可扫描证明上的二维码或输入验证码核验。无需登录。")
          for who in ("person", "employer")),
    ],
)

HALL_ADMIN = Area(
    demo=demo.load,
    name="hall_admin",
    handlers=admin_controllers.ROUTES,
    nav=[NavItem("通知公告管理", "admin_notices", "staff", permission=admin_controllers.PERMISSION, order=925,
                 description="撰写、发布和撤回首页通知公告")],
    permissions={admin_controllers.PERMISSION: "通知公告管理"},
)

AREAS = [HALL, HALL_ADMIN]
