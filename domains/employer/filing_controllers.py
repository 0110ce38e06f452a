"""HTTP handlers of the employer filing (EMP-2): the record form, materials, submit, review status."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post

from domains.employer import filing
from domains.employer.matters import EMPLOYER_FILING
from domains.employer.tables import Employer
from portal.forms import ChoiceField, Form
from portal.refusal import Refused
from portal.web import client_ip, redirect, render
from portal.workflow.tables import Material


def _matter_url(request: Request, matter_id: int | None) -> str:
    """The workflow's matter page (materials upload, timeline), when that page is installed."""
    if not matter_id:
        return ""
    try:
        return request.app.route_reverse("matter_detail", matter_id=matter_id)
    except Exception:  # noqa: BLE001 - the route name is not registered in this build
        return ""


async def _page(request: Request, form, *, refusal: str = "", notice: str = "") -> Response:
    latest = await filing.latest_filing(request.user.employer_id)
    uploaded: dict[str, dict] = {}
    if latest and latest["matter_id"]:
        uploaded = {r["code"]: r for r in await Material.select(Material.code, Material.reused_from).where(
            (Material.matter == latest["matter_id"]) & Material.replaced_at.is_null())}
    # 材料复用: a change filing may take the last approved filing's materials instead of new uploads.
    approved_matter = await filing.last_approved_matter(request.user.employer_id)
    reusable = bool(latest and latest["editable"] and approved_matter and approved_matter != latest["matter_id"]
                    and len(uploaded) < len(EMPLOYER_FILING.materials))
    options = {f.name: await f.options() for f in filing.filing_fields() if isinstance(f, ChoiceField)}
    return await render(request, "employer/filing.html", {
        "page_title": "单位基本信息备案", "form": form, "filing": latest, "options": options, "refusal": refusal,
        "cascades": await form.cascades(), "legal_rep_locked": request.user.acting_role == "agent",
        "notice": notice, "materials": [(m, uploaded.get(m.code)) for m in EMPLOYER_FILING.materials], "reusable": reusable,
        "matter_url": _matter_url(request, latest["matter_id"] if latest else None),
        "approved": await filing.is_filing_approved(request.user.employer_id),
        "uscc": (await Employer.select(Employer.uscc).where(Employer.id == request.user.employer_id).first() or {}).get(
            "uscc", ""),
        "breadcrumbs": [("劳动用工备案", request.app.route_reverse("lc_home")), ("单位基本信息", "")],
    }, headers={"Cache-Control": "no-store"})


async def _form(request: Request, data: Any) -> Form:
    return filing.filing_form(data, request.user, await filing.current_values(request.user.employer_id))


@get("/filing", name="employer_filing")
async def filing_page(request: Request) -> Response:
    form = await _form(request, await filing.current_values(request.user.employer_id))
    notice = {"saved": "保存成功，请点击“材料上传”上传材料，然后提交审核", "submitted": "已提交审核，请等待送审机构审核",
              "reused": "已沿用上次审核通过的材料；有变化的材料请点击“材料上传”重新上传替换"}.get(
        request.query_params.get("done", ""), "")
    return await _page(request, form, notice=notice)


@post("/filing", name="employer_filing_save")
async def filing_save(request: Request) -> Response:
    """保存: the filing and its 办件 (a draft until submitted); bad input comes back beside each field."""
    data = await request.form()
    form = await _form(request, data)
    if data.get("_cascade"):  # 选择下一级 without JS: show the next level, keep what was typed, save nothing
        return await _page(request, form)
    if await form.validate():
        with form.refusals():
            await filing.save(request.user, form.cleaned, ip=client_ip(request))
            return redirect(request, request.app.route_reverse("employer_filing") + "?done=saved")
    return await _page(request, form)


async def _act(request: Request, action: Any, done: str) -> Response:
    """A button of the filing page: back with `done`, or the page with the refusal on top."""
    try:
        await action(request.user, ip=client_ip(request))
    except Refused as exc:
        form = await _form(request, await filing.current_values(request.user.employer_id))
        return await _page(request, form, refusal=exc.message)
    return redirect(request, request.app.route_reverse("employer_filing") + f"?done={done}")


@post("/filing/submit", name="employer_filing_submit")
async def filing_submit(request: Request) -> Response:
    """提交审核: refused (with the missing materials named) until every required material is uploaded."""
    return await _act(request, filing.submit, "submitted")


@post("/filing/reuse", name="employer_filing_reuse")
async def filing_reuse(request: Request) -> Response:
    """沿用上次审核通过的材料 (issue 14 §20)."""
    return await _act(request, filing.reuse_approved_materials, "reused")


ROUTES = [filing_page, filing_save, filing_submit, filing_reuse]
