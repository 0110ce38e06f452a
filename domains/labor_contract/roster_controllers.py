"""HTTP handlers of rosters: 实时名册打印 (LC-9: pick, preview, save, print) and 已办业务名册查询 (LC-10)."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromPath

from domains.labor_contract import rosters, rules
from domains.labor_contract.pages import page
from portal.areas import crumbs
from portal.core import dictionary
from portal.dataservices.certificates import pdf_response, public_base
from portal.dataservices.documents import PdfError
from portal.dataservices.export import export_url, rows_export_response, wants_export
from portal.refusal import Refused
from portal.validators import mask_id_number
from portal.web import client_ip, redirect


def _ids(data) -> list[int]:
    return [int(v) for v in data.getall("ids", []) if str(v).isdigit()]


PICK_COLUMNS = (("姓名", "worker_name"), ("身份证号", "id_number"), ("用工形式", "employment_form"),
                ("合同类别", "contract_type"), ("合同起始日期", "start_date"), ("合同结束日期", "end_date"),
                ("合同状态", "state"), ("是否生成名册", "in_roster"), ("经办时间", "created_at"))
ROSTER_LIST_COLUMNS = (("备案生成表号", "number"), ("名册类型", "kind_label"), ("条数", "item_count"),
                       ("备案机构", "filing_agency_name"), ("生成时间", "created_at"), ("经办人", "created_by"))


def _masked(rows: list[dict], **labels: dict[str, str]) -> list[dict]:
    """Rows as the page shows them: ID numbers 6+4 (X-9), codes as labels."""
    return [{**r, "id_number": mask_id_number(r.get("id_number") or ""),
             **{k: table.get(r.get(k), r.get(k)) for k, table in labels.items()}} for r in rows]


async def _pick_page(request: Request, params: dict[str, str], *, error: str = "", chosen: list[int] = ()) -> Response:
    rows = await rosters.candidates(request.user, params)
    if wants_export(request):
        return await rows_export_response(request, "实时名册打印", PICK_COLUMNS,
                                          _masked(rows, state=rules.STATE_LABELS))
    return await page(request, "labor_contract/roster_pick.html", {
        "export_url": export_url(request, "" if request.method == "GET" else "lc_roster_pick"),
        "page_title": "实时名册打印", "rows": rows, "values": params,
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
    rows = await rosters.list_rosters(request.user, params)
    if wants_export(request):
        return await rows_export_response(request, "已办业务名册查询", ROSTER_LIST_COLUMNS, rows)
    return await page(request, "labor_contract/rosters.html", {
        "export_url": export_url(request),
        "page_title": "已办业务名册查询", "rows": rows, "values": params,
        "kinds": rules.ROSTER_KIND_LABELS, "breadcrumbs": crumbs(request, ("已办业务名册查询", "")),
    })


@get("/rosters/{roster_id:int}", name="lc_roster_detail")
async def roster_detail(request: Request, roster_id: FromPath[int]) -> Response:
    roster = await rosters.get_roster(request.user, roster_id)
    if wants_export(request):
        return await rows_export_response(request, f"{roster['kind_label']}{roster['number']}",
                                          tuple(
                                              (label, key) for key, label in rosters.columns_for(roster["kind"])),
                                          _masked(roster["items"]))
    return await page(request, "labor_contract/roster_detail.html", {
        "export_url": export_url(request), "verification_code": await rosters.verification_code(roster),
        "page_title": f"{roster['kind_label']} {roster['number']}", "roster": roster,
        "columns": rosters.columns_for(roster["kind"]), "saved": request.query_params.get("saved") == "1",
        "breadcrumbs": crumbs(request, ("已办业务名册查询", request.app.route_reverse("lc_rosters")), (roster["number"], "")),
    })


@get("/rosters/{roster_id:int}/pdf", name="lc_roster_pdf")
async def roster_pdf(request: Request, roster_id: FromPath[int]) -> Response:
    """打印 (inline) or 下载 (?download=1): the same stored bytes every time."""
    try:
        data, name = await rosters.pdf(request.user, roster_id, ip=client_ip(request), base_url=public_base(request))
    except PdfError:
        return Response(content="名册PDF生成失败，请稍后重试", media_type="text/plain; charset=utf-8", status_code=503)
    return pdf_response(data, f"{name}.pdf", inline=request.query_params.get("download") != "1")


ROUTES = [roster_pick, roster_preview, roster_save, roster_list, roster_detail, roster_pdf]
