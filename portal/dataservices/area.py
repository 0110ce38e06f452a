"""The data-services area: import results, export jobs, stored documents, 证书管理 and certificate verification."""

from __future__ import annotations

from portal.areas import Area
from portal.dataservices import (
    certificates,
    cleanup,
    controllers,
    documents,
    export,
    imports,
    parallel,
    signing,
)
from portal.jobs import Task
from portal.web import NavItem

DATASERVICES = Area(
    name="dataservices",
    handlers=controllers.ROUTES,
    nav=[NavItem("证书管理", "certificate_list", "staff", permission=controllers.REVOKE_PERMISSION, order=70,
                 description="查询已签发证书，办理作废")],
    permissions={controllers.REVOKE_PERMISSION: "证书管理（查询证明、撤销证明）"},
    document_kinds={"certificate": controllers.REVOKE_PERMISSION},  # 证书管理 shows each certificate's PDF
    tasks=[Task(imports.IMPORT_TASK, imports.import_task), Task(export.EXPORT_TASK, export.export_task)],
    periodic=[cleanup.RECOVERY, cleanup.CLEANUP],
    grids=[certificates.GRID],
    on_startup=[signing.seal_ready],
    on_shutdown=[parallel.close_pool, documents.close_renderer],
)

AREAS = [DATASERVICES]
