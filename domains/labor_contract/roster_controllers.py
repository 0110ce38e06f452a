"""HTTP handlers of rosters: 实时名册打印 (LC-9: pick, preview, save, print) and 已办业务名册查询 (LC-10)."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromPath

from domains.labor_contract import rosters, rules
from domains.labor_contract.pages import page
from portal.areas import crumbs
from portal.core import dictionary
from portal.dataservices.certificates import pdf_response
from portal.dataservices.documents import PdfError
from portal.refusal import Refused
from portal.web import client_ip, redirect


def _ids(data) -> list[int]:
    return [int(v) for v in data.getall("ids", []) if str(v).isdigit()]


async def _pick_page(request: Request, params: dict[str, str], *, error: str = "", chosen: list[int] = ()) -> Response:
    return await page(request, "labor_contract/roster_pick.html", {
        "page_title": "实时名册打印", "rows": await rosters.candidates(request.user, params), "values": params,
        "error": error, "chosen": set(chosen), "kinds": rules.ROSTER_KIND_LABELS,
        "contract_types": await dictionary.choices("contract_type"),
        "breadcrumbs": crumbs(request, ("实时名册打印", "")),
    })


@get("/rosters/print", name="lc_roster_pick")
async def roster_pick(request: Request) -> Response:
    return await _pick_page(request, dict(request.query_params))


@post("/rosters/preview", name="lc_roster_preview")
async def roster_preview(request: Request) -> Response:
    """The roster as it will print; 打印 and 下载 stay disabled until it is saved (guide 1.11 5)."""
    data = await request.form()
    kind, ids = data.get("kind", ""), _ids(data)
    try:
        rows = await rosters.selection(request.user, kind, ids)
    except Refused as exc:
        return await _pick_page(request, {}, error=exc.message, chosen=ids)
    return await page(request, "labor_contract/roster_preview.html", {
        "page_title": f"{rules.ROSTER_KIND_LABELS[kind]}（未保存）", "kind": kind, "kind_label": rules.ROSTER_KIND_LABELS[kind],
        "rows": await rosters.display_rows(rows), "columns": rosters.columns_for(kind), "ids": [r["id"] for r in rows],
        "breadcrumbs": crumbs(request, ("实时名册打印", request.app.route_reverse("lc_roster_pick")), ("名册预览", "")),
    })


@post("/rosters", name="lc_roster_save")
async def roster_save(request: Request) -> Response:
    data = await request.form()
    ids = _ids(data)
    try:
        roster = await rosters.save(request.user, data.get("kind", ""), ids)
    except Refused as exc:
        return await _pick_page(request, {}, error=exc.message, chosen=ids)
    return redirect(request, request.app.route_reverse("lc_roster_detail", roster_id=roster["id"]) + "?saved=1")


@get("/rosters", name="lc_rosters")
async def roster_list(request: Request) -> Response:
    params = dict(request.query_params)
    return await page(request, "labor_contract/rosters.html", {
        "page_title": "已办业务名册查询", "rows": await rosters.list_rosters(request.user, params), "values": params,
        "kinds": rules.ROSTER_KIND_LABELS, "breadcrumbs": crumbs(request, ("已办业务名册查询", "")),
    })


@get("/rosters/{roster_id:int}", name="lc_roster_detail")
async def roster_detail(request: Request, roster_id: FromPath[int]) -> Response:
    roster = await rosters.get_roster(request.user, roster_id)
    return await page(request, "labor_contract/roster_detail.html", {
        "page_title": f"{roster['kind_label']} {roster['number']}", "roster": roster,
        "columns": rosters.columns_for(roster["kind"]), "saved": request.query_params.get("saved") == "1",
        "breadcrumbs": crumbs(request, ("已办业务名册查询", request.app.route_reverse("lc_rosters")), (roster["number"], "")),
    })


@get("/rosters/{roster_id:int}/pdf", name="lc_roster_pdf")
async def roster_pdf(request: Request, roster_id: FromPath[int]) -> Response:
    """打印 (inline) or 下载 (?download=1): the same stored bytes every time."""
    try:
        data, name = await rosters.pdf(request.user, roster_id, ip=client_ip(request))
    except PdfError:
        return Response(content="名册PDF生成失败，请稍后重试", media_type="text/plain; charset=utf-8", status_code=503)
    return pdf_response(data, f"{name}.pdf", inline=request.query_params.get("download") != "1")


ROUTES = [roster_pick, roster_preview, roster_save, roster_list, roster_detail, roster_pdf]
