"""人员增减员异动申报表打印 (PC-7): pick the kind and 结算期, 生成报表, then print or download the PDF."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromPath

from domains.personnel_change import reports
from portal.areas import crumbs
from portal.dataservices.certificates import pdf_response, public_base
from portal.dataservices.documents import PdfError
from portal.forms import ChoiceField, Form, MonthField
from portal.web import client_ip, redirect, render

DIRECTIONS = (("enrol", reports.TITLES["enrol"]), ("withdraw", reports.TITLES["withdraw"]))


def report_form(data) -> Form:
    return Form([ChoiceField("direction", "报表类型", choices=DIRECTIONS), MonthField("period", "结算期")], data)


async def _page(request: Request, form: Form, status_code: int = 200) -> Response:
    return await render(request, "personnel_change/reports.html", {
        "page_title": "人员增减员异动申报表打印", "form": form, "directions": DIRECTIONS,
        "reports": await reports.list_reports(request.user),
        "breadcrumbs": crumbs(request, ("增减员申报表打印", "")),
    }, status_code=status_code, headers={"Cache-Control": "no-store"})


@get("/reports", name="pc_reports")
async def report_list(request: Request) -> Response:
    return await _page(request, report_form({"direction": request.query_params.get("direction", "enrol")}))


@post("/reports", name="pc_report_save")
async def report_save(request: Request) -> Response:
    """生成报表: the confirmed changes of the 结算期, saved with a number."""
    form = report_form(await request.form())
    if await form.validate():
        with form.refusals():
            report = await reports.save(request.user, form.cleaned["direction"], form.cleaned["period"])
            return redirect(request, request.app.route_reverse("pc_report_detail", report_id=report["id"]) + "?saved=1")
    return await _page(request, form)


@get("/reports/{report_id:int}", name="pc_report_detail")
async def report_detail(request: Request, report_id: FromPath[int]) -> Response:
    report = await reports.get_report(request.user, report_id)
    return await render(request, "personnel_change/report_detail.html", {
        "page_title": f"{report['title']} {report['number']}", "report": report,
        "verification_code": await reports.verification_code(report), "saved": request.query_params.get("saved") == "1",
        "breadcrumbs": crumbs(request, ("增减员申报表打印", request.app.route_reverse("pc_reports")), (report["number"], "")),
    }, headers={"Cache-Control": "no-store"})


@get("/reports/{report_id:int}/pdf", name="pc_report_pdf")
async def report_pdf(request: Request, report_id: FromPath[int]) -> Response:
    """打印 (inline) or 下载 (?download=1): the same stored bytes every time."""
    try:
        data, name = await reports.pdf(request.user, report_id, ip=client_ip(request), base_url=public_base(request))
    except PdfError:
        return Response(content="申报表PDF生成失败，请稍后重试", media_type="text/plain; charset=utf-8", status_code=503)
    return pdf_response(data, f"{name}.pdf", inline=request.query_params.get("download") != "1")


ROUTES = [report_list, report_save, report_detail, report_pdf]
