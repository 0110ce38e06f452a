"""工伤保险单位证明 (WI-3), the same three steps for an employer, staff (wi.query) and a person:
填写 身份证号码, 姓名 and 工伤单位 → 生成报表 (the certificate on the page, 打印) → PDF through the platform's
certificates (verification code, QR code, seal). Who may see whom is decided in service.find_subject."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post

from domains.work_injury import forms, service
from domains.work_injury.pages import page
from portal.areas import crumbs
from portal.dataservices.certificates import Fact, document_response, issue_certificate, public_base
from portal.dataservices.tables import StoredDocument
from portal.forms import Form
from portal.web import redirect

CERTIFICATE_KIND = "wi_proof"
TITLE = "工伤保险单位证明"
PARAGRAPH = "兹证明下列人员在下列单位参加工伤保险的情况如下（参保期按结算期年月，已缴月数为工伤保险费已到账的月数）。"


async def _choices(request: Request, data: Any) -> list[tuple[str, str]] | None:
    """工伤单位: fixed for an employer (None: no field), offered for staff and persons."""
    principal = request.user
    if principal.is_employer:
        return None
    id_number = forms.proof_form(data, None)
    await id_number.validate()
    return await service.employer_choices(principal, id_number.cleaned.get("id_number") or "")


async def _render(request: Request, form: Form, preview_route: str, pdf_route: str, report: dict | None = None,
                  choices: list | None = None) -> Response:
    return await page(request, "work_injury/proof.html", {
        "page_title": TITLE, "form": form, "report": report, "choices": choices,
        "preview_action": request.app.route_reverse(preview_route), "pdf_action": request.app.route_reverse(pdf_route),
        "is_employer": request.user.is_employer, "breadcrumbs": crumbs(request, (TITLE, "")),
    })


async def form_page(request: Request, preview_route: str, pdf_route: str) -> Response:
    data: dict[str, str] = {}
    if request.user.is_person:  # a person's own certificate: the fields are theirs already
        me = await service.persons.get_person(request.user.person_id)
        data = {"id_number": me["id_number"], "name": me["name"]}
    choices = await _choices(request, data)
    return await _render(request, forms.proof_form(data, choices), preview_route, pdf_route, choices=choices)


async def _subject(request: Request) -> tuple[Form, list | None, dict | None]:
    data = await request.form()
    choices = await _choices(request, data)
    form = forms.proof_form(data, choices)
    report = None
    if await form.validate():
        with form.refusals():
            employer_id = int(form.cleaned["employer_id"]) if choices is not None else None
            person, employer = await service.find_subject(request.user, form.cleaned["id_number"],
                                                          form.cleaned["name"], employer_id)
            report = await service.proof(person, employer)
    return form, choices, report


async def preview(request: Request, preview_route: str, pdf_route: str) -> Response:
    """生成报表: the certificate's content on the page (with 打印 and 下载PDF)."""
    form, choices, report = await _subject(request)
    return await _render(request, form, preview_route, pdf_route, report=report, choices=choices)


async def pdf(request: Request, preview_route: str, pdf_route: str) -> Response:
    """Issue the certificate (a new verification code each time) and send the browser to its PDF."""
    form, choices, report = await _subject(request)
    if report is None:
        return await _render(request, form, preview_route, pdf_route, choices=choices)
    person, employer = report["person"], report["employer"]
    periods = "；".join(f"{p['start']}至{p['end']}（{p['status']}）" for p in report["periods"])
    accidents = "；".join(f"{a['occurred_on']} {a['category']} {a['severity']}（{a['state']}）"
                          for a in report["accidents"]) or "无"
    facts = [Fact("姓名", person["name"], "name"), Fact("身份证号", person["id_number"], "id_number"),
             Fact("工伤单位", employer["name"]), Fact("统一社会信用代码", employer["uscc"]),
             Fact("工伤保险参保期", periods), Fact("已缴费月数", f"{report['paid_months']}个月"),
             Fact("工伤事故记录", accidents)]
    principal = request.user
    cert = await issue_certificate(
        kind=CERTIFICATE_KIND, title=TITLE, facts=facts, base_url=public_base(request), paragraphs=[PARAGRAPH],
        owner_employer_id=principal.employer_id if principal.is_employer else None,
        owner_person_id=principal.person_id if principal.is_person else None,
        division_code=employer["division_code"] or "",
    )
    if principal.is_staff:
        # Staff download stored certificates only with certificate.revoke; the one just issued is served here.
        response = await document_response(cert["document_token"], StoredDocument.token == cert["document_token"],
                                           inline=False)
        response.status_code = 200  # a POST handler's default would be 201
        return response
    return redirect(request, request.app.route_reverse("document_download", token=cert["document_token"]))


def routes(name: str, guards: list | None = None) -> list:
    """The three handlers of one area: GET `/proof` (`name`), POST `/proof` (`name`_preview: 生成报表) and
    POST `/proof/pdf` (`name`_pdf)."""
    preview_route, pdf_route = f"{name}_preview", f"{name}_pdf"

    @get("/proof", name=name, guards=guards)
    async def proof_form(request: Request) -> Response:
        return await form_page(request, preview_route, pdf_route)

    @post("/proof", name=preview_route, guards=guards)
    async def proof_preview(request: Request) -> Response:
        return await preview(request, preview_route, pdf_route)

    @post("/proof/pdf", name=pdf_route, guards=guards)
    async def proof_pdf(request: Request) -> Response:
        return await pdf(request, preview_route, pdf_route)

    return [proof_form, proof_preview, proof_pdf]
