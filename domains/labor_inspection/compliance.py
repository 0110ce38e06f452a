"""Use-cases of the 劳动用工合规证明 (INS-5), scoped by the Principal.

合规证明登记 creates an `ins_compliance` row and its 办件 (kind `ins_compliance`, matters.py) for the squad of the
employer: the squad of its latest 网上书审 (the squad that knows it), else the 中队 of its registered division.
The squad sees the warnings of `review_notices` beside the decision; 出具证明 with warnings needs a 核实意见
(`issue_effect`), 不予出具 a reason. The certificate PDF is a platform certificate (verification code, QR code,
seal) made on the first download, outside the decision's transaction (rendering takes a Chromium page), then
served byte-identical; a revoked one still downloads and /verify says 已撤销.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from litestar.exceptions import NotFoundException

from domains.employer import service as employer_service
from domains.labor_inspection import compliance_rules as rules
from domains.labor_inspection.service import REVIEW_KIND, REVIEW_PERMISSION, _require_employer, latest_grades
from domains.labor_inspection.tables import InsCompliance, InsReview
from portal.auth.principal import Principal
from portal.core import dictionary
from portal.dataservices.certificates import Fact, issue_certificate, revoke_certificate
from portal.dataservices.tables import Certificate
from portal.db import write_transaction
from portal.refusal import Refused
from portal.workflow import engine as workflow
from portal.workflow.deadlines import local_date
from portal.workflow.errors import WorkflowError
from portal.workflow.kinds import EffectContext
from portal.workflow.tables import Matter

KIND = "ins_compliance"
CERTIFICATE_KIND = "ins_compliance"
TITLE = "劳动用工合规证明"
STATEMENT = ("经查询本机关劳动保障监察记录，该单位在上述证明期间内，未发现因违反劳动保障法律、法规、规章"
             "而受到劳动保障监察行政处理或行政处罚的记录。")
NOTE = "本证明仅依据本机关劳动保障监察记录出具，不代替其他部门的证明；证明真伪请扫描二维码或凭验证码查验。"


def this_month() -> int:
    today = local_date()
    return today.year * 100 + today.month


async def squad_for_employer(employer_id: int) -> str:
    """The squad that receives the application (see the module's docstring); '' when none covers the employer."""
    review = await InsReview.select(InsReview.squad_code).where(
        (InsReview.employer == employer_id) & (InsReview.squad_code != "")
    ).order_by(InsReview.year, ascending=False).first()
    if review:
        return review["squad_code"]
    employer = await employer_service.get_employer(employer_id) or {}
    squad = await dictionary.squad_for(employer.get("division_code") or "")
    return squad.code if squad else ""


async def apply(principal: Principal, values: dict[str, Any], *, form_token: str | None = None,
                ip: str = "") -> dict[str, Any]:
    """合规证明登记 → the 办件 to the squad. `values` are the form's cleaned values (checked again here)."""
    employer_id = _require_employer(principal)
    errors = {**rules.period_errors(values["start_month"], values["end_month"], this_month()),
              **rules.purpose_errors(values["purpose"], values.get("purpose_other"))}
    if errors:
        raise WorkflowError(next(iter(errors.values())), errors=errors)
    await workflow.ensure_unused_token(form_token)
    squad = await squad_for_employer(employer_id)
    if not squad:
        raise Refused("本单位所在地暂未设置劳动保障监察中队，请联系当地人力资源社会保障部门")
    employer = await employer_service.get_employer(employer_id) or {}
    other = (values.get("purpose_other") or "").strip() if values["purpose"] == "other" else ""
    payload = {
        "purpose": values["purpose"], "purpose_other": other,
        "purpose_text": rules.purpose_text(values["purpose"], other),
        "start_month": values["start_month"], "end_month": values["end_month"],
        "period_text": rules.period_text(values["start_month"], values["end_month"]),
        "contact_name": values["contact_name"], "contact_phone": values["contact_phone"], "squad_code": squad,
        "squad_label": await dictionary.label("squad", squad),
    }
    async with write_transaction():
        row = await InsCompliance.insert(InsCompliance(
            employer=employer_id, purpose=values["purpose"], purpose_other=other,
            start_month=values["start_month"], end_month=values["end_month"], contact_name=values["contact_name"],
            contact_phone=values["contact_phone"], squad_code=squad, created_at=datetime.now(UTC),
        )).returning(InsCompliance.id)
        payload["compliance_id"] = row[0]["id"]
        matter = await workflow.create_matter(
            principal, KIND, payload=payload, title=f"{TITLE}（{payload['period_text']}）", squad_code=squad,
            division_code=employer.get("division_code") or "", submit=True, form_token=form_token, ip=ip)
        await InsCompliance.update({InsCompliance.matter_id: matter["id"]}).where(
            InsCompliance.id == row[0]["id"])
    return matter


async def applications_of(principal: Principal) -> list[dict[str, Any]]:
    """合规证明办事进度查询: this employer's applications, newest first, with their 办件 and certificate."""
    employer_id = _require_employer(principal)
    rows = await InsCompliance.select().where(InsCompliance.employer == employer_id).order_by(
        InsCompliance.id, ascending=False)
    matters = {m["id"]: m for m in await Matter.select(Matter.id, Matter.number, Matter.state).where(
        Matter.id.is_in([r["matter_id"] for r in rows if r["matter_id"]] or [-1]))}
    codes = [r["certificate_code"] for r in rows if r["certificate_code"]]
    revoked = {c["code"]: c["revoked_at"] for c in await Certificate.select(
        Certificate.code, Certificate.revoked_at).where(Certificate.code.is_in(codes or ["-"]))}
    for r in rows:
        r["matter"] = matters.get(r["matter_id"])
        r["period_text"] = rules.period_text(r["start_month"], r["end_month"])
        r["purpose_text"] = rules.purpose_text(r["purpose"], r["purpose_other"])
        r["revoked_at"] = revoked.get(r["certificate_code"])
    return rows


async def _own_issued(principal: Principal, compliance_id: int) -> dict[str, Any]:
    employer_id = _require_employer(principal)
    row = await InsCompliance.select().where(
        (InsCompliance.id == compliance_id) & (InsCompliance.employer == employer_id)).first()
    if row is None or row["matter_id"] is None:
        raise NotFoundException()
    matter = await workflow.get_matter_for(principal, row["matter_id"])
    if matter["state"] != "approved":
        raise NotFoundException()
    return {**row, "matter": matter}


async def certificate_token(principal: Principal, compliance_id: int, base_url: str) -> str:
    """The document token of the employer's certificate, issuing it on the first download."""
    row = await _own_issued(principal, compliance_id)
    if row["certificate_code"]:
        found = await Certificate.select(Certificate.document_token).where(
            Certificate.code == row["certificate_code"]).first()
        return found["document_token"]
    employer = await employer_service.get_employer(row["employer"]) or {}
    matter = row["matter"]
    decided = local_date(matter["finished_at"]) if matter["finished_at"] else local_date()
    facts = [
        Fact("单位名称", employer.get("name", "")), Fact("统一社会信用代码", employer.get("uscc", ""), "uscc"),
        Fact("证明期间", rules.period_text(row["start_month"], row["end_month"])),
        Fact("证明内容", "在上述期间内未发现违反劳动保障法律法规的记录"),
        Fact("用途", rules.purpose_text(row["purpose"], row["purpose_other"])),
        Fact("出具机构", await dictionary.label("squad", row["squad_code"])),
        Fact("出具日期", f"{decided:%Y年%m月%d日}"), Fact("办件编号", matter["number"]),
    ]
    cert = await issue_certificate(
        kind=CERTIFICATE_KIND, title=TITLE, facts=facts, base_url=base_url, paragraphs=[STATEMENT, NOTE],
        owner_employer_id=row["employer"], division_code=employer.get("division_code") or "",
        issuer=await dictionary.label("squad", row["squad_code"]),
    )
    async with write_transaction():
        claimed = await InsCompliance.update({InsCompliance.certificate_code: cert["code"]}).where(
            (InsCompliance.id == row["id"]) & (InsCompliance.certificate_code == "")).returning(InsCompliance.id)
    if not claimed:  # two first downloads at once: the first claim stands, this copy is withdrawn
        await revoke_certificate(cert["code"], "重复签发，已作废")
        return await certificate_token(principal, compliance_id, base_url)
    return cert["document_token"]


# ---- the squad (INS-6 for 合规证明) ----------------------------------------------------------------------------

async def _warnings_for(employer_id: int, start: int, end: int) -> list[str]:
    """The records of the period's years the reviewer must see (compliance_rules.warnings)."""
    years = list(rules.years_of(start, end))
    reviews = await InsReview.select(InsReview.year, InsReview.matter_id).where(
        (InsReview.employer == employer_id) & InsReview.year.is_in(years))
    ids = [r["matter_id"] for r in reviews if r["matter_id"]]
    matters = {m["id"]: m for m in await Matter.select(Matter.id, Matter.state, Matter.payload, Matter.result).where(
        Matter.id.is_in(ids or [-1]) & (Matter.kind == REVIEW_KIND))}
    facts = []
    for r in reviews:
        m = matters.get(r["matter_id"])
        payload = _as_dict(m["payload"]) if m else {}
        result = _as_dict(m["result"]) if m else {}
        facts.append({"year": r["year"], "state": m["state"] if m else None,
                      "findings": payload.get("findings") or [], "problems": result.get("problems") or []})
    grades = [{"year": year, "grade": g["grade"]} for year, g in (await latest_grades(employer_id, years)).items()]
    return rules.warnings(facts, grades)


def _as_dict(value: Any) -> dict[str, Any]:
    return json.loads(value or "{}") if isinstance(value, str) else dict(value or {})


async def review_notices(principal: Principal, matter: dict[str, Any]) -> list[str]:
    """The workbench's notices for this kind (MatterKind.extra["review_notices"]): the warnings, read now."""
    if not principal.is_staff or not principal.can(REVIEW_PERMISSION) or matter["employer"] is None:
        return []
    p = matter["payload"]
    found = await _warnings_for(matter["employer"], p["start_month"], p["end_month"])
    return [*found, "出具证明前请核实上述情况，并在审核意见中写明核实结果"] if found else []


async def issue_effect(ctx: EffectContext) -> None:
    """出具证明: never over a warning unseen — with warnings, the reviewer's 核实意见 is required and kept with
    the warnings it answers."""
    p = ctx.matter["payload"]
    found = await _warnings_for(ctx.matter["employer"], p["start_month"], p["end_month"])
    if found and not ctx.opinion.strip():
        raise WorkflowError("系统提示该单位在证明期间有需核实的记录，出具证明须填写核实意见",
                            errors={"opinion": "请填写核实意见（说明已核实的提示事项）"})
    await _keep_decision(ctx, found)


async def refuse_effect(ctx: EffectContext) -> None:
    await _keep_decision(ctx, [])


async def _keep_decision(ctx: EffectContext, found: list[str]) -> None:
    await InsCompliance.update({InsCompliance.warnings: json.dumps(found, ensure_ascii=False),
                                InsCompliance.opinion: ctx.opinion[:2000]}).where(
        InsCompliance.matter_id == ctx.matter["id"])
