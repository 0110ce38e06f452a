"""Agency-side handlers (HRA-1): overview, 申请行政许可 / 业务备案, edit a returned application, certificates.
Paths are relative to the area's /hr-agency; every query is scoped by request.user.employer_id."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from domains.hr_agency import branches, certificates, forms, reports, rules, service
from domains.hr_agency.matters import BRANCH, CANCEL, CHANGE, FILING, KIND_CODES, LICENCE
from domains.hr_agency.tables import Licence, ServiceFiling
from portal.areas import crumbs
from portal.core import dictionary
from portal.dataservices.certificates import applicant_scope, document_response, public_base
from portal.refusal import Refused
from portal.web import client_ip, redirect, render
from portal.workflow import engine as workflow
from portal.workflow.kinds import get_kind

NO_STORE = {"Cache-Control": "no-store"}
APPLY_KINDS = {"licence": LICENCE, "filing": FILING}


@get("/", name="hra_home")
async def home(request: Request) -> Response:
    employer_id = request.user.employer_id
    agency = await service.agency_of(employer_id)
    return await render(request, "hr_agency/home.html", {
        "page_title": "人力资源服务机构", "agency": agency,
        "branches": await branches.branches_of(agency["id"]) if agency else [],
        "inherited": await branches.inherited(agency["id"]) if agency else [],
        "division_labels": await dictionary.labels("division"),
        "licences": await service.licences_of(employer_id), "filings": await service.filings_of(employer_id),
        "standing": await service.licence_standing(employer_id, agency),
        "applications": await service.applications_of(employer_id), "breadcrumbs": crumbs(request),
    }, headers=NO_STORE)


async def _form_page(request: Request, kind, form, services: list[str], *, action: str, matter=None) -> Response:
    options, licensed = await service.service_options()
    offered = [(c, label) for c, label in options if (c in licensed) == (kind is LICENCE)]
    return await render(request, "hr_agency/apply.html", {
        "page_title": f"申请{kind.name}", "kind": kind, "form": form, "services": services, "offered": offered,
        "action": action, "matter": matter, "uscc": await service.account_uscc(request.user.employer_id),
        "options": {"agency_type": await dictionary.choices("hra_agency_type"),
                    "division_code": await dictionary.choices("division")},
        "breadcrumbs": crumbs(request, (kind.name, "")),
    }, headers=NO_STORE)


def _kind_of(slug: str):
    kind = APPLY_KINDS.get(slug)
    if kind is None:
        raise NotFoundException()
    return kind


@get("/apply/{slug:str}", name="hra_apply")
async def apply_page(request: Request, slug: FromPath[str]) -> Response:
    kind = _kind_of(slug)
    agency = await service.agency_of(request.user.employer_id)
    initial = {k: str(agency[k] or "") for k in forms.service_record_keys()} if agency else {
        "name": request.user.employer_name}
    return await _form_page(request, kind, forms.application_form(initial), [],
                            action=request.app.route_reverse("hra_apply_save", slug=slug))


@post("/apply/{slug:str}", name="hra_apply_save")
async def apply_save(request: Request, slug: FromPath[str]) -> Response:
    kind = _kind_of(slug)
    data = await request.form()
    form, services = forms.application_form(data), forms.posted_services(data)
    action = request.app.route_reverse("hra_apply_save", slug=slug)
    if not await form.validate():
        return await _form_page(request, kind, form, services, action=action)
    with form.refusals():
        matter = await service.apply(request.user, kind.code, form.cleaned, services, ip=client_ip(request))
        # Materials and 提交 are on the platform's matter page.
        return redirect(request, request.app.route_reverse("matter_detail", matter_id=matter["id"]) + "?done=saved")
    return await _form_page(request, kind, form, services, action=action)


async def _own_matter(request: Request, matter_id: int) -> dict:
    matter = await workflow.get_matter_for(request.user, matter_id)  # 404 (and audited) when not theirs
    if matter["kind"] not in KIND_CODES:
        raise NotFoundException()
    return matter


async def _own_of_kind(request: Request, matter_id: int, kind) -> dict:
    matter = await _own_matter(request, matter_id)
    if matter["kind"] != kind.code:
        raise NotFoundException()
    return matter


def _version(data) -> int:
    raw = str(data.get("version", ""))
    return int(raw) if raw.isdigit() else -1


def _closed(request: Request, matter: dict) -> Response | None:
    """A matter no longer editable (不通过 is closed: apply anew) opens its own page, which says so."""
    if get_kind(matter["kind"]).state(matter["state"]).editable:
        return None
    return redirect(request, request.app.route_reverse("matter_detail", matter_id=matter["id"]))


@get("/matters/{matter_id:int}/edit", name="hra_edit")
async def edit_page(request: Request, matter_id: FromPath[int]) -> Response:
    matter = await _own_matter(request, matter_id)
    if matter["kind"] not in (LICENCE.code, FILING.code):  # each other kind has its own edit page
        raise NotFoundException()
    if closed := _closed(request, matter):
        return closed
    kind = APPLY_KINDS["licence" if matter["kind"] == LICENCE.code else "filing"]
    form = forms.application_form({k: str(matter["payload"].get(k, "")) for k in forms.service_record_keys()})
    return await _form_page(request, kind, form, list(matter["payload"].get("services", [])), matter=matter,
                            action=request.app.route_reverse("hra_edit_save", matter_id=matter_id))


@post("/matters/{matter_id:int}/edit", name="hra_edit_save")
async def edit_save(request: Request, matter_id: FromPath[int]) -> Response:
    matter = await _own_matter(request, matter_id)
    if matter["kind"] not in (LICENCE.code, FILING.code):  # each other kind has its own edit page
        raise NotFoundException()
    kind = APPLY_KINDS["licence" if matter["kind"] == LICENCE.code else "filing"]
    data = await request.form()
    form, services = forms.application_form(data), forms.posted_services(data)
    action = request.app.route_reverse("hra_edit_save", matter_id=matter_id)
    if not await form.validate():
        return await _form_page(request, kind, form, services, action=action, matter=matter)
    version = str(data.get("version", ""))
    with form.refusals():  # a rule's or the workflow's refusal (WorkflowError is a Refused)
        await service.edit(request.user, matter_id, form.cleaned, services,
                           expected_version=int(version) if version.isdigit() else -1)
        return redirect(request, request.app.route_reverse("matter_detail", matter_id=matter_id) + "?done=saved")
    return await _form_page(request, kind, form, services, action=action, matter=matter)


async def _certificate(request: Request, table, row_id: int) -> Response:
    agency = await service.agency_of(request.user.employer_id)
    row = await table.select().where((table.id == row_id) & (table.agency == (agency or {}).get("id", -1))).first()
    if row is None or (row["status"] != "valid" and not row["certificate_code"]):
        raise NotFoundException()  # a revoked licence never gets a first (valid-looking) certificate
    token = await certificates.ensure_certificate(table, row, public_base(request))
    return await document_response(token, applicant_scope(request.user))


@get("/licences/{licence_id:int}/certificate", name="hra_licence_certificate")
async def licence_certificate(request: Request, licence_id: FromPath[int]) -> Response:
    return await _certificate(request, Licence, licence_id)


@get("/filings/{filing_id:int}/certificate", name="hra_filing_certificate")
async def filing_certificate(request: Request, filing_id: FromPath[int]) -> Response:
    return await _certificate(request, ServiceFiling, filing_id)


async def _change_page(request: Request, form, services: dict[str, list[str]] | None = None, *, action: str,
                       matter=None) -> Response:
    """`services`: the ticked services per registration (target → codes); absent ones show as held."""
    agency = await service.agency_of(request.user.employer_id)
    options, licensed = await service.service_options()
    registrations = []
    for target, held in (await service.held_registrations(agency["id"]) if agency else {}).items():
        registrations.append({
            "target": target, "no": held["no"], "legend": rules.SERVICE_FIELDS[held["kind"]][1],
            "checked": (services or {}).get(target, held["services"]),
            "offered": [(c, label) for c, label in options if (c in licensed) == (held["kind"] == "licence")],
        })
    return await render(request, "hr_agency/change.html", {
        "page_title": "事项变更", "form": form, "action": action, "matter": matter, "agency": agency,
        "registrations": registrations,
        "options": {"agency_type": await dictionary.choices("hra_agency_type"),
                    "division_code": await dictionary.choices("division")},
        "breadcrumbs": crumbs(request, ("事项变更", "")),
    }, headers=NO_STORE)


@get("/change", name="hra_change")
async def change_page(request: Request) -> Response:
    agency = await service.agency_of(request.user.employer_id)
    initial = {k: str(agency[k] or "") for k in forms.service_record_keys()} if agency else {}
    return await _change_page(request, forms.change_form(initial), action=request.app.route_reverse("hra_change_save"))


@post("/change", name="hra_change_save")
async def change_save(request: Request) -> Response:
    data = await request.form()
    form, services = forms.change_form(data), forms.posted_registration_services(data)
    action = request.app.route_reverse("hra_change_save")
    if not await form.validate():
        return await _change_page(request, form, services, action=action)
    with form.refusals():
        matter = await service.apply_change(request.user, form.cleaned, services, ip=client_ip(request))
        return redirect(request, request.app.route_reverse("matter_detail", matter_id=matter["id"]) + "?done=saved")
    return await _change_page(request, form, services, action=action)


@get("/change/{matter_id:int}/edit", name="hra_change_edit")
async def change_edit_page(request: Request, matter_id: FromPath[int]) -> Response:
    matter = await _own_of_kind(request, matter_id, CHANGE)
    if closed := _closed(request, matter):
        return closed
    agency = await service.agency_of(request.user.employer_id) or {}
    values = {k: str(agency.get(k) or "") for k in forms.service_record_keys()}
    values.update({k: after for k, (_, after) in matter["payload"].get("changes", {}).items()})
    values["reason"] = matter["payload"].get("reason", "")
    services = {t: after for t, (_, after) in matter["payload"].get("service_changes", {}).items()}
    return await _change_page(request, forms.change_form(values), services, matter=matter,
                              action=request.app.route_reverse("hra_change_edit_save", matter_id=matter_id))


@post("/change/{matter_id:int}/edit", name="hra_change_edit_save")
async def change_edit_save(request: Request, matter_id: FromPath[int]) -> Response:
    matter = await _own_of_kind(request, matter_id, CHANGE)
    data = await request.form()
    form, services = forms.change_form(data), forms.posted_registration_services(data)
    action = request.app.route_reverse("hra_change_edit_save", matter_id=matter_id)
    if not await form.validate():
        return await _change_page(request, form, services, action=action, matter=matter)
    with form.refusals():
        await service.edit_change(request.user, matter_id, form.cleaned, services, expected_version=_version(data))
        return redirect(request, request.app.route_reverse("matter_detail", matter_id=matter_id) + "?done=saved")
    return await _change_page(request, form, services, action=action, matter=matter)


async def _reports_page(request: Request, form, *, notice: str = "") -> Response:
    return await render(request, "hr_agency/reports.html", {
        "page_title": "年度报告", "form": form, "notice": notice,
        "agency": await service.agency_of(request.user.employer_id), "reports": await reports.reports_of(request.user),
        "breadcrumbs": crumbs(request, ("年度报告", "")),
    }, headers=NO_STORE)


@get("/annual-reports", name="hra_reports")
async def reports_page(request: Request) -> Response:
    year = request.query_params.get("year", "")
    initial = {"year": str(reports.effects.today().year - 1)}
    for r in await reports.reports_of(request.user):  # 退回重填: the returned report's figures to correct
        if str(r["year"]) == year and r["status"] == "returned":
            initial = {"year": year, "service_count": str(r["service_count"]), "employment_helped":
                       str(r["employment_helped"]), "fairs_held": str(r["fairs_held"]),
                       "revenue_fen": f"{r['revenue_fen'] / 100:.2f}"}
    notice = "年度报告已提交，等待人社部门查阅。" if request.query_params.get("done") else ""
    return await _reports_page(request, reports.report_form(initial), notice=notice)


@post("/annual-reports", name="hra_reports_save")
async def reports_save(request: Request) -> Response:
    form = reports.report_form(await request.form())
    if not await form.validate():
        return await _reports_page(request, form)
    with form.refusals():
        await reports.submit_report(request.user, form.cleaned)
        return redirect(request, request.app.route_reverse("hra_reports") + "?done=1")
    return await _reports_page(request, form)


async def _fairs_page(request: Request, form, *, notice: str = "") -> Response:
    return await render(request, "hr_agency/fairs.html", {
        "page_title": "现场招聘会", "form": form, "notice": notice,
        "fairs": await reports.fairs_of(request.user), "breadcrumbs": crumbs(request, ("现场招聘会", "")),
    }, headers=NO_STORE)


@get("/job-fairs", name="hra_fairs")
async def fairs_page(request: Request) -> Response:
    notice = "现场招聘会已报告。" if request.query_params.get("done") else ""
    return await _fairs_page(request, reports.fair_form({}), notice=notice)


@post("/job-fairs", name="hra_fairs_save")
async def fairs_save(request: Request) -> Response:
    form = reports.fair_form(await request.form())
    if not await form.validate():
        return await _fairs_page(request, form)
    with form.refusals():
        await reports.add_fair(request.user, form.cleaned)
        return redirect(request, request.app.route_reverse("hra_fairs") + "?done=1")
    return await _fairs_page(request, form)


async def _branch_page(request: Request, form, *, action: str, matter=None) -> Response:
    return await render(request, "hr_agency/branch.html", {
        "page_title": "设立分支机构报告", "form": form, "action": action, "matter": matter,
        "divisions": await dictionary.choices("division"), "breadcrumbs": crumbs(request, ("设立分支机构报告", "")),
    }, headers=NO_STORE)


@get("/branch", name="hra_branch")
async def branch_page(request: Request) -> Response:
    return await _branch_page(request, forms.branch_form({}), action=request.app.route_reverse("hra_branch_save"))


@post("/branch", name="hra_branch_save")
async def branch_save(request: Request) -> Response:
    form = forms.branch_form(await request.form())
    action = request.app.route_reverse("hra_branch_save")
    if not await form.validate():
        return await _branch_page(request, form, action=action)
    with form.refusals():
        matter = await service.report_branch(request.user, form.cleaned, ip=client_ip(request))
        return redirect(request, request.app.route_reverse("matter_detail", matter_id=matter["id"]) + "?done=saved")
    return await _branch_page(request, form, action=action)


@get("/branch/{matter_id:int}/edit", name="hra_branch_edit")
async def branch_edit_page(request: Request, matter_id: FromPath[int]) -> Response:
    """修改 a draft or a returned (退回) report."""
    matter = await _own_of_kind(request, matter_id, BRANCH)
    if closed := _closed(request, matter):
        return closed
    values = {k: str(matter["payload"].get(k, "")) for k in ("name", "division_code", "address", "leader")}
    return await _branch_page(request, forms.branch_form(values), matter=matter,
                              action=request.app.route_reverse("hra_branch_edit_save", matter_id=matter_id))


@post("/branch/{matter_id:int}/edit", name="hra_branch_edit_save")
async def branch_edit_save(request: Request, matter_id: FromPath[int]) -> Response:
    matter = await _own_of_kind(request, matter_id, BRANCH)
    data = await request.form()
    form = forms.branch_form(data)
    action = request.app.route_reverse("hra_branch_edit_save", matter_id=matter_id)
    if not await form.validate():
        return await _branch_page(request, form, action=action, matter=matter)
    with form.refusals():
        await service.edit_branch(request.user, matter_id, form.cleaned, expected_version=_version(data))
        return redirect(request, request.app.route_reverse("matter_detail", matter_id=matter_id) + "?done=saved")
    return await _branch_page(request, form, action=action, matter=matter)


async def _cancel_page(request: Request, *, action: str, matter=None, posted: dict | None = None,
                       errors: dict | None = None, refusal: str = "") -> Response:
    return await render(request, "hr_agency/cancel.html", {
        "page_title": "注销申请", "options": await service.registrations(request.user.employer_id),
        "posted": posted or {}, "errors": errors or {}, "refusal": refusal, "action": action, "matter": matter,
        "breadcrumbs": crumbs(request, ("注销申请", "")),
    }, headers=NO_STORE)


def _cancel_posted(data) -> dict:
    return {"target": str(data.get("target", "")), "reason": str(data.get("reason", ""))}


async def _cancel_refused(request: Request, exc: Refused, *, action: str, posted: dict, matter=None) -> Response:
    """The refusal beside its field (注销事项 / 注销原因), else on top; what was typed stays."""
    if exc.field:
        return await _cancel_page(request, action=action, matter=matter, posted=posted, errors={exc.field: exc.message})
    return await _cancel_page(request, action=action, matter=matter, posted=posted, refusal=exc.message)


@get("/cancel", name="hra_cancel")
async def cancel_page(request: Request) -> Response:
    return await _cancel_page(request, action=request.app.route_reverse("hra_cancel_save"))


@post("/cancel", name="hra_cancel_save")
async def cancel_save(request: Request) -> Response:
    posted = _cancel_posted(await request.form())
    action = request.app.route_reverse("hra_cancel_save")
    try:
        matter = await service.apply_cancel(request.user, posted["target"], posted["reason"], ip=client_ip(request))
    except Refused as exc:
        return await _cancel_refused(request, exc, action=action, posted=posted)
    return redirect(request, request.app.route_reverse("matter_detail", matter_id=matter["id"]) + "?done=saved")


@get("/cancel/{matter_id:int}/edit", name="hra_cancel_edit")
async def cancel_edit_page(request: Request, matter_id: FromPath[int]) -> Response:
    matter = await _own_of_kind(request, matter_id, CANCEL)
    if closed := _closed(request, matter):
        return closed
    return await _cancel_page(request, matter=matter, posted=_cancel_posted(matter["payload"]),
                              action=request.app.route_reverse("hra_cancel_edit_save", matter_id=matter_id))


@post("/cancel/{matter_id:int}/edit", name="hra_cancel_edit_save")
async def cancel_edit_save(request: Request, matter_id: FromPath[int]) -> Response:
    matter = await _own_of_kind(request, matter_id, CANCEL)
    data = await request.form()
    posted = _cancel_posted(data)
    action = request.app.route_reverse("hra_cancel_edit_save", matter_id=matter_id)
    try:
        await service.edit_cancel(request.user, matter_id, posted["target"], posted["reason"],
                                  expected_version=_version(data))
    except Refused as exc:
        return await _cancel_refused(request, exc, action=action, posted=posted, matter=matter)
    return redirect(request, request.app.route_reverse("matter_detail", matter_id=matter_id) + "?done=saved")


ROUTES = [branch_page, branch_save, branch_edit_page, branch_edit_save, cancel_page, cancel_save, cancel_edit_page,
          cancel_edit_save, reports_page, reports_save, fairs_page, fairs_save, home, apply_page, apply_save, edit_page, edit_save, change_page, change_save, change_edit_page,
          change_edit_save, licence_certificate, filing_certificate]
