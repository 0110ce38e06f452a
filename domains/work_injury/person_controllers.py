"""A person's own 工伤保险单位证明 (WI-3): the 身份证号 and 姓名 must be theirs; 工伤单位 any employer that insured
them for 工伤."""

from __future__ import annotations

from litestar import Request, Response, get, post

from domains.work_injury import proof


@get("/proof", name="wi_person_proof")
async def proof_form(request: Request) -> Response:
    return await proof.form_page(request, "wi_person_proof_preview", "wi_person_proof_pdf")


@post("/proof", name="wi_person_proof_preview")
async def proof_preview(request: Request) -> Response:
    return await proof.preview(request, "wi_person_proof_preview", "wi_person_proof_pdf")


@post("/proof/pdf", name="wi_person_proof_pdf")
async def proof_pdf(request: Request) -> Response:
    return await proof.pdf(request, "wi_person_proof_preview", "wi_person_proof_pdf")


ROUTES = [proof_form, proof_preview, proof_pdf]
