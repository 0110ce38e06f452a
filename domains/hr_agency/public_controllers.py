"""The public 人力资源服务机构名录 (HRA-13): no sign-in; search by name, region and service; nothing personal."""

from __future__ import annotations

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException

from domains.hr_agency import grids
from portal.auth.principal import PUBLIC
from portal.dataservices.export import grid_response


@get("/", name="hra_register", opt=PUBLIC)
async def register(request: Request) -> Response:
    if request.query_params.get("export"):
        raise NotFoundException()  # no bulk export without sign-in; the page pages by 20
    return await grid_response(request, await grids.register_grid(request.query_params), grids.register_scope(),
                               "hr_agency/register.html",
                               {"page_title": "人力资源服务机构名录", "breadcrumbs": [("人力资源服务机构名录", "")]})


ROUTES = [register]
